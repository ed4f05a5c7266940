import { describe, expect, it } from 'vitest';
import { erfc, logAdd, logErfc, logSub } from './log-math.js';

describe('logAdd / logSub', () => {
  it('add and subtract in log space, treating -Infinity as log(0)', () => {
    expect(logAdd(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 15);
    expect(logAdd(-Infinity, 1.5)).toBe(1.5);
    expect(logAdd(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12); // no overflow
    expect(logSub(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 15);
    expect(logSub(7, -Infinity)).toBe(7);
    expect(logSub(7, 7)).toBe(-Infinity);
    expect(logSub(1e-20, 0)).toBeCloseTo(Math.log(1e-20), 10); // log(e^ε − 1) ≈ log ε
    expect(() => logSub(0, 1)).toThrow(/negative/);
  });
});

describe('logErfc', () => {
  // Abramowitz & Stegun, Handbook of Mathematical Functions, Table 7.1 (erf to 15 places).
  it.each([
    [0.5, 0.479500122186953],
    [1, 0.157299207050285],
    [2, 0.004677734981047],
    [3, 0.000022090496999],
  ])('erfc(%d) = %d', (x, expected) => {
    expect(erfc(x)).toBeCloseTo(expected, 14);
  });

  it('uses erfc(−x) = 2 − erfc(x)', () => {
    expect(erfc(-1)).toBeCloseTo(2 - 0.157299207050285, 14);
    expect(logErfc(-40)).toBe(Math.LN2);
  });

  it('stays accurate where erfc underflows (A&S 7.1.13 bounds)', () => {
    // e^{-x²}/(x√π)·(1 − 1/(2x²)) < erfc(x) < e^{-x²}/(x√π)
    for (const x of [5, 27, 30, 100]) {
      const upper = -x * x - Math.log(x) - 0.5 * Math.log(Math.PI);
      const lower = upper + Math.log1p(-1 / (2 * x * x));
      const v = logErfc(x);
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeLessThan(upper);
      expect(v).toBeGreaterThan(lower);
    }
    expect(logErfc(1e4)).toBeCloseTo(-1e8 - Math.log(1e4) - 0.5 * Math.log(Math.PI), 5);
  });
});
