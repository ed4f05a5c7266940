// What a device does with an offer, without the connection around it: check the offered model
// against its catalogue, train (and prepare the update frame) or evaluate (and prepare the metrics).
// Nothing here sends anything; FedrecClient does, and records what it sent.

import { fitUserVector, kernelTrainer, type SubTableTrainer, trainLocallyWith } from '../shared/model/local-trainer.js';
import type { MfModel } from '../shared/model/mf-model.js';
import { bytesToFloat32 } from '../shared/protocol/binary.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { OfferMessage } from '../shared/protocol/messages.js';
import { encodeUpdate, type UpdateEncoding } from '../shared/protocol/update-encoding.js';
import type { SeededRandom } from '../shared/random.js';
import { rankHeldOut } from './evaluate.js';
import type { MappedData } from './local-data.js';
import { runMiddleware, type OutgoingUpdate, type UpdateMiddleware } from './middleware/types.js';

/** The offered model, after checking it fits the catalogue this device holds. */
export function modelFromOffer(offer: OfferMessage, catalogue: { version: string; itemIds: Int32Array } | null): MfModel {
  if (!catalogue || offer.catalogueVersion !== catalogue.version || offer.shape.items !== catalogue.itemIds.length) {
    throw new FedrecError(ErrorCodes.CATALOGUE_MISMATCH, `offer for catalogue ${offer.catalogueVersion} (${offer.shape.items} items) does not match this device's ${catalogue?.version}`, { round: offer.round });
  }
  const params = bytesToFloat32(offer.params);
  if (params.length !== offer.shape.items * offer.shape.dim + offer.shape.items) {
    throw new FedrecError(ErrorCodes.WRONG_SIZE, `offer carries ${params.length} parameters; shape says ${offer.shape.items}×${offer.shape.dim}+${offer.shape.items}`, { round: offer.round });
  }
  return { kind: 'mf', items: offer.shape.items, dim: offer.shape.dim, params };
}

function trainingConfig(offer: OfferMessage) {
  const c = offer.config;
  return { epochs: c.localEpochs, lr: c.lr, l2: c.l2, negatives: c.negatives, batchSize: c.batchSize };
}

export interface TrainOptions {
  trainer?: SubTableTrainer;
  middleware: readonly UpdateMiddleware[];
  maxPayloadBytes: number;
  compression: UpdateEncoding;
}

export interface PreparedUpdate {
  frame: Record<string, unknown>;
  update: OutgoingUpdate;
  bytes: number;
  examples: number;
}

/** Trains `user` in place; returns the update after the middleware (clip, noise, size), not yet encoded. */
export async function trainUpdate(offer: OfferMessage, model: MfModel, user: Float32Array, data: MappedData, rng: SeededRandom, o: Omit<TrainOptions, 'compression'>): Promise<{ update: OutgoingUpdate; examples: number }> {
  if (data.positives.length === 0) throw new FedrecError(ErrorCodes.WRONG_TASK, 'no local interactions to train on', { round: offer.round });
  const result = await trainLocallyWith(o.trainer ?? kernelTrainer, { model, user, positives: data.positives, exclude: data.exclude }, trainingConfig(offer), rng);
  const update = runMiddleware(
    o.middleware,
    { round: offer.round, modelVersion: offer.modelVersion, delta: result.delta, norm: 0, clipped: false, localNoiseStddev: 0, support: { rows: result.rows, dim: model.dim, items: model.items } },
    { config: offer.config, maxPayloadBytes: o.maxPayloadBytes },
  );
  return { update, examples: result.examples };
}

/** Trains `user` in place and returns the plaintext update frame, after the middleware (clip, noise, size). */
export async function prepareUpdate(offer: OfferMessage, model: MfModel, user: Float32Array, data: MappedData, rng: SeededRandom, o: TrainOptions): Promise<PreparedUpdate> {
  const { update, examples } = await trainUpdate(offer, model, user, data, rng, o);
  const encoded = encodeUpdate(update.delta, o.compression);
  const frame: Record<string, unknown> = { type: 'update', round: offer.round, modelVersion: offer.modelVersion, delta: encoded.bytes, clipped: update.clipped };
  if (encoded.encoding !== 'f32') frame.encoding = encoded.encoding;
  if (encoded.encoding === 'q8') frame.scale = encoded.scale;
  return { frame, update, bytes: encoded.bytes.byteLength, examples };
}

/** Ranks the held-out item with a personalized COPY of the user vector; returns the metrics frame. */
export function prepareMetrics(offer: OfferMessage, model: MfModel, user: Float32Array, data: MappedData, rng: SeededRandom): { frame: Record<string, unknown>; hit: number; ndcg: number } {
  if (!data.evaluation) throw new FedrecError(ErrorCodes.WRONG_TASK, 'this device holds no held-out interaction to evaluate on', { round: offer.round });
  const copy = Float32Array.from(user); // evaluation changes nothing the device keeps
  fitUserVector({ model, user: copy, positives: data.positives, exclude: data.exclude }, { ...trainingConfig(offer), epochs: offer.config.evalFitEpochs }, rng);
  const r = rankHeldOut(model, copy, data.evaluation.row, data.evaluation.negatives);
  return { frame: { type: 'metrics', round: offer.round, modelVersion: offer.modelVersion, hr10: r.hit, ndcg10: r.ndcg }, hit: r.hit, ndcg: r.ndcg };
}
