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
  /**
   * Where the delta can be non-zero: the trained rows' embeddings and biases. Lets clipping read
   * ~5% of the dense vector; a step that touches every coordinate (local noise) must drop it.
   */
  support?: UpdateSupport;
}

export interface UpdateSupport {
  rows: Int32Array;
  dim: number;
  items: number;
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

/** Calls fn(start, end) for each range of the delta that can be non-zero. */
export function forEachRange(u: OutgoingUpdate, fn: (start: number, end: number) => void): void {
  const s = u.support;
  if (!s) return fn(0, u.delta.length);
  const base = s.items * s.dim;
  for (let j = 0; j < s.rows.length; j++) {
    const r = s.rows[j];
    fn(r * s.dim, (r + 1) * s.dim);
    fn(base + r, base + r + 1);
  }
}

export function updateNorm(u: OutgoingUpdate): number {
  const s = u.support;
  if (!s) return l2Norm(u.delta);
  // Plain loops, not forEachRange: a running sum captured by a callback is boxed on every add (V8
  // keeps closure doubles as heap numbers), ~100 MB of garbage a round in a simulation worker.
  const d = u.delta;
  const base = s.items * s.dim;
  let sq = 0;
  for (let j = 0; j < s.rows.length; j++) {
    const r = s.rows[j];
    for (let i = r * s.dim, end = i + s.dim; i < end; i++) sq += d[i] * d[i];
    sq += d[base + r] * d[base + r];
  }
  return Math.sqrt(sq);
}

export function l2Norm(v: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
  return Math.sqrt(sq);
}
