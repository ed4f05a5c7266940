import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../protocol/errors.js';
import { nodeSecAggCrypto } from '../node/node-secagg-crypto.js';
import { type SecAggCrypto, webCryptoSuite } from './crypto-suite.js';

const key = Uint8Array.from({ length: 32 }, (_, i) => i);
const aad = new TextEncoder().encode('round 3: client 5 -> client 9');
const plaintext = new TextEncoder().encode('two Shamir shares of 49 bytes each, and some more');
const badCiphertext = { code: ErrorCodes.SECAGG_BAD_CIPHERTEXT };

describe.each<[string, SecAggCrypto]>([['webcrypto', webCryptoSuite], ['node', nodeSecAggCrypto]])('share cipher (AES-256-GCM) on %s', (_name, { open, seal }) => {
  it('round-trips, with a 12-byte nonce and a 16-byte tag', async () => {
    const sealed = await seal(key, plaintext, aad);
    expect(sealed.length).toBe(12 + plaintext.length + 16);
    expect(await open(key, sealed, aad)).toEqual(plaintext);
    expect(await open(key, await seal(key, new Uint8Array(0), aad), aad)).toEqual(new Uint8Array(0));
  });

  it('uses a fresh nonce each time', async () => {
    const a = await seal(key, plaintext, aad);
    const b = await seal(key, plaintext, aad);
    expect(Buffer.from(a.subarray(0, 12)).equals(Buffer.from(b.subarray(0, 12)))).toBe(false);
  });

  it('rejects any flipped byte (nonce, body, tag)', async () => {
    const sealed = await seal(key, plaintext, aad);
    for (const at of [0, 11, 12, 20, sealed.length - 16, sealed.length - 1]) {
      const bad = Uint8Array.from(sealed);
      bad[at] ^= 0x01;
      await expect(open(key, bad, aad)).rejects.toMatchObject(badCiphertext);
    }
  });

  it('rejects the wrong aad', async () => {
    const sealed = await seal(key, plaintext, aad);
    await expect(open(key, sealed, new TextEncoder().encode('round 3: client 5 -> client 8'))).rejects.toMatchObject(badCiphertext);
    await expect(open(key, sealed, new Uint8Array(0))).rejects.toMatchObject(badCiphertext);
  });

  it('rejects the wrong key', async () => {
    const sealed = await seal(key, plaintext, aad);
    const other = Uint8Array.from(key);
    other[31] ^= 0x80;
    await expect(open(other, sealed, aad)).rejects.toMatchObject(badCiphertext);
  });

  it('rejects truncated input', async () => {
    const sealed = await seal(key, plaintext, aad);
    await expect(open(key, sealed.subarray(0, 27), aad)).rejects.toMatchObject(badCiphertext);
    await expect(open(key, sealed.subarray(0, sealed.length - 1), aad)).rejects.toMatchObject(badCiphertext);
    await expect(open(key, new Uint8Array(0), aad)).rejects.toMatchObject(badCiphertext);
  });

  it('rejects a key that is not 32 bytes', async () => {
    await expect(seal(key.subarray(0, 16), plaintext, aad)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
    await expect(open(key.subarray(0, 16), new Uint8Array(40), aad)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
  });
});
