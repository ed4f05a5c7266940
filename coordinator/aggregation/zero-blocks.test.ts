import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../shared/random.js';
import { jsScan, loadScanner, nonZeroBlocks, ZERO_BLOCKS_MODULE } from './zero-blocks.js';

/** Every block holding any non-zero word, the slow obvious way. */
function reference(w: Int32Array): number[] {
  const out: number[] = [];
  for (let b = 0; b < w.length; b += 32) if (w.subarray(b, b + 32).some((x) => x !== 0)) out.push(b);
  return out;
}

const wasm = loadScanner(globalThis.WebAssembly);
const found = (w: Int32Array, use: ReturnType<typeof loadScanner> | undefined) => {
  const starts = new Int32Array(Math.ceil(w.length / 32));
  return Array.from(starts.subarray(0, nonZeroBlocks(w, starts, use)));
};

describe('nonZeroBlocks', () => {
  it('compiles on Node 20 (WebAssembly SIMD), and the module validates', () => {
    expect(WebAssembly.validate(ZERO_BLOCKS_MODULE)).toBe(true);
    expect(wasm).not.toBeNull();
    expect(loadScanner(undefined)).toBeNull();
  });

  it('finds the same blocks as the reference, in SIMD and in JS, at every size around the 64 KiB chunk', () => {
    const rng = new SeededRandom(11);
    for (const n of [0, 1, 31, 32, 33, 4095, 4096, 16_383, 16_384, 16_385, 16_416, 32_768 + 7, 299_178]) {
      const w = new Int32Array(n);
      // Sparse: a few whole rows, single words (including -0 and NaN patterns) anywhere.
      for (let k = 0; k < Math.max(1, n / 500); k++) w[rng.int(Math.max(1, n))] = [1, -1, 0x80000000 | 0, 0x7fc00000, rng.nextUint32() | 0][k % 5];
      if (n === 0) w.fill(0);
      const want = reference(w);
      expect(found(w, wasm ?? null), `SIMD, n = ${n}`).toEqual(want);
      expect(found(w, null), `JS, n = ${n}`).toEqual(want);
      expect(found(w, undefined), `default, n = ${n}`).toEqual(want);
    }
  });

  it('sees a single non-zero byte at every position of the blocks on either side of a chunk boundary', () => {
    const n = 40_000;
    for (let word = 16_384 - 32; word < 16_384 + 32; word++) {
      for (const pattern of [1, 1 << 8, 1 << 16, 1 << 24]) {
        const w = new Int32Array(n);
        w[word] = pattern;
        expect(found(w, wasm)).toEqual([word - (word % 32)]);
      }
    }
  });

  it('reads a view that does not start at its buffer\'s beginning', () => {
    const buffer = new Int32Array(20_001);
    buffer[1 + 19_999] = 5;
    buffer[1 + 64] = 7;
    buffer[0] = 9; // outside the view
    const view = buffer.subarray(1);
    expect(found(view, wasm)).toEqual([64, 19_968]);
    expect(jsScan(view, 19_968, new Int32Array(700))).toBe(1); // the JS scan of whole blocks alone
  });

  it('refuses a starts array too small for the blocks', () => {
    expect(() => nonZeroBlocks(new Int32Array(65), new Int32Array(2))).toThrow(RangeError);
  });
});
