// Rényi-DP of the (distributed) Skellam mechanism with Poisson subsampling.
//
// Everything is in the quantized (integer) domain: l2 and l1 are the L2 and L1 sensitivities of one
// client's rounded vector, mu the variance of the Skellam noise in the sum (Σ of the survivors'
// shares: the sum of independent Skellams is Skellam, so this is exact for the noise present).
//
// One step (Agarwal, Kairouz & Liu 2021, NeurIPS, §3: the RDP theorem for the multidimensional
// Skellam mechanism, stated here in the integer domain; = `_skellam_rdp` of google-research/federated):
//   ε(α) = α·Δ2²/(2μ) + min( ((2α−1)·Δ2² + 6·Δ1) / (4μ²),  3·Δ1/(2μ) ).
// Poisson subsampling at rate q: Zhu & Wang 2019, "Poisson Subsampled Rényi Differential Privacy"
// (ICML 2019, PMLR 97), the general upper bound for integer α (Theorem 5 of the proceedings version,
// as cited by the reference accounting code) — valid for any mechanism, so
// for the Skellam one, as the paper's own accounting does —
//   ε_q(α) ≤ 1/(α−1) · log( (1−q)^{α−1}(αq − q + 1) + C(α,2) q² (1−q)^{α−2} e^{ε(2)}
//                            + 3 Σ_{ℓ=3}^{α} C(α,ℓ) (1−q)^{α−ℓ} q^ℓ e^{(ℓ−1)ε(ℓ)} ),
// then the minimum with the unamplified ε(α). Fractional orders take the value at ⌈α⌉: Rényi
// divergence does not decrease with the order (van Erven & Harremoës 2014, Thm. 3), so it is an
// upper bound, and the curve lines up with the Gaussian accountant's orders for composition.
//
// Conditional randomized rounding (Kairouz, Liu & Steinke 2021, "The Distributed Discrete Gaussian
// Mechanism", Theorem 1 / Prop. 22, used unchanged by the Skellam paper): re-rounding until the
// rounded vector x̃ of a vector with ‖x‖ ≤ c (already scaled) satisfies
//   ‖x̃‖² ≤ c² + d/4 + √(2 log(1/β)) · (c + √d/2)
// bounds Δ2 by the square root of that (never above the plain c + √d); in integers Δ1 ≤ Δ2·min(√d, Δ2).

import { logAdd } from './log-math.js';

/** `steps` rounds of the Poisson-subsampled Skellam mechanism (all magnitudes in quantized units). */
export interface SkellamEvent {
  q: number;
  /** L2 and L1 sensitivity of one client's rounded vector. */
  l2: number;
  l1: number;
  /** Variance of the Skellam noise in the released sum. */
  mu: number;
  steps: number;
}

export function checkSkellamEvent(e: SkellamEvent): void {
  if (!(e.q >= 0 && e.q <= 1)) throw new RangeError(`q (sampling rate) must be in [0, 1], got ${e.q}`);
  if (!(e.l2 > 0 && Number.isFinite(e.l2))) throw new RangeError(`l2 sensitivity must be a finite number > 0, got ${e.l2}`);
  if (!(e.l1 > 0 && Number.isFinite(e.l1))) throw new RangeError(`l1 sensitivity must be a finite number > 0, got ${e.l1}`);
  if (!(e.mu >= 0 && Number.isFinite(e.mu))) throw new RangeError(`mu (Skellam variance) must be a finite number ≥ 0, got ${e.mu}`);
  if (!(Number.isInteger(e.steps) && e.steps >= 0)) throw new RangeError(`steps must be an integer ≥ 0, got ${e.steps}`);
}

/** The Skellam RDP bound of Agarwal et al. 2021 (§3) at order α (> 1) without subsampling. */
export function skellamRdp(alpha: number, l2: number, l1: number, mu: number): number {
  if (mu === 0) return Infinity;
  const first = (alpha * l2 * l2) / (2 * mu);
  return first + Math.min(((2 * alpha - 1) * l2 * l2 + 6 * l1) / (4 * mu * mu), (3 * l1) / (2 * mu));
}

/** log C(n, k) by lgamma-free summation (n ≤ a few thousand here). */
function logBinomials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let k = 1; k <= n; k++) out[k] = out[k - 1] + Math.log((n - k + 1) / k);
  return out;
}

/** Zhu & Wang 2019, the general upper bound (Theorem 5, PMLR version) at integer α ≥ 2 for rate 0 < q < 1. */
export function poissonSubsampledRdp(alpha: number, q: number, eps: (order: number) => number): number {
  if (!(Number.isInteger(alpha) && alpha >= 2)) throw new RangeError(`the Zhu–Wang bound needs an integer order ≥ 2, got ${alpha}`);
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const lb = logBinomials(alpha);
  // (1−q)^{α−1}(αq − q + 1) + C(α,2) q²(1−q)^{α−2} e^{ε(2)}
  let acc = (alpha - 1) * log1mQ + Math.log(alpha * q - q + 1);
  acc = logAdd(acc, lb[2] + 2 * logQ + (alpha - 2) * log1mQ + eps(2));
  for (let l = 3; l <= alpha; l++) acc = logAdd(acc, Math.log(3) + lb[l] + l * logQ + (alpha - l) * log1mQ + (l - 1) * eps(l));
  return acc / (alpha - 1);
}

/** RDP of one subsampled Skellam step at order α (fractional α: the value at ⌈α⌉). */
function stepRdp(e: SkellamEvent, alpha: number): number {
  if (e.q === 0) return 0;
  if (e.mu === 0 || alpha === Infinity) return Infinity;
  const a = Math.max(2, Math.ceil(alpha));
  const eps = (order: number) => skellamRdp(order, e.l2, e.l1, e.mu);
  const plain = eps(a);
  if (e.q === 1) return plain;
  return Math.min(plain, poissonSubsampledRdp(a, e.q, eps));
}

/** RDP curve of an event (per-step RDP × steps) at the given orders. */
export function computeSkellamRdp(e: SkellamEvent, orders: readonly number[]): number[] {
  checkSkellamEvent(e);
  return orders.map((a) => (e.steps === 0 ? 0 : e.steps * stepRdp(e, a)));
}

/** Δ2 after conditional randomized rounding of a vector of norm ≤ c (scaled units) in d dimensions. */
export function roundedL2Bound(c: number, d: number, beta: number): number {
  if (!(c > 0 && Number.isInteger(d) && d > 0)) throw new RangeError(`roundedL2Bound: need c > 0 and an integer d > 0, got c=${c}, d=${d}`);
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`roundedL2Bound: beta must be in [0, 1), got ${beta}`);
  const plain = c + Math.sqrt(d);
  if (beta === 0) return plain;
  const sq = c * c + d / 4 + Math.sqrt(2 * Math.log(1 / beta)) * (c + Math.sqrt(d) / 2);
  return Math.min(plain, Math.sqrt(sq));
}

/** Δ1 of an integer vector with ‖x‖₂ ≤ l2 in d dimensions: ≤ √d·l2 and, for integers, ≤ l2². */
export function roundedL1Bound(l2: number, d: number): number {
  return l2 * Math.min(Math.sqrt(d), l2);
}
