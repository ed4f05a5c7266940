import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../protocol/errors.js';
import { webCryptoExpander } from '../secagg/prg.js';
import { nodeExpander } from './node-prg.js';

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
