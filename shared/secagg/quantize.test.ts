import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random.js';
import { addInto } from './prg.js';
import { dequantize, quantizationScale, quantizeInto, signedNormSquared } from './quantize.js';

describe('quantizationScale', () => {
  it('is the largest power of two that keeps the sum inside int32', () => {
    for (const [clip, clients] of [
      [1, 1000],
      [0.7, 1000],
      [5, 1],
      [0.01, 100_000],
      [1e-6, 3],
      [100, 5_000],
    ]) {
      const s = quantizationScale(clip, clients);
      expect(Number.isInteger(Math.log2(s))).toBe(true);
      expect(s).toBeGreaterThanOrEqual(1);
      expect(clients * (clip * s + 1)).toBeLessThan(2 ** 31);
      expect(clients * (clip * 2 * s + 1)).toBeGreaterThanOrEqual(2 ** 31);
    }
    expect(quantizationScale(1, 1000)).toBe(2 ** 21);
  });

  it('refuses when even scale 1 could wrap, with the numbers', () => {
    expect(() => quantizationScale(3, 2 ** 29)).toThrow(/536870912 clients .* ≥ 2\^31/);
    expect(() => quantizationScale(1e9, 10)).toThrow(RangeError);
    expect(() => quantizationScale(0, 10)).toThrow(/clipNorm/);
    expect(() => quantizationScale(1, 0)).toThrow(/maxClients/);
  });
});

describe('quantizeInto / dequantize', () => {
  it('round-trips within 1/scale', () => {
    const clip = 0.5;
    const scale = quantizationScale(clip, 2000);
    const random = new SeededRandom(1);
    const x = Float32Array.from({ length: 5000 }, () => (2 * random.next() - 1) * clip);
    const q = new Uint32Array(x.length);
    quantizeInto(x, scale, q, () => random.next());
    const back = dequantize(q, scale);
    for (let i = 0; i < x.length; i++) expect(Math.abs(back[i] - x[i])).toBeLessThan(1 / scale);
    expect(dequantize(new Uint32Array(1), scale)[0]).toBe(0);
  });

  it('stores negative values in two\'s complement', () => {
    const q = new Uint32Array(3);
    quantizeInto(Float32Array.from([-1, -0.25, 0]), 4, q, () => 0.5);
    expect(Array.from(q)).toEqual([0xfffffffc, 0xffffffff, 0]);
    expect(Array.from(dequantize(q, 4))).toEqual([-1, -0.25, 0]);
  });

  it('is unbiased: the mean of 200,000 draws is within 5 standard errors of the value', () => {
    const scale = 1024;
    const n = 200_000;
    for (const target of [1234.3 / scale, -1234.3 / scale, 0.7 / scale]) {
      const v = Math.fround(target);
      const y = v * scale;
      const frac = y - Math.floor(y);
      const random = new SeededRandom(`unbiased:${target}`);
      const q = new Uint32Array(n);
      quantizeInto(new Float32Array(n).fill(v), scale, q, () => random.next());
      const back = dequantize(q, scale);
      let mean = 0;
      for (let i = 0; i < n; i++) mean += back[i];
      mean /= n;
      const standardError = Math.sqrt((frac * (1 - frac)) / (scale * scale) / n);
      expect(Math.abs(mean - v)).toBeLessThan(5 * standardError);
      // Deterministic rounding to nearest would fail this test by a wide margin:
      expect(Math.abs(Math.round(y) / scale - v)).toBeGreaterThan(50 * standardError);
    }
  });

  it('quantizes only the given ranges and leaves the rest as it is', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const out = new Uint32Array(6).fill(7);
    quantizeInto(x, 2, out, () => 0, (fn) => {
      fn(1, 3);
      fn(4, 5);
    });
    expect(Array.from(out)).toEqual([7, 4, 6, 7, 10, 7]);
    expect(() => quantizeInto(x, 2, out, () => 0, (fn) => fn(5, 7))).toThrow(RangeError);
  });

  it('rejects non-finite and out-of-range values instead of wrapping', () => {
    const out = new Uint32Array(1);
    expect(() => quantizeInto(Float32Array.from([NaN]), 4, out, () => 0)).toThrow(/index 0/);
    expect(() => quantizeInto(Float32Array.from([Infinity]), 4, out, () => 0)).toThrow(RangeError);
    expect(() => quantizeInto(Float32Array.from([2 ** 30]), 4, out, () => 0)).toThrow(RangeError);
    expect(() => quantizeInto(Float32Array.from([1, 2]), 4, out, () => 0)).toThrow(/out has 1 words/);
  });

  it('the sum of maxClients worst-case inputs (every coordinate ±C, rounded away from 0) does not wrap', () => {
    const clip = 0.7;
    const maxClients = 1000;
    const scale = quantizationScale(clip, maxClients);
    for (const sign of [1, -1]) {
      const v = Math.fround(sign * clip * (1 - 1e-7)); // ≤ C in magnitude after float32 rounding
      // uniform 0 always rounds up, uniform just below 1 always rounds down: away from zero either way.
      const uniform = sign > 0 ? () => 0 : () => 1 - 2 ** -53;
      const q = new Uint32Array(8);
      const sum = new Uint32Array(8);
      for (let c = 0; c < maxClients; c++) {
        quantizeInto(new Float32Array(8).fill(v), scale, q, uniform);
        addInto(sum, q);
      }
      const perClient = sign > 0 ? Math.floor(v * scale) + 1 : Math.floor(v * scale);
      expect(Math.abs(perClient)).toBeGreaterThan(clip * scale - 1);
      expect(sum[0] | 0).toBe(maxClients * perClient);
      expect(Math.sign(sum[0] | 0)).toBe(sign);
      const back = dequantize(sum, scale, new Float64Array(8));
      expect(Math.abs(back[3] - maxClients * v)).toBeLessThanOrEqual(maxClients / scale);
    }
  });
});

describe('signedNormSquared', () => {
  it('sums the squares of the signed words up to length', () => {
    const w = new Uint32Array([3, 0xfffffffc, 0, 0x80000000, 9]);
    expect(signedNormSquared(w, 3)).toBe(25);
    expect(signedNormSquared(w, 4)).toBe(25 + 2 ** 62);
    expect(signedNormSquared(w, 0)).toBe(0);
    expect(() => signedNormSquared(w, 6)).toThrow(RangeError);
  });
});
