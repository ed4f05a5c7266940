// Client-side steps between training and the wire, composed like Flower's client mods: each takes
// the update and the round's context and returns the update to send, or throws a FedrecError to
// refuse (nothing is sent then).

import type { RoundConfig } from '../../shared/protocol/messages.js';

export interface OutgoingUpdate {
  round: number;
  modelVersion: number;
  delta: Float32Array;
  /** L2 norm as it will be sent (after clipping / local noise). */
  norm: number;
  clipped: boolean;
  /** Local DP noise stddev added on the device (0 when none). */
  localNoiseStddev: number;
}

export interface UpdateContext {
  config: RoundConfig;
  maxPayloadBytes: number;
}

export type UpdateMiddleware = (update: OutgoingUpdate, ctx: UpdateContext) => OutgoingUpdate;

export function runMiddleware(chain: readonly UpdateMiddleware[], update: OutgoingUpdate, ctx: UpdateContext): OutgoingUpdate {
  let u = update;
  for (const step of chain) u = step(u, ctx);
  return u;
}

export function l2Norm(v: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  return Math.sqrt(sq);
}
