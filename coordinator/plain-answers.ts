// What the engine does with a plaintext answer: an update is decoded and folded into the
// aggregation chain (which re-clips it), metrics are added to the phase's evaluation sums. In secure
// mode train answers go through coordinator/secagg instead; evaluation metrics still come here.

import { decodeUpdate } from '../shared/protocol/update-encoding.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { MetricsMessage, UpdateMessage } from '../shared/protocol/messages.js';
import type { AggregationStage } from './aggregation/stage.js';
import type { Phase } from './phase.js';

/** Folds one update into the aggregate; throws (counted against the round) before any state change. */
export function acceptUpdate(p: Phase, clientId: string, msg: UpdateMessage, aggregator: AggregationStage, scratch: Float32Array): void {
  try {
    if (msg.modelVersion !== p.modelVersion) {
      throw new FedrecError(ErrorCodes.MODEL_VERSION_MISMATCH, `update is for model version ${msg.modelVersion}; round ${p.round} trains version ${p.modelVersion}`, { round: p.round });
    }
    let delta: Float32Array;
    const encoding = msg.encoding ?? 'f32';
    try {
      delta = decodeUpdate(msg.delta, encoding, msg.scale ?? 1, scratch);
    } catch {
      throw new FedrecError(ErrorCodes.WRONG_SIZE, `update.delta has ${msg.delta.byteLength} bytes, not a whole number of ${encoding} values`, { round: p.round });
    }
    aggregator.accept(delta, 1, { clientId, norm: 0, clientClipped: msg.clipped });
  } catch (err) {
    // The aggregator's errors (wrong size, non-finite) do not know the round: tag them with it.
    p.rejected++;
    if (err instanceof FedrecError && err.round === undefined) throw new FedrecError(err.code, err.message, { round: p.round, cause: err });
    throw err;
  }
  p.reported.add(clientId);
  if (msg.clipped) p.clientClipped++;
}

export function acceptMetrics(p: Phase, clientId: string, msg: MetricsMessage): void {
  if (msg.modelVersion !== p.modelVersion) {
    p.rejected++;
    throw new FedrecError(ErrorCodes.MODEL_VERSION_MISMATCH, `metrics are for model version ${msg.modelVersion}; the evaluation is of version ${p.modelVersion}`, { round: p.round });
  }
  p.reported.add(clientId);
  p.metrics.hr10 += msg.hr10;
  p.metrics.ndcg10 += msg.ndcg10;
  p.metrics.n++;
}
