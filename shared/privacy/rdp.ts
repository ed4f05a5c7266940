// Rényi-DP of the Poisson-subsampled Gaussian mechanism (each client joins a round independently
// with probability q; the clipped sum gets N(0, σ²) noise, σ = noise multiplier × clip norm).
// Formulas: Mironov, Talwar & Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian
// Mechanism" (arXiv:1908.10530), Sec. 3.3. RDP at order α is log(A_α)/(α−1) with
//   A_α = E_{z∼N(0,σ²)} [((1−q) + q·e^{(2z−1)/(2σ²)})^α].
// Composition (Mironov 2017, Prop. 1): RDP at a fixed order adds up over mechanisms.

import { logAdd, logErfc, logSub } from './log-math.js';
import { rdpToEpsilon } from './rdp-conversion.js';
import type { ConversionOptions, EpsilonResult } from './rdp-conversion.js';

export { rdpToDelta, rdpToEpsilon } from './rdp-conversion.js';
export type { Conversion, ConversionOptions, DeltaResult, EpsilonResult } from './rdp-conversion.js';

/** TF Privacy's compute_dp_sgd_privacy orders: fine near 1 (large T), up to 512 (tiny ε or q). */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5,
  ...Array.from({ length: 59 }, (_, i) => i + 5), // 5 … 63
  128, 256, 512,
]);

/** `steps` rounds, each sampling clients with probability `q` and adding noise multiplier `sigma`. */
export interface RdpEvent {
  q: number;
  sigma: number;
  steps: number;
}

/** Past this many series terms the fractional-order sum is declared divergent (RDP = ∞, safe). */
const MAX_FRAC_TERMS = 50_000;
/** Stop once new terms are below e^−32 ≈ 1e−14 of the running total. */
const LOG_FRAC_CUTOFF = 32;

/** Integer α, 0 < q < 1: the binomial expansion of A_α (Mironov et al. 2019, Sec. 3.3, case α ∈ ℕ):
 *  A_α = Σ_{i=0}^{α} C(α,i) (1−q)^{α−i} q^i exp((i²−i)/(2σ²)). All terms are positive. */
function logAInt(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const inv2s2 = 1 / (2 * sigma * sigma);
  let logBinom = 0; // log C(α, i), by the recurrence C(α,i) = C(α,i−1)·(α−i+1)/i
  let acc = -Infinity;
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log((alpha - i + 1) / i);
    acc = logAdd(acc, logBinom + i * logQ + (alpha - i) * log1mQ + (i * i - i) * inv2s2);
  }
  return acc;
}

/** Fractional α, 0 < q < 1: split the integral at z0 = σ² log(1/q − 1) + 1/2, where the two mixture
 *  components are equal, and expand the binomial series on each side (Mironov et al. 2019, Sec. 3.3):
 *  A_α = Σ_i C(α,i) (1−q)^{α−i} q^i e^{(i²−i)/(2σ²)} ·½erfc((i−z0)/(√2σ))
 *      + Σ_i C(α,i) (1−q)^{i} q^{α−i} e^{(j²−j)/(2σ²)} ·½erfc((z0−j)/(√2σ)),  j = α − i.
 *  C(α,i) alternates in sign once i > α, so positive and negative parts are summed separately. */
function logAFrac(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const inv2s2 = 1 / (2 * sigma * sigma);
  const z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
  const sqrt2Sigma = Math.SQRT2 * sigma;
  let pos0 = -Infinity, neg0 = -Infinity, pos1 = -Infinity, neg1 = -Infinity;
  let last0 = Infinity, last1 = Infinity;
  let logAbsBinom = 0;
  let positive = true;
  for (let i = 0; i < MAX_FRAC_TERMS; i++) {
    if (i > 0) {
      const f = alpha - i + 1;
      logAbsBinom += Math.log(Math.abs(f) / i);
      if (f < 0) positive = !positive;
    }
    const j = alpha - i;
    const s0 = logAbsBinom + i * logQ + j * log1mQ + (i * i - i) * inv2s2 - Math.LN2 + logErfc((i - z0) / sqrt2Sigma);
    const s1 = logAbsBinom + j * logQ + i * log1mQ + (j * j - j) * inv2s2 - Math.LN2 + logErfc((z0 - j) / sqrt2Sigma);
    if (positive) {
      pos0 = logAdd(pos0, s0);
      pos1 = logAdd(pos1, s1);
    } else {
      neg0 = logAdd(neg0, s0);
      neg1 = logAdd(neg1, s1);
    }
    // Past i > α+1 both series alternate with shrinking terms, so the truncation error is below
    // the last term; stop once that is negligible against the total.
    if (i > alpha + 1 && s0 < last0 && s1 < last1 && Math.max(s0, s1) < logAdd(pos0, pos1) - LOG_FRAC_CUTOFF) {
      return logAdd(logSub(pos0, neg0), logSub(pos1, neg1));
    }
    last0 = s0;
    last1 = s1;
  }
  return Infinity;
}

/** RDP of one step of the sampled Gaussian mechanism at order α (> 1). */
function rdpOneStep(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0 || alpha === Infinity) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma); // plain Gaussian mechanism (Mironov 2017, Prop. 7)
  const logA = Number.isInteger(alpha) ? logAInt(q, sigma, alpha) : logAFrac(q, sigma, alpha);
  // A_α ≥ 1 mathematically; clamp rounding noise so the curve is never negative.
  return Math.max(0, logA / (alpha - 1));
}

function checkEvent(e: RdpEvent): void {
  if (!(e.q >= 0 && e.q <= 1)) throw new RangeError(`q (sampling rate) must be in [0, 1], got ${e.q}`);
  if (!(e.sigma >= 0 && e.sigma < Infinity)) {
    throw new RangeError(`sigma (noise multiplier) must be a finite number >= 0, got ${e.sigma}`);
  }
  if (!(Number.isInteger(e.steps) && e.steps >= 0)) {
    throw new RangeError(`steps must be an integer >= 0, got ${e.steps}`);
  }
}

function checkOrders(orders: readonly number[]): void {
  for (const a of orders) {
    if (typeof a !== 'number' || !(a > 1)) throw new RangeError(`RDP orders must be numbers > 1, got ${a}`);
  }
}

/** RDP curve of `steps` self-composed subsampled-Gaussian steps: per-step RDP × steps. */
export function computeRdp(
  q: number,
  sigma: number,
  steps: number,
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  checkEvent({ q, sigma, steps });
  checkOrders(orders);
  return orders.map((a) => (steps === 0 ? 0 : steps * rdpOneStep(q, sigma, a)));
}

/** RDP curve of heterogeneous steps (different q, σ): the per-event curves summed order by order. */
export function computeHeterogeneousRdp(
  events: readonly RdpEvent[],
  orders: readonly number[] = DEFAULT_ORDERS,
): number[] {
  const total = orders.map(() => 0);
  for (const e of events) {
    const r = computeRdp(e.q, e.sigma, e.steps, orders);
    for (let k = 0; k < total.length; k++) total[k] += r[k];
  }
  return total;
}

/** Plain-JSON form of an accountant, for persistence. */
export interface RdpLedgerJson {
  version: 1;
  orders: number[];
  events: RdpEvent[];
}

/**
 * A ledger of composed events plus its running RDP curve. Consecutive events with the same
 * (q, σ) are merged so a ledger of thousands of identical rounds stays one entry.
 */
export class RdpAccountant {
  readonly orders: readonly number[];
  private readonly ledger: RdpEvent[] = [];
  private readonly total: number[];

  constructor(orders: readonly number[] = DEFAULT_ORDERS) {
    if (orders.length === 0) throw new RangeError('orders must not be empty');
    checkOrders(orders);
    this.orders = Object.freeze([...orders]);
    this.total = this.orders.map(() => 0);
  }

  /** Composed events, oldest first (copies). */
  get events(): RdpEvent[] {
    return this.ledger.map((e) => ({ ...e }));
  }

  /** Current RDP curve, aligned with `orders`. */
  rdp(): number[] {
    return [...this.total];
  }

  compose(event: RdpEvent): this {
    const r = computeRdp(event.q, event.sigma, event.steps, this.orders); // validates
    if (event.steps === 0) return this;
    for (let k = 0; k < r.length; k++) this.total[k] += r[k];
    const last = this.ledger[this.ledger.length - 1];
    if (last && last.q === event.q && last.sigma === event.sigma) last.steps += event.steps;
    else this.ledger.push({ q: event.q, sigma: event.sigma, steps: event.steps });
    return this;
  }

  /** ε spent so far at `delta`, with the optimal order. */
  spent(delta: number, options?: ConversionOptions): EpsilonResult {
    return rdpToEpsilon(this.orders, this.total, delta, options);
  }

  /** ε spent so far at `delta`. */
  epsilon(delta: number, options?: ConversionOptions): number {
    return this.spent(delta, options).epsilon;
  }

  /** ε that would be spent if `event` were composed, without composing it. */
  preview(event: RdpEvent, delta: number, options?: ConversionOptions): number {
    const r = computeRdp(event.q, event.sigma, event.steps, this.orders);
    const curve = this.total.map((t, k) => t + r[k]);
    return rdpToEpsilon(this.orders, curve, delta, options).epsilon;
  }

  toJSON(): RdpLedgerJson {
    return { version: 1, orders: [...this.orders], events: this.events };
  }

  /** Rebuilds an accountant from `toJSON()` output (recomputing the curve, so it cannot be forged). */
  static fromJSON(json: unknown): RdpAccountant {
    const j = json as Partial<RdpLedgerJson> | null;
    if (!j || typeof j !== 'object' || j.version !== 1 || !Array.isArray(j.orders) || !Array.isArray(j.events)) {
      throw new TypeError('not an RDP ledger: expected {version: 1, orders: number[], events: RdpEvent[]}');
    }
    const acc = new RdpAccountant(j.orders);
    for (const e of j.events) {
      if (!e || typeof e.q !== 'number' || typeof e.sigma !== 'number' || typeof e.steps !== 'number') {
        throw new TypeError('RDP ledger event must be {q: number, sigma: number, steps: number}');
      }
      acc.compose({ q: e.q, sigma: e.sigma, steps: e.steps });
    }
    return acc;
  }
}
