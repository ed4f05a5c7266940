import { describe, expect, it } from 'vitest';
import { webCryptoExpander } from './prg.js';
import { rotate, rotationSigns, rotationWindow, unrotate } from './rotation.js';

const seed = (b: number) => new Uint8Array(32).fill(b);
const norm = (x: Float64Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
const linf = (x: Float64Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('randomized rotation (signs, then two overlapping Walsh–Hadamard windows)', () => {
  for (const d of [1, 2, 7, 64, 1000, 4097]) {
    it(`d = ${d}: inverse(rotate(x)) = x and the norm is kept`, async () => {
      const s = await rotationSigns(seed(d % 251), d, webCryptoExpander);
      const x = Float64Array.from({ length: d }, (_, i) => Math.sin(i * 1.7) * (i % 5) - 0.3);
      const y = rotate(Float64Array.from(x), s);
      expect(Math.abs(norm(y) - norm(x))).toBeLessThan(1e-9 * (1 + norm(x)));
      const back = unrotate(y, s);
      for (let i = 0; i < d; i++) expect(Math.abs(back[i] - x[i])).toBeLessThan(1e-12);
    });
  }

  it('flattens a spike: L∞ falls from ‖x‖ to about ‖x‖·√(2 log(2d/p)/w)', async () => {
    const d = 5000;
    const w = rotationWindow(d);
    expect(w).toBe(4096);
    for (const at of [0, 2500, 4999]) {
      const x = new Float64Array(d);
      x[at] = 3;
      const y = rotate(x, await rotationSigns(seed(at % 256), d, webCryptoExpander));
      // Hoeffding over the random signs with p = 2^-40: |y_j| ≤ 3·√(2·(log(2d) + 40 log 2)/w) ≈ 0.36.
      expect(linf(y)).toBeLessThan(3 * Math.sqrt((2 * (Math.log(2 * d) + 40 * Math.LN2)) / w));
      expect(linf(y)).toBeLessThan(3 / 10);
    }
  });

  it('the same seed gives the same rotation, another seed another one', async () => {
    const d = 300;
    const x = Float64Array.from({ length: d }, (_, i) => i);
    const a = rotate(Float64Array.from(x), await rotationSigns(seed(1), d, webCryptoExpander));
    const b = rotate(Float64Array.from(x), await rotationSigns(seed(1), d, webCryptoExpander));
    const c = rotate(Float64Array.from(x), await rotationSigns(seed(2), d, webCryptoExpander));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('refuses a vector of the wrong length', async () => {
    const s = await rotationSigns(seed(1), 10, webCryptoExpander);
    expect(() => rotate(new Float64Array(11), s)).toThrow(RangeError);
  });
});
