// Statistical tests of the Skellam/Poisson sampler. Every tolerance is computed from the sample size
// (a z-score of 6, or a χ² quantile bound), so a wrong variance or a biased sampler fails them.
import { describe, expect, it } from 'vitest';
import { addSkellamNoise, poissonSample, skellamSamples } from './skellam-noise.js';

const Z = 6;

function moments(xs: Float64Array): { mean: number; variance: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0;
  for (const x of xs) v += (x - mean) ** 2;
  return { mean, variance: v / (xs.length - 1) };
}

/** Poisson pmf, in log space. */
function logPmf(k: number, lambda: number): number {
  let lf = 0;
  for (let i = 2; i <= k; i++) lf += Math.log(i);
  return -lambda + k * Math.log(lambda) - lf;
}

describe('Poisson sampler (exact: Knuth below 10, PTRS above)', () => {
  for (const lambda of [0.7, 4, 15, 60, 400]) {
    it(`λ = ${lambda}: the histogram matches the pmf (χ² test)`, () => {
      const n = 60_000;
      const counts = new Map<number, number>();
      let bad = 0;
      for (let i = 0; i < n; i++) {
        const k = poissonSample(lambda);
        if (!(Number.isInteger(k) && k >= 0)) bad++;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      expect(bad).toBe(0);
      // Bins with expected count ≥ 20; the two tails pooled.
      const lo = Math.max(0, Math.floor(lambda - 5 * Math.sqrt(lambda)));
      const hi = Math.ceil(lambda + 5 * Math.sqrt(lambda)) + 3;
      let chi2 = 0;
      let df = -1;
      let tailObs = n;
      let tailExp = n;
      for (let k = lo; k <= hi; k++) {
        const e = n * Math.exp(logPmf(k, lambda));
        if (e < 20) continue;
        const o = counts.get(k) ?? 0;
        chi2 += (o - e) ** 2 / e;
        tailObs -= o;
        tailExp -= e;
        df++;
      }
      chi2 += (tailObs - tailExp) ** 2 / Math.max(tailExp, 1e-9);
      df++;
      // χ²_df has mean df and sd √(2df): 6 sd above the mean fails with probability < 1e-6.
      expect(chi2).toBeLessThan(df + Z * Math.sqrt(2 * df));
    });
  }

  it('huge means (a client share at scale 2^22): mean and variance λ', () => {
    const lambda = 2 ** 40;
    const n = 20_000;
    const xs = Float64Array.from({ length: n }, () => poissonSample(lambda));
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean - lambda)).toBeLessThan(Z * Math.sqrt(lambda / n));
    expect(Math.abs(variance - lambda)).toBeLessThan(Z * lambda * Math.sqrt(2 / n));
  });
});

describe('Skellam noise: n clients each adding Sk(μ/n) put Sk(μ) in the sum', () => {
  for (const [clients, mu] of [[10, 5_000], [100, 1e9], [7, 3.5]] as const) {
    it(`${clients} clients, μ = ${mu}: the summed shares have mean 0 and variance μ`, () => {
      const d = 20_000;
      const sum = new Uint32Array(d);
      for (let c = 0; c < clients; c++) addSkellamNoise(sum, mu / clients);
      const xs = Float64Array.from(sum, (w) => w | 0);
      const { mean, variance } = moments(xs);
      // Sk(μ): variance μ, fourth central moment 3μ² + μ, so the sample variance has sd √((2μ² + μ)/d).
      expect(Math.abs(mean)).toBeLessThan(Z * Math.sqrt(mu / d));
      expect(Math.abs(variance - mu)).toBeLessThan(Z * Math.sqrt((2 * mu * mu + mu) / d));
    });
  }

  it('wraps mod 2^32 and leaves words past `length` alone', () => {
    const w = new Uint32Array(1001);
    w[1000] = 7;
    addSkellamNoise(w, 1e6, 1000);
    expect(w[1000]).toBe(7);
    // Negative draws appear as two's-complement words (≥ 2^31), and every word reads back small.
    expect(w.subarray(0, 1000).some((x) => x >= 2 ** 31)).toBe(true);
    expect(Array.from(w.subarray(0, 1000), (x) => Math.abs(x | 0)).every((x) => x < 10 * 1000)).toBe(true);
    expect(skellamSamples(5, 0)).toEqual(new Float64Array(5));
    expect(() => skellamSamples(1, -1)).toThrow(RangeError);
    expect(() => poissonSample(NaN)).toThrow(RangeError);
  });
});
