// Statistical checks of the CSPRNG Gaussian sampler. Tolerances are ≥ 5 standard errors (or the
// Kolmogorov p ≈ 1e-4 point), so a correct sampler fails them with probability well under 1e-4.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addGaussianNoise, gaussianSamples } from './gaussian-noise.js';

/** Standard normal CDF, Φ(x) = ½ erfc(−x/√2), via the Zelen & Severo series (A&S 26.2.17, |err| < 7.5e-8). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = (Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)) * poly;
  return x >= 0 ? 1 - tail : tail;
}

function meanStd(xs: ArrayLike<number>): { mean: number; std: number } {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return { mean: m, std: Math.sqrt(v / (xs.length - 1)) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('gaussianSamples', () => {
  it('has the requested mean and standard deviation (200k samples, 5 standard errors)', () => {
    const n = 200_000;
    const sd = 2.5;
    const { mean, std } = meanStd(gaussianSamples(n, sd));
    expect(Math.abs(mean)).toBeLessThan((5 * sd) / Math.sqrt(n));
    expect(Math.abs(std - sd)).toBeLessThan((5 * sd) / Math.sqrt(2 * n));
  });

  it('passes a Kolmogorov–Smirnov test against N(0,1)', () => {
    const n = 200_000;
    const xs = gaussianSamples(n).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const c = normalCdf(xs[i]);
      d = Math.max(d, c - i / n, (i + 1) / n - c);
    }
    expect(Math.sqrt(n) * d).toBeLessThan(2.3); // Kolmogorov distribution: P(K > 2.3) ≈ 1e-4
  });

  it('matches normal tail fractions, including beyond the ziggurat base layer (x > 3.654)', () => {
    const n = 1_000_000;
    const xs = gaussianSamples(n);
    // Two-sided tails of N(0,1): P(|Z|>1) = 0.317311, P(|Z|>2) = 0.0455003, P(|Z|>3) = 0.0026998,
    // P(|Z|>4) = 6.3342e-5 (A&S Table 26.1).
    for (const [c, p] of [[1, 0.317311], [2, 0.0455003], [3, 0.0026998], [4, 6.3342e-5]]) {
      let k = 0;
      for (let i = 0; i < n; i++) if (Math.abs(xs[i]) > c) k++;
      expect(Math.abs(k / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n) + 1 / n);
    }
    let positive = 0;
    for (let i = 0; i < n; i++) if (xs[i] > 0) positive++;
    expect(Math.abs(positive / n - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / n));
  });

  it('draws from crypto.getRandomValues in 64 KiB blocks', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    gaussianSamples(100_000);
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(10);
    for (const [buf] of spy.mock.calls) expect((buf as Uint32Array).byteLength).toBe(65536);
  });

  it('validates n and stddev', () => {
    expect(gaussianSamples(0)).toHaveLength(0);
    expect(Array.from(gaussianSamples(5, 0))).toEqual([0, 0, 0, 0, 0]);
    expect(() => gaussianSamples(-1)).toThrow(/n must be/);
    expect(() => gaussianSamples(2.5)).toThrow(/n must be/);
    expect(() => gaussianSamples(3, -1)).toThrow(/stddev/);
  });
});

describe('addGaussianNoise', () => {
  it('adds noise in place to Float32Array and Float64Array targets', () => {
    const n = 200_000;
    const f32 = new Float32Array(n).fill(3);
    expect(addGaussianNoise(f32, 0.5)).toBe(f32);
    const a = meanStd(f32);
    expect(Math.abs(a.mean - 3)).toBeLessThan((5 * 0.5) / Math.sqrt(n));
    expect(Math.abs(a.std - 0.5)).toBeLessThan((5 * 0.5) / Math.sqrt(2 * n));
    const f64 = new Float64Array(n);
    addGaussianNoise(f64, 1e-3);
    expect(Math.abs(meanStd(f64).std - 1e-3)).toBeLessThan((5 * 1e-3) / Math.sqrt(2 * n));
  });

  it('stddev 0 leaves the target untouched', () => {
    const t = Float64Array.from([1, -2, 3.5]);
    addGaussianNoise(t, 0);
    expect(Array.from(t)).toEqual([1, -2, 3.5]);
  });

  it.each([-1, Number.NaN, Infinity, -Infinity])('stddev %d throws naming the parameter', (bad) => {
    const t = new Float32Array(4);
    expect(() => addGaussianNoise(t, bad)).toThrow(/stddev/);
    expect(Array.from(t)).toEqual([0, 0, 0, 0]);
  });

  it('fills a whole model-sized vector (300,000 values, several CSPRNG blocks) with noise', () => {
    // Speed is the benchmarks' business; here: every coordinate of a large vector gets noise.
    const t = new Float32Array(300_000);
    addGaussianNoise(t, 1);
    let zeros = 0;
    for (let i = 0; i < t.length; i++) if (t[i] === 0) zeros++;
    expect(zeros).toBeLessThan(3);
  });
});
