import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random.js';
import { encodeDistributed, planDistributed, ROUNDING_BETA } from './distributed-dp.js';
import { webCryptoExpander } from './prg.js';
import { dequantize } from './quantize.js';
import { rotationSigns, unrotate } from './rotation.js';
import { roundedL2Bound } from '../privacy/skellam-rdp.js';

describe('planDistributed', () => {
  it('1,000 clients, 66k parameters, C = 1, z = 1: a scale whose worst-case sum stays inside int32', () => {
    const p = planDistributed({ clipNorm: 1, clients: 1000, length: 66_000, noiseMultiplier: 1, dropoutRate: 0.05 });
    expect(Math.log2(p.scale) % 1).toBe(0);
    expect(p.normBound).toBeCloseTo(roundedL2Bound(p.scale, 66_000, ROUNDING_BETA), 6);
    // n survivors × μ_i over-provisions: (1 − dropout) of them give the target (z·Δ2)².
    expect(p.noisePerClient * 1000 * 0.95).toBeCloseTo(p.normBound ** 2, -3);
    // The next power of two would not fit: the same bound recomputed independently.
    const L = Math.log(2 * 66_000) + 40 * Math.LN2;
    const bound = (s: number, nb: number) => s * 1000 * Math.sqrt((2 * L) / 65_536) + 1000 + L / 3 + Math.sqrt(L * L / 9 + (2 * nb * nb * L) / 0.95);
    expect(bound(p.scale, p.normBound)).toBeLessThan(2 ** 31);
    const twice = roundedL2Bound(2 * p.scale, 66_000, ROUNDING_BETA);
    expect(bound(2 * p.scale, twice) >= 2 ** 31 || 2 * p.scale > 2 ** 24).toBe(true);
  });

  it('refuses what cannot fit and bad parameters', () => {
    expect(() => planDistributed({ clipNorm: 1e9, clients: 10, length: 10, noiseMultiplier: 1, dropoutRate: 0 })).toThrow(RangeError);
    expect(() => planDistributed({ clipNorm: 1, clients: 0, length: 10, noiseMultiplier: 1, dropoutRate: 0 })).toThrow(RangeError);
    expect(() => planDistributed({ clipNorm: 1, clients: 2, length: 10, noiseMultiplier: 1, dropoutRate: 1 })).toThrow(RangeError);
  });
});

describe('encodeDistributed (client side)', () => {
  const d = 3000;
  const clipped = () => {
    const x = Float32Array.from({ length: d }, (_, i) => (i % 97 === 0 ? 1 : 0.01 * Math.cos(i)));
    const n = Math.sqrt(x.reduce((s, v) => s + v * v, 0));
    return x.map((v) => v / n); // ‖x‖ = 1 = C
  };

  it('without noise: the rounded vector is within Δ2 and unrotates to the update within rounding error', async () => {
    const plan = planDistributed({ clipNorm: 1, clients: 10, length: d, noiseMultiplier: 1, dropoutRate: 0 });
    const signs = await rotationSigns(new Uint8Array(32).fill(9), d, webCryptoExpander);
    const x = clipped();
    const out = new Uint32Array(d + 1);
    const rng = new SeededRandom(3);
    encodeDistributed(x, signs, { scale: plan.scale, normBound: plan.normBound, noise: 0 }, out, () => rng.next());
    let sq = 0;
    for (let i = 0; i < d; i++) sq += (out[i] | 0) ** 2;
    expect(Math.sqrt(sq)).toBeLessThanOrEqual(plan.normBound);
    const back = unrotate(dequantize(out, plan.scale, undefined, d), signs);
    let err = 0;
    for (let i = 0; i < d; i++) err += (back[i] - x[i]) ** 2;
    // Rounding moves each rotated coordinate by < 1/s; the rotation keeps the norm of that error.
    expect(Math.sqrt(err)).toBeLessThan(Math.sqrt(d) / plan.scale);
  });

  it('with noise: the input differs from the noise-free one by a Skellam share of variance μ_i', async () => {
    const plan = planDistributed({ clipNorm: 1, clients: 10, length: d, noiseMultiplier: 1, dropoutRate: 0 });
    const signs = await rotationSigns(new Uint8Array(32).fill(9), d, webCryptoExpander);
    const x = clipped();
    const plain = new Uint32Array(d);
    const noisy = new Uint32Array(d);
    const a = new SeededRandom(5);
    const b = new SeededRandom(5); // same rounding draws, so the difference is the noise alone
    encodeDistributed(x, signs, { scale: plan.scale, normBound: plan.normBound, noise: 0 }, plain, () => a.next());
    encodeDistributed(x, signs, { scale: plan.scale, normBound: plan.normBound, noise: plan.noisePerClient }, noisy, () => b.next());
    let v = 0;
    for (let i = 0; i < d; i++) v += ((noisy[i] - plain[i]) | 0) ** 2;
    v /= d;
    const mu = plan.noisePerClient;
    expect(Math.abs(v - mu)).toBeLessThan(6 * Math.sqrt((2 * mu * mu + mu) / d));
  });

  it('an update that was not clipped cannot be rounded under the bound: refused', async () => {
    const plan = planDistributed({ clipNorm: 1, clients: 10, length: d, noiseMultiplier: 1, dropoutRate: 0 });
    const signs = await rotationSigns(new Uint8Array(32), d, webCryptoExpander);
    const x = clipped().map((v) => v * 1.5);
    expect(() => encodeDistributed(x, signs, { scale: plan.scale, normBound: plan.normBound, noise: 0 }, new Uint32Array(d), Math.random, 20)).toThrow(/norm bound/);
  });
});
