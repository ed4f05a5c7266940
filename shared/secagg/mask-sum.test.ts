import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../protocol/errors.js';
import { nodeExpander } from '../node/node-prg.js';
import { applyMasks, type MaskTerm } from './mask-sum.js';
import { jsAddInto, jsSubInto } from './word-add.js';
import { type MaskExpander, webCryptoExpander } from './prg.js';

/** Index of the first differing word, or -1 (vitest's deep equality is slow on 300k-word arrays). */
function firstDiff(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const key = (b: number) => new Uint8Array(32).fill(b);

/** The definition: each mask expanded whole with WebCrypto and added with the JS loop, in order. */
async function oneByOne(acc: Uint32Array, terms: MaskTerm[]): Promise<Uint32Array> {
  const out = Uint32Array.from(acc);
  for (const t of terms) (t.sign > 0 ? jsAddInto : jsSubInto)(out, await webCryptoExpander(t.key, out.length));
  return out;
}

describe('applyMasks', () => {
  it('gives the same words whether the masks are streamed (node:crypto) or expanded whole (WebCrypto)', async () => {
    for (const n of [0, 1, 3, 8193, 299_179]) {
      const acc = crypto.getRandomValues(new Uint32Array(Math.min(n, 16384)));
      const start = new Uint32Array(n);
      start.set(acc);
      const terms: MaskTerm[] = [1, 2, 3, 4, 5].map((b, j) => ({ key: key(b), sign: j % 2 ? -1 : 1 }));
      const want = await oneByOne(start, terms);
      for (const expander of [nodeExpander, webCryptoExpander]) {
        const got = Uint32Array.from(start);
        await applyMasks(got, terms, expander);
        expect(firstDiff(got, want), `length ${n}`).toBe(-1);
      }
    }
  });

  it('streams when the expander can be read piece by piece, and expands whole otherwise', async () => {
    const calls: string[] = [];
    const whole: MaskExpander = (k, words) => {
      calls.push('whole');
      return nodeExpander(k, words);
    };
    const streaming: MaskExpander = Object.assign((k: Uint8Array, words: number) => whole(k, words), { reader: (k: Uint8Array) => (calls.push('reader'), nodeExpander.reader!(k)) });
    await applyMasks(new Uint32Array(100), [{ key: key(1), sign: 1 }], whole);
    await applyMasks(new Uint32Array(100), [{ key: key(1), sign: 1 }], streaming);
    expect(calls).toEqual(['whole', 'reader']);
  });

  it('cancels a mask added by one party and subtracted by another', async () => {
    const x = crypto.getRandomValues(new Uint32Array(5000));
    const y = Uint32Array.from(x);
    await applyMasks(y, [{ key: key(7), sign: 1 }, { key: key(8), sign: -1 }], nodeExpander);
    expect(firstDiff(y, x)).not.toBe(-1);
    await applyMasks(y, [{ key: key(8), sign: 1 }], webCryptoExpander);
    await applyMasks(y, [{ key: key(7), sign: -1 }], nodeExpander);
    expect(firstDiff(y, x)).toBe(-1);
  });

  it('rejects a bad key before touching the vector', async () => {
    const acc = new Uint32Array(10).fill(5);
    await expect(applyMasks(acc, [{ key: key(1), sign: 1 }, { key: new Uint8Array(31), sign: 1 }], nodeExpander)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
    expect(acc.every((w) => w === 5)).toBe(true);
  });

  it('passes on an expander failure', async () => {
    const failing: MaskExpander = async () => {
      throw new Error('no AES here');
    };
    await expect(applyMasks(new Uint32Array(10), [{ key: key(1), sign: 1 }, { key: key(2), sign: 1 }], failing)).rejects.toThrow('no AES here');
  });
});
