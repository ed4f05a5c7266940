// Doing what an offer asks: train (plaintext or secure) or evaluate on the device's own data, and
// hand the result to the client to send. The client owns the connection, consent and the ledger; this
// file owns the work between an offer and what leaves.

import { initUserVector } from '../shared/model/mf-model.js';
import { encodeMessage } from '../shared/protocol/codec.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { OfferMessage } from '../shared/protocol/messages.js';
import { SeededRandom } from '../shared/random.js';
import { webCryptoSuite } from '../shared/secagg/crypto-suite.js';
import type { ClientOptions, TaskOutcome } from './client-options.js';
import { randomSeed } from './connection-helpers.js';
import type { MappedData } from './local-data.js';
import type { ClientLogger } from './logger.js';
import { forEachRange, type UpdateMiddleware } from './middleware/types.js';
import { SecureClientRound } from './secagg/secure-client-round.js';
import { SecureTask } from './secagg/secure-task.js';
import type { ClientState, LedgerEntry } from './store.js';
import { modelFromOffer, prepareMetrics, prepareUpdate, trainUpdate } from './tasks.js';

/** What the work needs from the client that runs it. */
export interface OfferContext {
  readonly state: ClientState;
  readonly options: ClientOptions & { middleware: UpdateMiddleware[]; keepModel: boolean };
  readonly log: ClientLogger;
  readonly maxPayloadBytes: number;
  mappedData(): MappedData;
  ensureConsent(): Promise<void>;
  saveState(): Promise<void>;
  send(message: object): void;
  /** Sends and records in the ledger the moment it leaves; resolves on the acknowledgement. */
  sendRecorded(round: number, message: object, entry: LedgerEntry): Promise<void>;
  setSecureTask(task: SecureTask | null): void;
  isSecureTask(task: SecureTask): boolean;
  outcome(o: TaskOutcome): void;
}

export async function doOffer(c: OfferContext, offer: OfferMessage): Promise<void> {
  const st = c.state;
  const o = c.options;
  const model = modelFromOffer(offer, st.catalogue);
  if (!st.userVector || st.userVector.length !== model.dim) st.userVector = initUserVector(model.dim, o.seed !== undefined ? `${o.seed}:${st.clientId}:user` : randomSeed());
  const data = c.mappedData();
  const rng = new SeededRandom(o.seed !== undefined ? `${o.seed}:${st.clientId}:${offer.round}:${offer.task}` : randomSeed());
  // Keep the newest model this device was sent, for recommending offline.
  const keep = () => o.keepModel && (st.model = { version: offer.modelVersion, items: model.items, dim: model.dim, params: Float32Array.from(model.params) });
  const at = () => new Date().toISOString();
  if (offer.task === 'evaluate') {
    const m = prepareMetrics(offer, model, st.userVector, data, rng);
    await c.ensureConsent();
    const bytes = encodeMessage(m.frame).byteLength;
    await c.sendRecorded(offer.round, m.frame, { kind: 'metrics', at: at(), round: offer.round, modelVersion: offer.modelVersion, bytes, norm: 0, clipped: false, localNoiseStddev: 0, clipNorm: 0, aggregation: 'plaintext' });
    if (keep()) await c.saveState();
    c.outcome({ task: 'evaluate', round: offer.round, hit: m.hit, ndcg: m.ndcg });
    return;
  }
  if (offer.secure) return doSecureOffer(c, offer, model, data, rng, keep);
  if (!o.allowPlaintext) throw new FedrecError(ErrorCodes.INSECURE_AGGREGATION, `round ${offer.round} asks for a plaintext update; this device sends masked updates only`, { round: offer.round });
  const p = await prepareUpdate(offer, model, st.userVector, data, rng, { trainer: o.trainer, middleware: o.middleware, maxPayloadBytes: c.maxPayloadBytes, compression: o.compression ?? 'f32' });
  await c.ensureConsent();
  const u = p.update;
  await c.sendRecorded(offer.round, p.frame, { at: at(), round: offer.round, modelVersion: offer.modelVersion, bytes: p.bytes, norm: u.norm, clipped: u.clipped, localNoiseStddev: u.localNoiseStddev, clipNorm: offer.config.clipNorm, aggregation: 'plaintext' });
  keep();
  await c.saveState();
  c.log.info({ event: 'update-sent', round: offer.round, bytes: p.bytes, norm: u.norm, clipped: u.clipped, examples: p.examples }, `round ${offer.round}: update sent`);
  c.outcome({ task: 'train', round: offer.round, bytes: p.bytes, norm: u.norm, clipped: u.clipped });
}

/**
 * A secure round: advertise fresh keys at once, train meanwhile, mask once the neighbours' shares
 * are relayed, and stay until the coordinator has asked for the unmasking shares.
 */
async function doSecureOffer(c: OfferContext, offer: OfferMessage, model: ReturnType<typeof modelFromOffer>, data: MappedData, rng: SeededRandom, keep: () => unknown): Promise<void> {
  const st = c.state;
  const o = c.options;
  // Distributed-DP noise is checked against the z this coordinator declared to this device.
  const floor = { noiseMultiplier: st.declaredPrivacy?.noiseMultiplier ?? null, clipNorm: offer.config.clipNorm, length: model.params.length };
  const task = new SecureTask(new SecureClientRound(offer.round, offer.secure!, o.secaggCrypto ?? webCryptoSuite, floor), (m) => c.send(m));
  c.setSecureTask(task);
  c.send(await task.round.keys());
  const { update: u, examples } = await trainUpdate(offer, model, st.userVector!, data, rng, { trainer: o.trainer, middleware: o.middleware, maxPayloadBytes: c.maxPayloadBytes });
  await task.waitForRelay();
  const ranges = u.support ? (fn: (a: number, b: number) => void) => forEachRange(u, fn) : undefined;
  const masked = await task.round.maskedInput({ delta: u.delta, clipped: u.clipped, ranges }, offer.modelVersion, () => rng.next());
  const bytes = masked.masked.byteLength;
  const dp = task.round.distributed; // n, μ_i, z: evidence if the coordinator overstated n
  await c.sendRecorded(offer.round, masked, { at: new Date().toISOString(), round: offer.round, modelVersion: offer.modelVersion, bytes, norm: u.norm, clipped: u.clipped, localNoiseStddev: u.localNoiseStddev, clipNorm: offer.config.clipNorm, aggregation: 'secure', ...(dp ? { distributedDp: dp } : {}) });
  keep();
  await o.store.save(st);
  c.log.info({ event: 'update-sent', round: offer.round, bytes, clipped: u.clipped, examples, aggregation: 'secure' }, `round ${offer.round}: masked update sent`);
  await task.waitForEnd();
  if (c.isSecureTask(task)) c.setSecureTask(null);
  c.outcome({ task: 'train', round: offer.round, bytes, norm: u.norm, clipped: u.clipped });
}
