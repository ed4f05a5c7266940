// RDP → (ε, δ) conversions against published values.
//   TFP  tensorflow/privacy  tensorflow_privacy/privacy/analysis/rdp_accountant_test.py
//   TFN  tensorflow/privacy  tensorflow_privacy/privacy/analysis/compute_noise_from_budget_test.py
//   DPA  google/differential-privacy  python/dp_accounting/dp_accounting/rdp/rdp_privacy_accountant_test.py
import { describe, expect, it } from 'vitest';
import { erfc } from './log-math.js';
import { computeRdp, DEFAULT_ORDERS } from './rdp.js';
import { rdpToDelta, rdpToEpsilon } from './rdp-conversion.js';

const ORDERS_2_32 = Array.from({ length: 31 }, (_, i) => i + 2);
const PURE = ORDERS_2_32.map(() => 1.1); // constant RDP = pure 1.1-DP

describe('rdpToEpsilon / rdpToDelta', () => {
  it('constant RDP 1.1 on orders 2..32, δ=1e-5 → ε=1.32783806176 at order 32 (TFP & DPA pure-DP tests)', () => {
    const r = rdpToEpsilon(ORDERS_2_32, PURE, 1e-5);
    expect(r.epsilon).toBeCloseTo(1.32783806176, 10);
    expect(r.order).toBe(32);
    const d = rdpToDelta(ORDERS_2_32, PURE, 1.32783806176);
    expect(d.delta).toBeCloseTo(1e-5, 12);
    expect(d.order).toBe(32);
  });

  it('classic vs Balle: the gap is exactly log α/(α−1) − log1p(−1/α) at the shared optimal order', () => {
    const classic = rdpToEpsilon(ORDERS_2_32, PURE, 1e-5, { conversion: 'classic' });
    expect(classic.order).toBe(32);
    expect(classic.epsilon).toBeCloseTo(1.1 + Math.log(1e5) / 31, 12); // Mironov 2017, Prop. 3
    expect(classic.epsilon - rdpToEpsilon(ORDERS_2_32, PURE, 1e-5).epsilon).toBeCloseTo(
      Math.log(32) / 31 - Math.log1p(-1 / 32),
      12,
    );
    expect(rdpToDelta(ORDERS_2_32, PURE, classic.epsilon, { conversion: 'classic' }).delta).toBeCloseTo(1e-5, 12);
  });

  // TFN's target ε values map back to the noise multipliers exactly under the classic conversion
  // (TFP used it when these were recorded); the Balle values for the same runs are TFP's
  // compute_dp_sgd_privacy_test numbers (0.7242…, 1.4155…, 5907982.31…).
  it.each([
    [0.0025, 1.3, 6000, 1e-5, 0.941870567, 0.7242234026109595],
    [0.001, 1.0, 30000, 1e-7, 1.70928734, 1.4154988495444842],
    [1024 / 1e8, 0.1, 976563, 1e-7, 5907984.81339406, 5907982.3113978775],
  ])('q=%d z=%d T=%d δ=%d: classic ε=%d (TFN), balle2020 ε=%d', (q, z, steps, delta, classicEps, balleEps) => {
    const rdp = computeRdp(q, z, steps, DEFAULT_ORDERS);
    expect(Math.abs(rdpToEpsilon(DEFAULT_ORDERS, rdp, delta, { conversion: 'classic' }).epsilon - classicEps)).toBeLessThan(
      1e-8 * classicEps,
    );
    expect(Math.abs(rdpToEpsilon(DEFAULT_ORDERS, rdp, delta).epsilon - balleEps)).toBeLessThan(1e-9 * balleEps);
  });

  it('Gaussian with z=4.530877117 is (1, 1e-6)-DP on a fine order grid (TFP & DPA)', () => {
    const orders = Array.from({ length: 98999 }, (_, i) => 0.001 * (i + 1001));
    const rdp = computeRdp(1, 4.530877117, 1, orders);
    expect(rdpToEpsilon(orders, rdp, 1e-6).epsilon).toBeCloseTo(1, 7);
    expect(rdpToDelta(orders, rdp, 1).delta).toBeCloseTo(1e-6, 7);
  });

  it('Gaussian δ(ε) lies between the exact curve and exp(−(ε−½)²/2) (TFP test_get_privacy_spent_gaussian)', () => {
    const orders = Array.from({ length: 494 }, (_, x) => 0.1 * (x + 11));
    const rdp = computeRdp(1, 1, 1, orders);
    for (let k = 0; k < 500; k++) {
      const eps = 0.1 * k;
      const { delta } = rdpToDelta(orders, rdp, eps);
      // Optimal δ for the Gaussian mechanism: Balle & Wang 2018 (arXiv:1805.06530), Thm 8.
      const exact = 0.5 * erfc((eps - 0.5) / Math.SQRT2) - 0.5 * Math.exp(eps) * erfc((eps + 0.5) / Math.SQRT2);
      expect(exact).toBeLessThanOrEqual(delta + 1e-300);
      if (eps >= 0.5) expect(delta).toBeLessThanOrEqual(Math.exp(-0.5 * (eps - 0.5) ** 2) + 1e-300);
    }
  });

  it('ε(δ) and δ(ε) are inverse (DPA test_epsilon_delta_consistency)', () => {
    const orders = Array.from({ length: 48 }, (_, i) => i + 2);
    for (const conversion of ['balle2020', 'classic'] as const) {
      for (const q of [0.01, 0.1, 0.8, 1]) {
        for (const z of [0.1, 1, 10, 100]) {
          const rdp = computeRdp(q, z, 1, orders);
          for (const delta of [0.99, 0.9, 0.1, 0.01, 1e-3, 1e-5, 1e-9, 1e-12]) {
            const { epsilon } = rdpToEpsilon(orders, rdp, delta, { conversion });
            const back = rdpToDelta(orders, rdp, epsilon, { conversion }).delta;
            if (epsilon === 0) expect(back).toBeLessThanOrEqual(delta * (1 + 1e-9));
            else expect(back).toBeCloseTo(delta, 7);
          }
        }
      }
    }
  });

  it('zero RDP costs nothing; infinite RDP is unbounded ε', () => {
    expect(rdpToEpsilon([2, 3], [0, 0], 1e-10).epsilon).toBe(0);
    expect(rdpToEpsilon([2, 3], [Infinity, Infinity], 0.1).epsilon).toBe(Infinity);
    expect(rdpToDelta([2, 3], [Infinity, Infinity], 1).delta).toBe(1);
  });

  it('rejects malformed input', () => {
    expect(() => rdpToEpsilon([2], [1], 0)).toThrow(/delta/);
    expect(() => rdpToEpsilon([2], [1], Number.NaN)).toThrow(/delta/);
    expect(() => rdpToEpsilon([2, 3], [1], 1e-5)).toThrow(/same length/);
    expect(() => rdpToDelta([2], [1], -1)).toThrow(/epsilon/);
    expect(() => rdpToEpsilon([2], [1], 1e-5, { conversion: 'nope' as 'classic' })).toThrow(/conversion/);
  });
});
