// Distributed DP inside secure aggregation (the distributed Skellam mechanism, Agarwal, Kairouz &
// Liu 2021): the parameters a round's clients need, and the client's encoding of its update.
// Client: clipped update → rotate (rotation.ts) → scale and round with conditional randomized
// rounding (re-round until ‖x̃‖ ≤ Δ2) → add its Skellam share → mask. Coordinator: unmask → the sum
// already holds Sk(Σ shares) → dequantize → unrotate. It never holds an un-noised value.

import { addSkellamNoise } from '../privacy/skellam-noise.js';
import { roundedL1Bound, roundedL2Bound } from '../privacy/skellam-rdp.js';
import { rotate, type RotationSigns } from './rotation.js';

/** β of conditional rounding: the reference code's exp(−0.5); a draw is kept with probability ≥ 1 − β. */
export const ROUNDING_BETA = Math.exp(-0.5);
/** Failure probability per round of each tail bound used to pick the scale (signal, noise). */
const LOG_FAILURE = 40 * Math.LN2;
/** Δ2 ≤ 2^24 quantized units: resolution C/2^24 is ample, and shares stay far inside exact doubles. */
const MAX_SCALED_CLIP = 2 ** 24;

export interface DistributedPlanInput {
  clipNorm: number;
  /** Clients whose shares may be in the sum (those that advertised keys). */
  clients: number;
  /** Words that are rotated and noised (the model's parameters). */
  length: number;
  noiseMultiplier: number;
  /** Expected fraction of clients lost after the shares are fixed: their noise is over-provisioned. */
  dropoutRate: number;
}

export interface DistributedPlan {
  scale: number;
  /** Δ2: the conditional-rounding bound on one client's quantized vector (integer units). */
  normBound: number;
  /** Δ1 of one client's quantized vector. */
  l1Bound: number;
  /** μ_i: the Skellam variance each client adds per coordinate (integer units). */
  noisePerClient: number;
}

/**
 * μ = (z·Δ2)² is the target variance in the sum (the Skellam analogue of z·sensitivity); each of the
 * n clients adds μ/(n(1 − dropout)) so that n(1 − dropout) survivors still give μ. The scale is the
 * largest power of two for which the round's sum stays inside int32 except with probability 2^−40
 * per bound: rotated signal s·nC·√(2L/w) (Hoeffding over the random signs), rounding n, and the
 * Skellam tail L/3 + √(L²/9 + 2VL) (Bernstein), L = log(2d·2^40), V = μ/(1 − dropout).
 */
export function planDistributed(o: DistributedPlanInput): DistributedPlan {
  const { clipNorm: c, clients: n, length: d, noiseMultiplier: z, dropoutRate: p } = o;
  if (!(c > 0 && Number.isFinite(c))) throw new RangeError(`planDistributed: clipNorm must be a positive number, got ${c}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`planDistributed: clients must be a positive integer, got ${n}`);
  if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`planDistributed: length must be a positive integer, got ${d}`);
  if (!(z >= 0 && Number.isFinite(z))) throw new RangeError(`planDistributed: noiseMultiplier must be a finite number ≥ 0, got ${z}`);
  if (!(p >= 0 && p < 1)) throw new RangeError(`planDistributed: dropoutRate must be in [0, 1), got ${p}`);
  const w = 2 ** Math.floor(Math.log2(d));
  const logTail = Math.log(2 * d) + LOG_FAILURE;
  const at = (s: number): DistributedPlan => {
    const normBound = roundedL2Bound(s * c, d, ROUNDING_BETA);
    return { scale: s, normBound, l1Bound: roundedL1Bound(normBound, d), noisePerClient: (z * normBound) ** 2 / (n * (1 - p)) };
  };
  const fits = (s: number): boolean => {
    const plan = at(s);
    const v = n * plan.noisePerClient;
    const noise = logTail / 3 + Math.sqrt((logTail * logTail) / 9 + 2 * v * logTail);
    return s * c <= MAX_SCALED_CLIP && s * n * c * Math.sqrt((2 * logTail) / w) + n + noise < 2 ** 31;
  };
  if (!fits(1)) throw new RangeError(`planDistributed: ${n} clients at clip norm ${c} with noise multiplier ${z} can wrap the 32-bit sum even at scale 1`);
  let s = 1;
  while (fits(2 * s)) s *= 2;
  return at(s);
}

/**
 * The client's distributed-DP input: rotates `delta` (a copy), rounds it at `scale` with conditional
 * randomized rounding into out[0, d), then adds its Sk(noise) share from the CSPRNG. `uniform` drives
 * the rounding only (its bias-free coin needs no secrecy beyond the noise that follows).
 */
export function encodeDistributed(
  delta: Float32Array,
  signs: RotationSigns,
  p: { scale: number; normBound: number; noise: number },
  out: Uint32Array,
  uniform: () => number,
  maxTries = 1000,
): void {
  const d = delta.length;
  if (out.length < d) throw new RangeError(`encodeDistributed: out has ${out.length} words for ${d} values`);
  const y = rotate(Float64Array.from(delta), signs);
  for (let i = 0; i < d; i++) {
    y[i] *= p.scale;
    if (!(Math.abs(y[i]) < 2 ** 31 - 1)) throw new RangeError(`encodeDistributed: coordinate ${i} does not fit int32 at scale ${p.scale}`);
  }
  const bound2 = p.normBound * p.normBound;
  for (let attempt = 0; attempt < maxTries; attempt++) {
    let sq = 0;
    for (let i = 0; i < d; i++) {
      const f = Math.floor(y[i]);
      const v = f + (uniform() < y[i] - f ? 1 : 0);
      out[i] = v >>> 0;
      sq += v * v;
    }
    if (sq <= bound2) {
      addSkellamNoise(out, p.noise, d);
      return;
    }
  }
  throw new RangeError(`encodeDistributed: no rounding within the norm bound ${p.normBound} after ${maxTries} tries (was the update clipped?)`);
}
