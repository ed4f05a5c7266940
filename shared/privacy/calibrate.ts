// Noise calibration: the smallest noise multiplier z for which `rounds` Poisson-sampled Gaussian
// rounds at rate q stay within a target (ε, δ). ε(z) is non-increasing in z (the RDP at every order
// is), so doubling/halving brackets the answer and bisection narrows it.

import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from './rdp.js';
import type { ConversionOptions } from './rdp.js';

export interface CalibrationTarget {
  samplingRate: number;
  rounds: number;
  targetEpsilon: number;
  delta: number;
}

export interface CalibrationOptions extends ConversionOptions {
  orders?: readonly number[];
  /** Bisection stops once hi − lo ≤ relTolerance·hi. Default 1e-6 (i.e. z is at most 1e-6 relatively too large). */
  relTolerance?: number;
}

export interface CalibrationResult {
  /** Smallest z found with ε(z) ≤ targetEpsilon (within relTolerance). */
  noiseMultiplier: number;
  /** ε actually achieved by `noiseMultiplier` (≤ targetEpsilon). */
  epsilon: number;
}

const Z_MIN = 1e-6;
const Z_MAX = 1e6;

export function calibrateNoiseMultiplier(target: CalibrationTarget, options: CalibrationOptions = {}): CalibrationResult {
  const { samplingRate: q, rounds, targetEpsilon, delta } = target;
  const orders = options.orders ?? DEFAULT_ORDERS;
  const relTolerance = options.relTolerance ?? 1e-6;
  if (!(q > 0 && q <= 1)) throw new RangeError(`samplingRate must be in (0, 1], got ${q}`);
  if (!(Number.isInteger(rounds) && rounds >= 1)) throw new RangeError(`rounds must be an integer >= 1, got ${rounds}`);
  if (!(targetEpsilon > 0 && targetEpsilon < Infinity)) {
    throw new RangeError(`targetEpsilon must be a finite number > 0, got ${targetEpsilon}`);
  }
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
  if (!(relTolerance > 0 && relTolerance < 1)) throw new RangeError(`relTolerance must be in (0, 1), got ${relTolerance}`);

  const eps = (z: number) => rdpToEpsilon(orders, computeRdp(q, z, rounds, orders), delta, options).epsilon;
  const ok = (z: number) => eps(z) <= targetEpsilon;

  // Bracket: ok(hi) and !ok(lo).
  let lo = 0.5;
  let hi = 1;
  if (ok(hi)) {
    while (ok(lo)) {
      hi = lo;
      lo /= 2;
      if (lo < Z_MIN) throw new RangeError(`targetEpsilon ${targetEpsilon} is met by any noise multiplier >= ${Z_MIN}`);
    }
  } else {
    do {
      lo = hi;
      hi *= 2;
      if (hi > Z_MAX) {
        throw new RangeError(`targetEpsilon ${targetEpsilon} is unreachable (noise multiplier ${Z_MAX} still exceeds it)`);
      }
    } while (!ok(hi));
  }
  while (hi - lo > relTolerance * hi) {
    const mid = 0.5 * (lo + hi);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return { noiseMultiplier: hi, epsilon: eps(hi) };
}
