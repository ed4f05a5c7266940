// Local DP on the device: the noise the middleware adds, and the ε the ledger reports for it.
// Privacy numbers are compared with formulas written out here, never with the code under test.

import { describe, expect, it } from 'vitest';
import { defaultRoundConfig } from '../coordinator/config.js';
import { DEFAULT_ORDERS } from '../shared/privacy/rdp.js';
import { localEpsilon } from './local-privacy.js';
import { clipUpdate } from './middleware/clip.js';
import { localGaussianNoise } from './middleware/local-noise.js';
import { runMiddleware, type OutgoingUpdate, type UpdateContext } from './middleware/types.js';
import type { LedgerEntry } from './store.js';

function ctx(clipNorm: number): UpdateContext {
  return { config: { ...defaultRoundConfig, clipNorm }, maxPayloadBytes: Infinity };
}

function zeroUpdate(n: number): OutgoingUpdate {
  return { round: 1, modelVersion: 0, delta: new Float32Array(n), norm: 0, clipped: false, localNoiseStddev: 0 };
}

function entry(localNoiseStddev: number, clipNorm: number, round = 1): LedgerEntry {
  return { at: '2025-01-01T00:00:00.000Z', round, modelVersion: round - 1, bytes: 4 * 540, norm: 1, clipped: false, localNoiseStddev, clipNorm };
}

// ---- independent reference formulas ----------------------------------------------------------

/** RDP of T Gaussian mechanisms with L2 sensitivity Δ = 2C and noise stddev σ (Mironov 2017, Prop. 7,
 *  composed by Prop. 1): T·α·Δ²/(2σ²). Heterogeneous entries just add. */
function gaussianRdp(alpha: number, entries: readonly { sigma: number; clip: number }[]): number {
  let r = 0;
  for (const e of entries) r += (alpha * (2 * e.clip) ** 2) / (2 * e.sigma ** 2);
  return r;
}

/** Mironov 2017, Prop. 3: ε = min_α RDP(α) + log(1/δ)/(α−1). */
function classicEpsilon(rdp: (a: number) => number, delta: number, orders: readonly number[]): number {
  let best = Infinity;
  for (const a of orders) best = Math.min(best, rdp(a) + Math.log(1 / delta) / (a - 1));
  return best;
}

/** Balle et al. 2020, Thm. 21: ε = min_α RDP(α) + log1p(−1/α) − (log δ + log α)/(α−1). */
function balleEpsilon(rdp: (a: number) => number, delta: number, orders: readonly number[]): { epsilon: number; order: number } {
  let best = Infinity;
  let order = orders[0];
  for (const a of orders) {
    const e = rdp(a) + Math.log1p(-1 / a) - (Math.log(delta) + Math.log(a)) / (a - 1);
    if (e < best) {
      best = e;
      order = a;
    }
  }
  return { epsilon: Math.max(0, best), order };
}

/** erfc with fractional error < 1.2e-7 everywhere (Numerical Recipes, 2nd ed., §6.2, erfcc). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const ans =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? ans : 2 - ans;
}
const Phi = (x: number) => 0.5 * erfc(-x / Math.SQRT2);

/** The exact ε of T composed Gaussian mechanisms: μ-GDP with μ = √T·Δ/σ (Dong, Roth & Su 2019,
 *  Cor. 3.3), whose privacy profile is δ(ε) = Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2) (Balle & Wang 2018,
 *  Thm. 8). No (ε, δ) bound can be below it, so any sound accountant reports at least this. */
function exactGaussianEpsilon(mu: number, delta: number): number {
  const deltaOf = (eps: number) => Phi(-eps / mu + mu / 2) - Math.exp(eps) * Phi(-eps / mu - mu / 2);
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (deltaOf(mid) > delta) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---- the noise ----------------------------------------------------------------------------------

describe('localGaussianNoise', () => {
  it('adds N(0, (z·C)²) noise to every coordinate: empirical stddev z·C, mean 0', () => {
    const z = 1.3;
    const C = 0.5; // C ≠ 1, so noise of stddev z (forgetting C) or C alone would fail
    const n = 200_000;
    const out = localGaussianNoise(z)(zeroUpdate(n), ctx(C));
    const sigma = z * C;
    let sum = 0;
    let sq = 0;
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      const v = out.delta[i];
      sum += v;
      sq += v * v;
      if (v === 0) zeros++;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sq / n - mean * mean);
    // Standard errors for n i.i.d. normals: mean σ/√n, sample stddev ≈ σ/√(2n). Allow 5 of them.
    expect(Math.abs(mean)).toBeLessThan((5 * sigma) / Math.sqrt(n));
    expect(Math.abs(sd - sigma)).toBeLessThan((5 * sigma) / Math.sqrt(2 * n));
    expect(zeros).toBeLessThan(5); // every coordinate got its own noise
    // What it reports: the stddev it used, and the norm of what will be sent.
    expect(out.localNoiseStddev).toBe(sigma);
    expect(out.norm).toBeCloseTo(Math.sqrt(sq), 6);
  });

  it('the noise is fresh each call (a CSPRNG, not a fixed seed)', () => {
    const a = localGaussianNoise(1)(zeroUpdate(64), ctx(1)).delta;
    const b = localGaussianNoise(1)(zeroUpdate(64), ctx(1)).delta;
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('runs after clipping in the default order: the clipped signal plus noise of stddev z·C', () => {
    const C = 2;
    const z = 0.01;
    const u = zeroUpdate(10_000);
    u.delta[0] = 100; // norm 100 ≫ C: clipped to exactly C before the noise
    const out = runMiddleware([clipUpdate, localGaussianNoise(z)], u, ctx(C));
    expect(out.clipped).toBe(true);
    expect(out.localNoiseStddev).toBeCloseTo(z * C, 15);
    expect(Math.abs(out.delta[0] - C)).toBeLessThan(6 * z * C);
  });

  it('refuses a noise multiplier ≤ 0 (or not finite), naming the parameter', () => {
    for (const bad of [0, -1, Number.NaN, Infinity]) {
      expect(() => localGaussianNoise(bad)).toThrow(/noiseMultiplier/);
    }
  });
});

// ---- the ledger's ε ---------------------------------------------------------------------------

describe('localEpsilon', () => {
  const delta = 1e-5;

  it('T noised updates: ε of the Gaussian mechanism with sensitivity 2C composed T times', () => {
    const T = 10;
    const C = 0.5;
    const sigma = 2; // noise multiplier against the sensitivity 2C: σ/(2C) = 2
    const ledger = Array.from({ length: T }, (_, t) => entry(sigma, C, t + 1));
    const ours = localEpsilon(ledger, delta);
    const rdp = (a: number) => gaussianRdp(a, ledger.map(() => ({ sigma, clip: C })));
    expect(rdp(2)).toBeCloseTo((T * 2 * 1) / (2 * 4), 12); // closed form: T·α·(2C)²/(2σ²), α = 2

    const classic = classicEpsilon(rdp, delta, DEFAULT_ORDERS);
    const balle = balleEpsilon(rdp, delta, DEFAULT_ORDERS);
    // Exactly the Balle et al. 2020 conversion over the same orders.
    expect(ours).toBeCloseTo(balle.epsilon, 10);
    // Never worse than the classic conversion, and better by at most its gap at the chosen order,
    // −log1p(−1/α) + log α/(α−1) (so ours ≥ classic − that gap).
    const a = balle.order;
    const gap = -Math.log1p(-1 / a) + Math.log(a) / (a - 1);
    expect(ours).toBeLessThanOrEqual(classic);
    expect(ours).toBeGreaterThanOrEqual(classic - gap - 1e-12);
    expect(classic - ours).toBeGreaterThan(0.05); // the tighter conversion really is in use
    // Sound: not below the exact ε of T composed Gaussians (μ-GDP, μ = √T·2C/σ), and not loose.
    const exact = exactGaussianEpsilon((Math.sqrt(T) * 2 * C) / sigma, delta);
    expect(ours).toBeGreaterThanOrEqual(exact);
    expect(ours).toBeLessThan(1.5 * exact);
  });

  it('uses each entry\'s own clip norm and stddev (heterogeneous rounds add up)', () => {
    const ledger = [entry(1, 0.25, 1), entry(3, 1, 2), entry(0.8, 0.1, 3), entry(5, 2, 4)];
    const rdp = (a: number) => gaussianRdp(a, ledger.map((e) => ({ sigma: e.localNoiseStddev, clip: e.clipNorm })));
    const ours = localEpsilon(ledger, delta);
    expect(ours).toBeCloseTo(balleEpsilon(rdp, delta, DEFAULT_ORDERS).epsilon, 10);
    // Per-entry μ_i = 2C_i/σ_i compose to μ = √Σμ_i² (Dong, Roth & Su 2019, Cor. 3.3).
    const mu = Math.sqrt(ledger.reduce((s, e) => s + ((2 * e.clipNorm) / e.localNoiseStddev) ** 2, 0));
    expect(ours).toBeGreaterThanOrEqual(exactGaussianEpsilon(mu, delta));
  });

  it('depends on δ as the formula does', () => {
    const ledger = [entry(4, 1), entry(4, 1)];
    const rdp = (a: number) => gaussianRdp(a, [{ sigma: 4, clip: 1 }, { sigma: 4, clip: 1 }]);
    for (const d of [1e-3, 1e-5, 1e-9]) expect(localEpsilon(ledger, d)).toBeCloseTo(balleEpsilon(rdp, d, DEFAULT_ORDERS).epsilon, 10);
    expect(localEpsilon(ledger, 1e-9)).toBeGreaterThan(localEpsilon(ledger, 1e-3));
  });

  it('is Infinity when any update left without local noise', () => {
    expect(localEpsilon([entry(2, 1, 1), entry(0, 1, 2), entry(2, 1, 3)], delta)).toBe(Infinity);
    expect(localEpsilon([entry(0, 1)], delta)).toBe(Infinity);
  });

  it('is 0 for an empty ledger (nothing left the device)', () => {
    expect(localEpsilon([], delta)).toBe(0);
  });
});

describe('clipping on the update support', () => {
  it('gives the same norm and clipped vector as a dense pass, and local noise drops the support', async () => {
    const { clipUpdate } = await import('./middleware/clip.js');
    const { l2Norm } = await import('./middleware/types.js');
    const items = 50, dim = 4;
    const delta = new Float32Array(items * dim + items);
    const rows = Int32Array.from([3, 17, 40]);
    for (const r of rows) {
      for (let k = 0; k < dim; k++) delta[r * dim + k] = (r + k) / 7;
      delta[items * dim + r] = -r / 5;
    }
    const dense = Float32Array.from(delta);
    const norm = l2Norm(dense);
    const ctx = { config: { localEpochs: 1, lr: 0.1, l2: 0, negatives: 4, batchSize: 1, clipNorm: norm / 2, evalFitEpochs: 0 }, maxPayloadBytes: 1e9 };
    const out = clipUpdate({ round: 1, modelVersion: 0, delta, norm: 0, clipped: false, localNoiseStddev: 0, support: { rows, dim, items } }, ctx);
    expect(out.clipped).toBe(true);
    expect(l2Norm(out.delta)).toBeCloseTo(norm / 2, 5);
    for (let i = 0; i < dense.length; i++) expect(out.delta[i]).toBeCloseTo(dense[i] * 0.5, 6);
    const noisy = localGaussianNoise(1)(out, ctx);
    expect(noisy.support).toBeUndefined();
  });
});
