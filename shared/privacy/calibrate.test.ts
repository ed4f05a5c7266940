// Calibration against published noise multipliers.
//   TFN  tensorflow/privacy  tensorflow_privacy/privacy/analysis/compute_noise_from_budget_test.py
//   OPA  pytorch/opacus  opacus/tests/accountants_test.py (test_get_noise_multiplier_rdp_*)
import { describe, expect, it } from 'vitest';
import { calibrateNoiseMultiplier } from './calibrate.js';
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from './rdp.js';
import type { Conversion } from './rdp.js';

const OPACUS_ORDERS = [...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10), ...Array.from({ length: 52 }, (_, i) => i + 12)];

const epsilonAt = (q: number, z: number, rounds: number, delta: number, conversion: Conversion) =>
  rdpToEpsilon(DEFAULT_ORDERS, computeRdp(q, z, rounds), delta, { conversion }).epsilon;

describe('calibrateNoiseMultiplier', () => {
  it.each([
    [0.02, 100, 1.84, 1e-5, 'balle2020'],
    [0.02, 100, 1.0, 1e-5, 'classic'],
    [0.001, 5000, 0.5, 1e-6, 'balle2020'],
    [0.1, 1000, 8, 1e-5, 'balle2020'],
    [1, 10, 3, 1e-5, 'classic'],
  ] as const)('round trip q=%d T=%d ε=%d δ=%d (%s): z meets ε, z·(1−1e-3) does not', (q, rounds, eps, delta, conversion) => {
    const r = calibrateNoiseMultiplier({ samplingRate: q, rounds, targetEpsilon: eps, delta }, { conversion });
    expect(r.epsilon).toBeLessThanOrEqual(eps);
    expect(epsilonAt(q, r.noiseMultiplier, rounds, delta, conversion)).toBe(r.epsilon);
    expect(epsilonAt(q, r.noiseMultiplier * (1 - 1e-3), rounds, delta, conversion)).toBeGreaterThan(eps);
  });

  // TFN: n, batch, target ε, epochs, δ → z (q = batch/n, T = ceil(epochs·n/batch)); TFN's targets
  // were recorded under the classic conversion (TFP's Balle value for the first run is 0.7242234026109595).
  it.each([
    [60000, 150, 0.941870567, 15, 1e-5, 1.3, 'classic'],
    [100000, 100, 1.70928734, 30, 1e-7, 1.0, 'classic'],
    [60000, 150, 0.7242234026109595, 15, 1e-5, 1.3, 'balle2020'],
  ] as const)('n=%d batch=%d ε=%d epochs=%d δ=%d → z=%d (%s)', (n, batch, eps, epochs, delta, z, conversion) => {
    const r = calibrateNoiseMultiplier(
      { samplingRate: batch / n, rounds: Math.ceil((epochs * n) / batch), targetEpsilon: eps, delta },
      { conversion, relTolerance: 1e-10 },
    );
    expect(r.noiseMultiplier).toBeCloseTo(z, 7);
  });

  // Opacus stops bisecting once ε is within 0.01 below the target, so its z is an upper bound on the
  // smallest z, published to 4 places.
  it.each([
    [2250, 1.416],
    [2000, 1.3562],
  ])('Opacus: ε=8, δ=1e-5, q=0.04, %d steps → z just below %d', (rounds, opacusZ) => {
    const r = calibrateNoiseMultiplier({ samplingRate: 0.04, rounds, targetEpsilon: 8, delta: 1e-5 }, { orders: OPACUS_ORDERS });
    expect(r.noiseMultiplier).toBeLessThanOrEqual(opacusZ + 5e-5);
    expect(r.noiseMultiplier).toBeGreaterThan(opacusZ - 0.005);
  });

  it('throws on unreachable targets and bad parameters, naming them', () => {
    // Classic conversion can never beat log(1/δ)/(α_max − 1) = ln(1e5)/511 ≈ 0.0225.
    expect(() =>
      calibrateNoiseMultiplier({ samplingRate: 0.1, rounds: 10, targetEpsilon: 0.01, delta: 1e-5 }, { conversion: 'classic' }),
    ).toThrow(/unreachable/);
    expect(() => calibrateNoiseMultiplier({ samplingRate: 0, rounds: 10, targetEpsilon: 1, delta: 1e-5 })).toThrow(/samplingRate/);
    expect(() => calibrateNoiseMultiplier({ samplingRate: 0.1, rounds: 0, targetEpsilon: 1, delta: 1e-5 })).toThrow(/rounds/);
    expect(() => calibrateNoiseMultiplier({ samplingRate: 0.1, rounds: 10, targetEpsilon: -1, delta: 1e-5 })).toThrow(/targetEpsilon/);
    expect(() => calibrateNoiseMultiplier({ samplingRate: 0.1, rounds: 10, targetEpsilon: 1, delta: 2 })).toThrow(/delta/);
  });
});
