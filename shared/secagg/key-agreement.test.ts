import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../protocol/errors.js';
import { nodeSecAggCrypto } from '../node/node-secagg-crypto.js';
import { type SecAggCrypto, webCryptoSuite } from './crypto-suite.js';
import { publicKeyLength, supportedCurves } from './key-agreement.js';
import type { Curve } from './key-agreement.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('supportedCurves', () => {
  it('finds both curves on Node 20, x25519 first, and probes once', async () => {
    expect(await supportedCurves()).toEqual(['x25519', 'p256']);
    expect(supportedCurves()).toBe(supportedCurves());
  });
});

// Every check runs on both implementations: WebCrypto (browsers) and node:crypto (Node processes).
const suites: [string, SecAggCrypto][] = [['webcrypto', webCryptoSuite], ['node', nodeSecAggCrypto]];
const cases = suites.flatMap(([name, suite]) => (['x25519', 'p256'] as Curve[]).map((curve) => [`${name} ${curve}`, suite, curve] as const));

describe.each(cases)('%s', (_name, { agree, generateKeyPair }, curve) => {
  it('exports raw keys of the documented sizes', async () => {
    const a = await generateKeyPair(curve);
    expect(a.curve).toBe(curve);
    expect(a.publicKey.length).toBe(publicKeyLength(curve));
    expect(a.privateKey.length).toBe(32);
    if (curve === 'p256') expect(a.publicKey[0]).toBe(0x04);
  });

  it('agree(a, B) equals agree(b, A)', async () => {
    const a = await generateKeyPair(curve);
    const b = await generateKeyPair(curve);
    const ab = await agree(a, b.publicKey);
    expect(ab.length).toBe(32);
    expect(hex(ab)).toBe(hex(await agree(b, a.publicKey)));
    const c = await generateKeyPair(curve);
    expect(hex(await agree(a, c.publicKey))).not.toBe(hex(ab));
  });

  it('a key rebuilt from its 32 raw private bytes still agrees (as after Shamir reconstruction)', async () => {
    const a = await generateKeyPair(curve);
    const b = await generateKeyPair(curve);
    const rebuilt = { curve, publicKey: Uint8Array.from(a.publicKey), privateKey: Uint8Array.from(a.privateKey) };
    expect(hex(await agree(rebuilt, b.publicKey))).toBe(hex(await agree(b, a.publicKey)));
  });

  it('two key pairs differ', async () => {
    const a = await generateKeyPair(curve);
    const b = await generateKeyPair(curve);
    expect(hex(a.privateKey)).not.toBe(hex(b.privateKey));
    expect(hex(a.publicKey)).not.toBe(hex(b.publicKey));
  });

  it('rejects a peer key of the wrong length', async () => {
    const a = await generateKeyPair(curve);
    await expect(agree(a, new Uint8Array(publicKeyLength(curve) - 1))).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
    await expect(agree(a, new Uint8Array(0))).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
  });

  it('rejects an own key of the wrong length', async () => {
    const a = await generateKeyPair(curve);
    const b = await generateKeyPair(curve);
    await expect(agree({ ...a, privateKey: a.privateKey.subarray(1) }, b.publicKey)).rejects.toMatchObject({
      code: ErrorCodes.SECAGG_BAD_KEY,
    });
  });
});

describe.each(suites)('invalid points (%s)', (_name, { agree, generateKeyPair }) => {
  it('x25519: small-order peer keys (0 and 1) are rejected', async () => {
    const a = await generateKeyPair('x25519');
    const one = new Uint8Array(32);
    one[0] = 1;
    await expect(agree(a, new Uint8Array(32))).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
    await expect(agree(a, one)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
  });

  it('p256: a point off the curve and a bad prefix are rejected', async () => {
    const a = await generateKeyPair('p256');
    const b = await generateKeyPair('p256');
    const offCurve = Uint8Array.from(b.publicKey);
    offCurve[40] ^= 1;
    await expect(agree(a, offCurve)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
    const compressed = Uint8Array.from(b.publicKey);
    compressed[0] = 0x02;
    await expect(agree(a, compressed)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_BAD_KEY });
  });
});

describe.each(suites)('raw private bytes (%s)', (_name, { generateKeyPair }) => {
  it('x25519: equal the scalar inside the PKCS#8 export', async () => {
    const a = await generateKeyPair('x25519');
    const jwk = { kty: 'OKP', crv: 'X25519', x: Buffer.from(a.publicKey).toString('base64url'), d: Buffer.from(a.privateKey).toString('base64url') };
    const key = await crypto.subtle.importKey('jwk', jwk, { name: 'X25519' }, true, ['deriveBits']);
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', key));
    expect(hex(pkcs8.subarray(pkcs8.length - 32))).toBe(hex(a.privateKey));
  });
});
