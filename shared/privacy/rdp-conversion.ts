// RDP → (ε, δ)-DP conversions, minimised over the orders the RDP curve was evaluated at.
//
// 'classic':   Mironov 2017, "Rényi Differential Privacy", Prop. 3:
//              ε = D_α − log δ / (α − 1).
// 'balle2020': Balle et al. 2020, "Hypothesis testing interpretations and Rényi DP", Thm. 21
//              (= Canonne, Kamath & Steinke 2020, Prop. 12; what dp_accounting and Opacus use):
//              ε = D_α + log1p(−1/α) − (log δ + log α) / (α − 1).
//              It is never worse than 'classic': the difference log1p(−1/α) − log α/(α−1) is < 0.
//              As in dp_accounting we also use the KL bound δ ≤ √(1 − e^(−D_α)) (Bretagnolle–Huber,
//              valid because D_α ≥ D_KL), which gives ε = 0 when the RDP is tiny.

export type Conversion = 'balle2020' | 'classic';

export interface ConversionOptions {
  /** Defaults to 'balle2020'. */
  conversion?: Conversion;
}

export interface EpsilonResult {
  epsilon: number;
  /** The RDP order α at which the minimum was attained. */
  order: number;
}

export interface DeltaResult {
  delta: number;
  order: number;
}

function checkCurve(orders: readonly number[], rdp: ArrayLike<number>): void {
  if (orders.length === 0) throw new RangeError('orders must not be empty');
  if (orders.length !== rdp.length) {
    throw new RangeError(`orders and rdp must have the same length (${orders.length} vs ${rdp.length})`);
  }
  for (const a of orders) {
    if (!(a > 1)) throw new RangeError(`RDP orders must be > 1, got ${a}`);
  }
}

function checkConversion(c: string): Conversion {
  if (c !== 'balle2020' && c !== 'classic') {
    throw new RangeError(`conversion must be 'balle2020' or 'classic', got '${c}'`);
  }
  return c;
}

/** ε at one order for target δ (may be negative before clamping; NaN-free). */
function epsilonAtOrder(alpha: number, r: number, logDelta: number, conversion: Conversion): number {
  if (alpha === Infinity) return r; // D_∞ ≤ r is pure r-DP
  if (r === Infinity) return Infinity;
  if (conversion === 'classic') return r - logDelta / (alpha - 1);
  // KL shortcut: (0, δ)-DP as soon as δ ≥ √(1 − e^(−D_α)), i.e. δ² + expm1(−D_α) ≥ 0.
  if (Math.exp(2 * logDelta) + Math.expm1(-r) >= 0) return 0;
  return r + Math.log1p(-1 / alpha) - (logDelta + Math.log(alpha)) / (alpha - 1);
}

/** Smallest ε (over orders) such that the RDP curve implies (ε, δ)-DP. */
export function rdpToEpsilon(
  orders: readonly number[],
  rdp: ArrayLike<number>,
  delta: number,
  options: ConversionOptions = {},
): EpsilonResult {
  checkCurve(orders, rdp);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  const conversion = checkConversion(options.conversion ?? 'balle2020');
  const logDelta = Math.log(delta);
  let best = Infinity;
  let bestOrder = orders[0];
  for (let k = 0; k < orders.length; k++) {
    const r = rdp[k];
    if (!(r >= 0)) throw new RangeError(`rdp values must be >= 0, got ${r} at order ${orders[k]}`);
    const eps = epsilonAtOrder(orders[k], r, logDelta, conversion);
    if (eps < best) {
      best = eps;
      bestOrder = orders[k];
    }
  }
  return { epsilon: Math.max(0, best), order: bestOrder };
}

/** Smallest δ (over orders) such that the RDP curve implies (ε, δ)-DP: the inverse of rdpToEpsilon. */
export function rdpToDelta(
  orders: readonly number[],
  rdp: ArrayLike<number>,
  epsilon: number,
  options: ConversionOptions = {},
): DeltaResult {
  checkCurve(orders, rdp);
  if (!(epsilon >= 0)) throw new RangeError(`epsilon must be >= 0, got ${epsilon}`);
  const conversion = checkConversion(options.conversion ?? 'balle2020');
  let best = Infinity; // log δ
  let bestOrder = orders[0];
  for (let k = 0; k < orders.length; k++) {
    const a = orders[k];
    const r = rdp[k];
    if (!(r >= 0)) throw new RangeError(`rdp values must be >= 0, got ${r} at order ${a}`);
    let logDelta: number;
    if (a === Infinity) logDelta = epsilon >= r ? -Infinity : Infinity; // D_∞ ≤ r is pure r-DP
    else if (r === Infinity) logDelta = Infinity;
    else if (conversion === 'classic') logDelta = (a - 1) * (r - epsilon);
    else {
      // Same two bounds as in rdpToEpsilon, solved for δ.
      const kl = r === 0 ? -Infinity : 0.5 * Math.log1p(-Math.exp(-r));
      const balle = (a - 1) * (r - epsilon + Math.log1p(-1 / a)) - Math.log(a);
      logDelta = Math.min(kl, balle);
    }
    if (logDelta < best) {
      best = logDelta;
      bestOrder = a;
    }
  }
  return { delta: Math.min(1, Math.exp(best)), order: bestOrder };
}
