import { describe, expect, it } from 'vitest';
import { hkdfSync } from 'node:crypto';
import { nodeSecAggCrypto } from '../node/node-secagg-crypto.js';
import { type SecAggCrypto, webCryptoSuite } from './crypto-suite.js';

const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe.each<[string, SecAggCrypto]>([['webcrypto', webCryptoSuite], ['node', nodeSecAggCrypto]])('hkdf (RFC 5869, SHA-256) on %s', (_name, { hkdf }) => {
  it('matches test case 1', async () => {
    const okm = await hkdf(bytes('0b'.repeat(22)), bytes('000102030405060708090a0b0c'), bytes('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(hex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('matches test case 3 (empty salt and info)', async () => {
    const okm = await hkdf(bytes('0b'.repeat(22)), new Uint8Array(0), '', 42);
    expect(hex(okm)).toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
  });

  it('encodes a string info as UTF-8 and defaults to 32 bytes', async () => {
    const ikm = bytes('11'.repeat(32));
    const salt = bytes('22'.repeat(16));
    const okm = await hkdf(ikm, salt, 'fedrec/secagg/mask/round-7 ✓');
    expect(okm.length).toBe(32);
    expect(hex(okm)).toBe(hex(new Uint8Array(hkdfSync('sha256', ikm, salt, Buffer.from('fedrec/secagg/mask/round-7 ✓', 'utf8'), 32))));
    expect(hex(await hkdf(ikm, salt, 'other'))).not.toBe(hex(okm));
  });

  it('rejects a bad length', async () => {
    await expect(hkdf(new Uint8Array(32), new Uint8Array(0), '', 0)).rejects.toThrow(RangeError);
  });
});
