import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random.js';
import { decodeUpdate, encodeUpdate } from './update-encoding.js';

describe('update encodings', () => {
  it('f32 is the identity', () => {
    const x = Float32Array.from([1.5, -2.25, 0, 3e-8]);
    expect(Array.from(decodeUpdate(encodeUpdate(x, 'f32').bytes, 'f32', 1))).toEqual(Array.from(x));
  });

  it('f16 matches IEEE binary16 on reference values', () => {
    // Exactly representable in half precision, and the largest / smallest normal and subnormal halves.
    const exact = [0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 1 + 2 ** -10, 1025];
    const back = decodeUpdate(encodeUpdate(Float32Array.from(exact), 'f16').bytes, 'f16', 1);
    expect(Array.from(back)).toEqual(exact.map((v) => Math.fround(v)));
    expect(decodeUpdate(encodeUpdate(Float32Array.from([-0]), 'f16').bytes, 'f16', 1)[0] === 0).toBe(true);
    // Rounding: 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even → 1.
    const tie = decodeUpdate(encodeUpdate(Float32Array.from([1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000]), 'f16').bytes, 'f16', 1);
    expect(tie[0]).toBe(1);
    expect(tie[1]).toBe(1 + 2 ** -9);
    expect(tie[2]).toBe(Infinity); // overflow becomes Inf, which the coordinator's guard rejects
  });

  it('f16 relative error is at most 2^-11 in the normal range', () => {
    const rng = new SeededRandom(3);
    const x = Float32Array.from({ length: 10_000 }, () => (rng.next() - 0.5) * 2 * 10 ** (rng.int(6) - 4));
    const y = decodeUpdate(encodeUpdate(x, 'f16').bytes, 'f16', 1);
    for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) > 2 ** -14) expect(Math.abs(y[i] - x[i]) / Math.abs(x[i])).toBeLessThanOrEqual(2 ** -11 + 1e-9);
  });

  it('q8 is unbiased and within one step of the value', () => {
    const rng = new SeededRandom(9);
    const x = Float32Array.from({ length: 2000 }, () => rng.normal() * 0.01);
    const mean = new Float64Array(x.length);
    const reps = 400;
    let scale = 0;
    for (let r = 0; r < reps; r++) {
      const e = encodeUpdate(x, 'q8', () => rng.next());
      scale = e.scale;
      const y = decodeUpdate(e.bytes, 'q8', e.scale);
      let worst = 0;
      for (let i = 0; i < x.length; i++) {
        worst = Math.max(worst, Math.abs(y[i] - x[i]));
        mean[i] += y[i] / reps;
      }
      expect(worst).toBeLessThanOrEqual(e.scale * (1 + 1e-6));
    }
    // Each coordinate's mean over 400 draws is within 5 standard errors (≤ scale/2/√400) of x.
    let worstBias = 0;
    for (let i = 0; i < x.length; i++) worstBias = Math.max(worstBias, Math.abs(mean[i] - x[i]));
    expect(worstBias).toBeLessThan((5 * scale) / 2 / Math.sqrt(reps));
    expect(encodeUpdate(x, 'q8').bytes.byteLength).toBe(x.length);
  });

  it('rejects a byte length that is not whole values', () => {
    expect(() => decodeUpdate(new Uint8Array(3), 'f16', 1)).toThrow(/whole number/);
    expect(() => decodeUpdate(new Uint8Array(6), 'f32', 1)).toThrow(/whole number/);
  });
});

describe('decoding from unaligned Node Buffers (msgpackr hands out Buffer views)', () => {
  it.each(['f32', 'f16'] as const)('%s decodes from an odd offset into a shared pool', (encoding) => {
    const x = Float32Array.from([1.5, -2, 0.25]);
    const enc = encodeUpdate(x, encoding).bytes;
    const pool = Buffer.alloc(enc.byteLength + 7);
    pool.set(enc, 3);
    expect(Array.from(decodeUpdate(pool.subarray(3, 3 + enc.byteLength), encoding, 1))).toEqual(Array.from(x));
  });
});
