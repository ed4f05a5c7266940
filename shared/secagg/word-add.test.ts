import { afterEach, describe, expect, it, vi } from 'vitest';
import { addInto, CHUNK_WORDS, foldStreams, jsAddInto, jsSubInto, loadSimd, SIMD_MODULE, simdAvailable, subInto, type WordStream } from './word-add.js';

/** Index of the first differing word, or -1 (vitest's deep equality is slow on 300k-word arrays). */
function firstDiff(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const LENGTHS = [0, 1, 2, 3, 4, 5, 63, 64, 65, 67, CHUNK_WORDS - 1, CHUNK_WORDS, CHUNK_WORDS + 1, 2 * CHUNK_WORDS + 3, 299_179];

/** Random words with the edges that wrap mixed in. */
function randomWords(n: number): Uint32Array {
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i += 16384) crypto.getRandomValues(w.subarray(i, Math.min(n, i + 16384)));
  const edges = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
  for (let i = 0; i < n; i += 7) w[i] = edges[i % edges.length];
  return w;
}

/** The definition: (a ± b) mod 2^32, one word at a time (exact: |a ± b| < 2^33 fits a double). */
function reference(a: Uint32Array, b: Uint32Array, sign: 1 | -1): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (((a[i] + sign * b[i]) % 2 ** 32) + 2 ** 32) % 2 ** 32;
  return out;
}

/** A stream over `words`, handing out each piece at an odd offset of a larger buffer (as pooled Buffers may). */
function streamOf(words: Uint32Array, sign: 1 | -1): WordStream {
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  let at = 0;
  return {
    sign,
    next(n) {
      const holder = new Uint8Array(n + 3);
      holder.set(bytes.subarray(at, at + n), 3);
      at += n;
      return holder.subarray(3);
    },
  };
}

describe('the WebAssembly SIMD module', () => {
  it('validates and loads in Node 20 (SIMD is on by default)', () => {
    expect(WebAssembly.validate(SIMD_MODULE)).toBe(true);
    expect(loadSimd(WebAssembly)).not.toBeNull();
    expect(simdAvailable()).toBe(true);
  });

  it('is not used where WebAssembly is missing, lacks SIMD, or refuses to compile', () => {
    expect(loadSimd(undefined)).toBeNull();
    expect(loadSimd({ ...WebAssembly, validate: () => false })).toBeNull();
    const csp = { ...WebAssembly, Module: function () { throw new Error('CompileError: wasm code generation disallowed by embedder'); } } as unknown as typeof WebAssembly;
    expect(loadSimd(csp)).toBeNull();
  });
});

describe('addInto / subInto', () => {
  it('equal (a ± b) mod 2^32 and the JS loops, for lengths around every boundary', () => {
    for (const n of LENGTHS) {
      const a = randomWords(n);
      const b = randomWords(n);
      for (const sign of [1, -1] as const) {
        const want = reference(a, b, sign);
        const simd = Uint32Array.from(a);
        (sign > 0 ? addInto : subInto)(simd, b);
        const js = Uint32Array.from(a);
        (sign > 0 ? jsAddInto : jsSubInto)(js, b);
        expect(firstDiff(simd, want), `length ${n}, sign ${sign}`).toBe(-1);
        expect(firstDiff(js, want), `length ${n}, sign ${sign}`).toBe(-1);
      }
    }
  });

  it('work on views at any offset and leave the operand alone', () => {
    const big = randomWords(CHUNK_WORDS + 100);
    const acc = big.subarray(3, 3 + CHUNK_WORDS + 5);
    const m = randomWords(CHUNK_WORDS + 9).subarray(1, 1 + acc.length);
    const mBefore = Uint32Array.from(m);
    const want = reference(acc, m, 1);
    const outside = Uint32Array.from(big.subarray(acc.length + 3));
    addInto(acc, m);
    expect(firstDiff(acc, want)).toBe(-1);
    expect(firstDiff(m, mBefore)).toBe(-1);
    expect(firstDiff(big.subarray(acc.length + 3), outside)).toBe(-1);
  });

  it('reject operands of different lengths', () => {
    expect(() => addInto(new Uint32Array(100), new Uint32Array(101))).toThrow(RangeError);
    expect(() => subInto(new Uint32Array(3), new Uint32Array(2))).toThrow(RangeError);
  });
});

describe('foldStreams', () => {
  it('adds and subtracts every stream, a chunk at a time, as one add per stream would', () => {
    for (const n of [0, 1, 5, 64, CHUNK_WORDS + 3, 3 * CHUNK_WORDS, 299_179]) {
      const acc = randomWords(n);
      const ms = [randomWords(n), randomWords(n), randomWords(n), randomWords(n)];
      const signs = [1, -1, -1, 1] as const;
      let want: Uint32Array = Uint32Array.from(acc);
      ms.forEach((m, j) => (want = reference(want, m, signs[j])));
      foldStreams(acc, ms.map((m, j) => streamOf(m, signs[j])));
      expect(firstDiff(acc, want), `length ${n}`).toBe(-1);
    }
  });

  it('throws when a stream hands back fewer bytes than asked for', () => {
    const short: WordStream = { sign: 1, next: (n) => new Uint8Array(n - 4) };
    expect(() => foldStreams(new Uint32Array(100), [short])).toThrow(RangeError);
    expect(() => foldStreams(new Uint32Array(10), [short])).toThrow(RangeError);
  });
});

describe('without WebAssembly (an old browser, a strict CSP)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('falls back to the JS loops with the same results', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    vi.resetModules();
    const fallback = await import('./word-add.js');
    expect(fallback.simdAvailable()).toBe(false);
    const n = 2 * CHUNK_WORDS + 3;
    const a = randomWords(n);
    const b = randomWords(n);
    const sum = Uint32Array.from(a);
    fallback.addInto(sum, b);
    expect(firstDiff(sum, reference(a, b, 1))).toBe(-1);
    fallback.subInto(sum, b);
    expect(firstDiff(sum, a)).toBe(-1);
    const folded = Uint32Array.from(a);
    fallback.foldStreams(folded, [streamOf(b, -1), streamOf(a, 1)]);
    expect(firstDiff(folded, reference(reference(a, b, -1), a, 1))).toBe(-1);
  });
});
