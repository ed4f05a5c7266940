import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../protocol/errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsAddInto, jsSubInto } from '../secagg/word-add.js';
import { type MaskTerm, webCryptoExpander } from '../secagg/prg.js';
import { MaskSummer, nodeExpander } from './node-prg.js';

describe('nodeExpander', () => {
  it('produces the same keystream as webCryptoExpander, byte for byte', async () => {
    const key = new Uint8Array(32);
    for (const words of [0, 1, 2, 3, 4, 5, 6, 7, 9, 17, 4097, 299_179]) {
      globalThis.crypto.getRandomValues(key);
      const a = await nodeExpander(key, words);
      const b = await webCryptoExpander(key, words);
      expect(a.length).toBe(words);
      expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
    }
  });

  it('returns independent arrays (the zero buffer is reused, the output is not)', async () => {
    const key = new Uint8Array(32).fill(3);
    const a = await nodeExpander(key, 8);
    const copy = Uint32Array.from(a);
    const b = await nodeExpander(key, 8);
    b.fill(0);
    expect(a).toEqual(copy);
    expect(a.byteOffset % 4).toBe(0);
  });

  it('rejects a key that is not 32 bytes', async () => {
    await expect(nodeExpander(new Uint8Array(31), 4)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
  });
});

describe('nodeExpander.reader', () => {
  it('reads the same keystream in pieces of any size, continuing where the last piece ended', async () => {
    const key = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const whole = await nodeExpander(key, 20_000);
    const wholeBytes = Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength);
    const read = nodeExpander.reader!(key);
    const pieces: Uint8Array[] = [];
    for (const n of [4, 12, 16, 1000, 32_768, 4, 46_196]) pieces.push(Uint8Array.from(read(n)));
    expect(Buffer.concat(pieces).equals(wholeBytes)).toBe(true);
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => nodeExpander.reader!(new Uint8Array(16))).toThrow(expect.objectContaining({ code: ErrorCodes.SECAGG_BAD_KEY }));
  });
});

describe('adding masks in place (nodeExpander.addTo, MaskSummer)', () => {
  const words = 20_003;
  const terms: MaskTerm[] = [5, 6, 7, 8, 9].map((b, j) => ({ key: new Uint8Array(32).fill(b), sign: j % 2 ? -1 : 1 }));
  /** A vector that is not zero, so "in place" is tested: base + Σ sign · keystream. */
  const base = () => Uint32Array.from({ length: words }, (_, i) => (i * 2654435761) >>> 0);
  const expected = async () => {
    const out = base();
    for (const t of terms) (t.sign > 0 ? jsAddInto : jsSubInto)(out, await webCryptoExpander(t.key, words));
    return hexOf(out);
  };
  const hexOf = (w: Uint32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('hex');
  const added = async (add: (acc: Uint32Array, t: readonly MaskTerm[]) => Promise<void>, t = terms) => {
    const acc = base();
    await add(acc, t);
    return acc;
  };

  it('is base + Σ sign · keystream, whichever thread computes it', async () => {
    expect(hexOf(await added(nodeExpander.addTo!))).toBe(await expected());
  });

  it('computes on the calling thread without a script', async () => {
    const s = new MaskSummer(null);
    expect(hexOf(await added((a, t) => s.addTo(a, t)))).toBe(await expected());
    expect(s.counts).toEqual({ worker: 0, here: 1 });
  });

  it('falls back to the calling thread when the worker cannot load or does not answer', async () => {
    const missing = new MaskSummer(new URL('file:///nonexistent/fedrec-mask-worker.js'));
    const silent = new MaskSummer(new URL('data:text/javascript,')); // starts, has nothing to do, exits
    const want = await expected();
    for (const s of [missing, silent]) {
      const [a, b] = await Promise.all([added((x, t) => s.addTo(x, t)), added((x, t) => s.addTo(x, t))]);
      expect(hexOf(a)).toBe(want);
      expect(hexOf(b)).toBe(want);
      expect(s.counts.worker).toBe(0);
    }
    expect(hexOf(await added((x, t) => silent.addTo(x, t)))).toBe(want); // and stays on the calling thread
  });

  it('rejects a bad key before anything is computed', async () => {
    const acc = new Uint32Array(4).fill(7);
    await expect(new MaskSummer(null).addTo(acc, [{ key: new Uint8Array(31), sign: 1 }])).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
    expect([...acc]).toEqual([7, 7, 7, 7]);
  });

  // Worker threads run compiled JavaScript: npm test builds dist/ before vitest runs (skipped when
  // dist/ predates this worker's protocol, e.g. a shared checkout between builds).
  const compiled = new URL('../../dist/shared/node/node-prg.js', import.meta.url);
  const built = existsSync(fileURLToPath(compiled)) && readFileSync(compiled, 'utf8').includes('fedrec-mask-sum-v2');
  it.skipIf(!built)('runs in a worker thread from the compiled build, reusing its shared slots', async () => {
    const s = new MaskSummer(compiled);
    const want = await expected();
    const add = (x: Uint32Array, t: readonly MaskTerm[]) => s.addTo(x, t);
    const sums = await Promise.all([added(add), added(add), added(add, [])]);
    expect(hexOf(sums[0])).toBe(want);
    expect(hexOf(sums[1])).toBe(want);
    expect(hexOf(sums[2])).toBe(hexOf(base()));
    // Sequential calls of several sizes reuse the freed slots and still give the right words.
    for (const n of [words, 8, words]) {
      const acc = new Uint32Array(n);
      await s.addTo(acc, terms.slice(0, 1));
      expect(hexOf(acc)).toBe(hexOf(await webCryptoExpander(terms[0].key, n)));
    }
    expect(s.counts).toEqual({ worker: 6, here: 0 });
  });
});
