import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../protocol/errors.js';
import { addInto, subInto, webCryptoExpander } from './prg.js';

const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array | ArrayBuffer) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');
const asBytes = (w: Uint32Array) => new Uint8Array(w.buffer, w.byteOffset, w.byteLength);

async function aesCtr(key: Uint8Array, counter: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key.slice(), 'AES-CTR', false, ['encrypt']);
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CTR', counter: counter.slice(), length: 64 }, k, data.slice()));
}

describe('AES-256-CTR known answer (NIST SP 800-38A F.5.5, CTR-AES256.Encrypt)', () => {
  it('WebCrypto reproduces the published ciphertext', async () => {
    const key = bytes('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
    const counter = bytes('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
    const plaintext = bytes(
      '6bc1bee22e409f96e93d7e117393172a' + 'ae2d8a571e03ac9c9eb76fac45af8e51' + '30c81c46a35ce411e5fbc1191a0a52ef' + 'f69f2445df4f9b17ad2b417be66c3710',
    );
    expect(hex(await aesCtr(key, counter, plaintext))).toBe(
      '601ec313775789a5b7a7f504bbf3d228' + 'f443e3ca4d62b59aca84e990cacaf5c5' + '2b0930daa23de94ce87017ba2d84988d' + 'dfc9c58db67aada613c2dd08457941a6',
    );
  });
});

describe('webCryptoExpander', () => {
  it('is the AES-256-CTR keystream of zeros from counter 0', async () => {
    const key = bytes('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4');
    for (const words of [1, 3, 4, 5, 37, 1000]) {
      const mask = await webCryptoExpander(key, words);
      expect(hex(asBytes(mask))).toBe(hex(await aesCtr(key, new Uint8Array(16), new Uint8Array(4 * words))));
    }
  });

  it('starts with AES-256(0^256, 0^128) for the zero key, read as little-endian words', async () => {
    const mask = await webCryptoExpander(new Uint8Array(32), 4);
    expect(hex(asBytes(mask))).toBe('dc95c078a2408989ad48a21492842087');
    expect(mask[0]).toBe(0x78c095dc);
  });

  it('returns exactly the requested number of words', async () => {
    for (const words of [0, 1, 2, 7, 299_179]) expect((await webCryptoExpander(new Uint8Array(32), words)).length).toBe(words);
  });

  it('gives different masks for different keys', async () => {
    const a = new Uint8Array(32);
    const b = new Uint8Array(32);
    b[31] = 1;
    const ma = await webCryptoExpander(a, 64);
    const mb = await webCryptoExpander(b, 64);
    expect(hex(asBytes(ma))).not.toBe(hex(asBytes(mb)));
    let equalWords = 0;
    for (let i = 0; i < 64; i++) if (ma[i] === mb[i]) equalWords++;
    expect(equalWords).toBeLessThan(2);
  });

  it('rejects a key that is not 32 bytes', async () => {
    await expect(webCryptoExpander(new Uint8Array(16), 4)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
    await expect(webCryptoExpander(new Uint8Array(33), 4)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
  });

  it('rejects a bad word count', async () => {
    await expect(webCryptoExpander(new Uint8Array(32), -1)).rejects.toThrow(RangeError);
    await expect(webCryptoExpander(new Uint8Array(32), 1.5)).rejects.toThrow(RangeError);
  });
});

describe('addInto / subInto', () => {
  const reference = (a: Uint32Array, b: Uint32Array, sign: 1 | -1) =>
    Array.from(a, (x, i) => Number(BigInt.asUintN(32, BigInt(x) + BigInt(sign) * BigInt(b[i]))));

  it('add and subtract mod 2^32, including the unrolled tail', async () => {
    for (const n of [0, 1, 3, 4, 5, 8, 11]) {
      const a = await webCryptoExpander(new Uint8Array(32).fill(1), n);
      const b = await webCryptoExpander(new Uint8Array(32).fill(2), n);
      const sum = Uint32Array.from(a);
      addInto(sum, b);
      expect(Array.from(sum)).toEqual(reference(a, b, 1));
      const diff = Uint32Array.from(a);
      subInto(diff, b);
      expect(Array.from(diff)).toEqual(reference(a, b, -1));
      subInto(sum, b);
      expect(Array.from(sum)).toEqual(Array.from(a));
    }
  });

  it('wraps at the edges', () => {
    const acc = new Uint32Array([0xffffffff, 0, 0x80000000, 5, 0xfffffffe]);
    addInto(acc, new Uint32Array([1, 0xffffffff, 0x80000000, 0, 3]));
    expect(Array.from(acc)).toEqual([0, 0xffffffff, 0, 5, 1]);
    subInto(acc, new Uint32Array([1, 0xffffffff, 1, 6, 2]));
    expect(Array.from(acc)).toEqual([0xffffffff, 0, 0xffffffff, 0xffffffff, 0xffffffff]);
  });

  it('masks cancel: (x + m1 - m2) - m1 + m2 = x', async () => {
    const n = 10_001;
    const x = await webCryptoExpander(new Uint8Array(32).fill(9), n);
    const m1 = await webCryptoExpander(new Uint8Array(32).fill(7), n);
    const m2 = await webCryptoExpander(new Uint8Array(32).fill(8), n);
    const y = Uint32Array.from(x);
    addInto(y, m1);
    subInto(y, m2);
    subInto(y, m1);
    addInto(y, m2);
    expect(y).toEqual(x);
  });

  it('rejects vectors of different lengths', () => {
    expect(() => addInto(new Uint32Array(3), new Uint32Array(4))).toThrow(RangeError);
    expect(() => subInto(new Uint32Array(4), new Uint32Array(3))).toThrow(RangeError);
  });
});
