// The node:crypto suite against published vectors and against the WebCrypto suite: a browser device
// and a Node coordinator must derive the same keys and open each other's bundles, and fail alike.

import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../protocol/errors.js';
import { type SecAggCrypto, webCryptoSuite } from '../secagg/crypto-suite.js';
import type { KeyPairBytes } from '../secagg/key-agreement.js';
import { nodeSecAggCrypto } from './node-secagg-crypto.js';

const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const suites: [string, SecAggCrypto][] = [['webcrypto', webCryptoSuite], ['node', nodeSecAggCrypto]];

describe.each(suites)('published vectors on %s', (_name, suite) => {
  it('X25519: RFC 7748 §6.1 (Alice and Bob reach the listed shared secret)', async () => {
    const alice: KeyPairBytes = { curve: 'x25519', privateKey: bytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), publicKey: bytes('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a') };
    const bob: KeyPairBytes = { curve: 'x25519', privateKey: bytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'), publicKey: bytes('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f') };
    const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(hex(await suite.agree(alice, bob.publicKey))).toBe(k);
    expect(hex(await suite.agree(bob, alice.publicKey))).toBe(k);
  });

  it('AES-256-GCM: test case 16 of McGrew & Viega, "The GCM mode of operation" (60-byte text, 20-byte aad)', async () => {
    const key = bytes('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const iv = 'cafebabefacedbaddecaf888';
    const plain = 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39';
    const aad = bytes('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const cipher = '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662';
    const tag = '76fc6ece0f4e1768cddf8853bb2d551b';
    expect(hex(await suite.open(key, bytes(iv + cipher + tag), aad))).toBe(plain);
  });
});

describe('node:crypto and WebCrypto interoperate', () => {
  it('agree on the same secret across implementations, both curves, both directions', async () => {
    for (const curve of ['x25519', 'p256'] as const) {
      const a = await nodeSecAggCrypto.generateKeyPair(curve);
      const b = await webCryptoSuite.generateKeyPair(curve);
      const secret = hex(await nodeSecAggCrypto.agree(a, b.publicKey));
      expect(hex(await webCryptoSuite.agree(b, a.publicKey))).toBe(secret);
      expect(hex(await webCryptoSuite.agree(a, b.publicKey))).toBe(secret);
      expect(hex(await nodeSecAggCrypto.agree(b, a.publicKey))).toBe(secret);
    }
  });

  it('a key pair rebuilt from raw bytes (the coordinator after Shamir) agrees as the original did', async () => {
    const a = await webCryptoSuite.generateKeyPair('x25519');
    const b = await webCryptoSuite.generateKeyPair('x25519');
    const rebuilt: KeyPairBytes = { curve: 'x25519', publicKey: a.publicKey.slice(), privateKey: a.privateKey.slice() };
    expect(hex(await nodeSecAggCrypto.agree(rebuilt, b.publicKey))).toBe(hex(await webCryptoSuite.agree(b, a.publicKey)));
  });

  it('derive the same HKDF keys and open each other\'s sealed bundles', async () => {
    const ikm = crypto.getRandomValues(new Uint8Array(32));
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const key = await nodeSecAggCrypto.hkdf(ikm, salt, 'fedrec/secagg/v1/share-encryption');
    expect(hex(await webCryptoSuite.hkdf(ikm, salt, 'fedrec/secagg/v1/share-encryption'))).toBe(hex(key));
    const aad = new TextEncoder().encode('round 1: 3 -> 4');
    const text = crypto.getRandomValues(new Uint8Array(70));
    expect(hex(await webCryptoSuite.open(key, await nodeSecAggCrypto.seal(key, text, aad), aad))).toBe(hex(text));
    expect(hex(await nodeSecAggCrypto.open(key, await webCryptoSuite.seal(key, text, aad), aad))).toBe(hex(text));
  });

  it('fail with the same codes: tampered bundle, short bundle, bad key sizes, small-order point', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const aad = new Uint8Array(4);
    const sealed = await webCryptoSuite.seal(key, new Uint8Array(40), aad);
    sealed[20] ^= 1;
    const a = await nodeSecAggCrypto.generateKeyPair('x25519');
    for (const [, s] of suites) {
      await expect(s.open(key, sealed, aad)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_CIPHERTEXT });
      await expect(s.open(key, sealed.subarray(0, 27), aad)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_CIPHERTEXT });
      await expect(s.seal(key.subarray(1), new Uint8Array(1), aad)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
      await expect(s.agree(a, new Uint8Array(31))).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
      await expect(s.agree(a, new Uint8Array(32))).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
      await expect(s.hkdf(key, aad, 'x', 0)).rejects.toThrow(RangeError);
    }
  });

  it('node key pairs are fresh and of the documented sizes', async () => {
    const a = await nodeSecAggCrypto.generateKeyPair('x25519');
    const b = await nodeSecAggCrypto.generateKeyPair('x25519');
    expect([a.publicKey.length, a.privateKey.length]).toEqual([32, 32]);
    expect(hex(a.privateKey)).not.toBe(hex(b.privateKey));
  });
});

describe('checkPublicKey (node): the coordinator refuses keys no one can agree with', () => {
  const check = nodeSecAggCrypto.checkPublicKey!;
  const ff = 'ff'.repeat(30);
  // The small-order X25519 encodings (RFC 7748 §6.1, §7): 0, 1, the two points of order 8, p − 1, p, p + 1.
  const smallOrder = [
    '00'.repeat(32),
    '01' + '00'.repeat(31),
    'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
    '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
    `ec${ff}7f`,
    `ed${ff}7f`,
    `ee${ff}7f`,
  ];

  it('refuses every small-order X25519 point, and accepts fresh keys from either suite', async () => {
    for (const h of smallOrder) expect(() => check('x25519', bytes(h)), h).toThrow(expect.objectContaining({ code: ErrorCodes.SECAGG_BAD_KEY }));
    expect(() => check('x25519', new Uint8Array(31))).toThrow(expect.objectContaining({ code: ErrorCodes.SECAGG_BAD_KEY }));
    for (const [, suite] of suites) {
      check('x25519', (await suite.generateKeyPair('x25519')).publicKey);
      check('p256', (await suite.generateKeyPair('p256')).publicKey);
    }
  });

  it('refuses a P-256 point off the curve, a compressed one and a wrong length', async () => {
    const good = (await webCryptoSuite.generateKeyPair('p256')).publicKey;
    const off = good.slice();
    off[40] ^= 1;
    const compressed = good.slice();
    compressed[0] = 0x02;
    for (const k of [off, compressed, good.subarray(0, 64)]) expect(() => check('p256', k)).toThrow(expect.objectContaining({ code: ErrorCodes.SECAGG_BAD_KEY }));
  });

  it('is Node-only: the WebCrypto suite has no synchronous check (a browser never coordinates)', () => {
    expect(webCryptoSuite.checkPublicKey).toBeUndefined();
  });
});

