// SecAgg+ cryptography for Node processes (the coordinator, `fedrec client`, simulation workers): the
// algorithms of shared/secagg/crypto-suite.ts's WebCrypto suite — X25519, HKDF-SHA256, AES-256-GCM,
// the AES-256-CTR mask PRG — on node:crypto's synchronous calls over the same OpenSSL. Node's WebCrypto
// wraps each call in CryptoKey objects, argument normalisation and a thread-pool hop: a device's 60
// agreements, 60 derivations and 60 seals/opens a round cost 18–20 ms of CPU there, about 5 ms here.
// P-256 (the fallback for browsers without X25519) stays on WebCrypto: Node always has X25519, so only
// a coordinator unmasking such a browser's keys meets it.

import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject, randomFillSync } from 'node:crypto';
import type { Curve } from '../protocol/secagg-messages.js';
import { webCryptoSuite, type SecAggCrypto } from '../secagg/crypto-suite.js';
import { checkHkdfLength } from '../secagg/kdf.js';
import { checkAgreeInputs, checkSecret, fromBase64Url, invalidKey, type KeyPairBytes, toBase64Url } from '../secagg/key-agreement.js';
import { checkCipherKey, checkSealedLength, failedAuthentication, NONCE_BYTES, TAG_BYTES } from '../secagg/share-cipher.js';
import { nodeExpander } from './node-prg.js';

/** Own private keys as KeyObjects, once per pair: a device agrees with ~30 neighbours per key. */
const privateKeys = new WeakMap<KeyPairBytes, KeyObject>();

function x25519Private(own: KeyPairBytes): KeyObject {
  let key = privateKeys.get(own);
  if (!key) {
    // A pair from elsewhere (the coordinator rebuilding a dropped client's key from shares).
    key = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64Url(own.publicKey), d: toBase64Url(own.privateKey) }, format: 'jwk' });
    privateKeys.set(own, key);
  }
  return key;
}

function generateX25519(): KeyPairBytes {
  const pair = generateKeyPairSync('x25519');
  const jwk = pair.privateKey.export({ format: 'jwk' });
  const own: KeyPairBytes = { curve: 'x25519', publicKey: fromBase64Url(jwk.x!), privateKey: fromBase64Url(jwk.d!) };
  privateKeys.set(own, pair.privateKey);
  return own;
}

function agreeX25519(own: KeyPairBytes, peerPublic: Uint8Array): Uint8Array {
  checkAgreeInputs(own, peerPublic);
  let secret: Buffer;
  try {
    // JWK import: raw bytes straight into OpenSSL (a DER import costs ten times as much).
    const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64Url(peerPublic) }, format: 'jwk' });
    secret = diffieHellman({ privateKey: x25519Private(own), publicKey: peer });
  } catch (cause) {
    throw invalidKey(own.curve, cause);
  }
  return checkSecret(own.curve, new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength));
}

/** A throwaway key to agree with: X25519 of any clamped scalar and a small-order point is all zeros. */
let probe: KeyObject | null = null;

function checkPublicKey(curve: Curve, publicKey: Uint8Array): void {
  checkAgreeInputs({ curve, publicKey, privateKey: new Uint8Array(32) }, publicKey);
  if (curve === 'x25519') {
    probe ??= generateKeyPairSync('x25519').privateKey;
    let secret: Buffer;
    try {
      secret = diffieHellman({ privateKey: probe, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64Url(publicKey) }, format: 'jwk' }) });
    } catch (cause) {
      throw invalidKey(curve, cause); // OpenSSL refuses an all-zero result itself
    }
    checkSecret(curve, new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength));
    return;
  }
  // P-256: an uncompressed point that OpenSSL accepts as on the curve.
  try {
    if (publicKey[0] !== 0x04) throw new RangeError('not an uncompressed point');
    createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: toBase64Url(publicKey.subarray(1, 33)), y: toBase64Url(publicKey.subarray(33, 65)) }, format: 'jwk' });
  } catch (cause) {
    throw invalidKey(curve, cause);
  }
}

function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  checkCipherKey(key);
  const nonce = randomFillSync(new Uint8Array(NONCE_BYTES));
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const out = new Uint8Array(NONCE_BYTES + body.length + tail.length + TAG_BYTES);
  out.set(nonce);
  out.set(body, NONCE_BYTES);
  out.set(tail, NONCE_BYTES + body.length);
  out.set(cipher.getAuthTag(), NONCE_BYTES + body.length + tail.length);
  return out;
}

function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  checkCipherKey(key);
  checkSealedLength(sealed);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    decipher.setAAD(aad);
    const body = decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    const tail = decipher.final(); // throws when the tag does not verify
    const out = new Uint8Array(body.length + tail.length);
    out.set(body);
    out.set(tail, body.length);
    return out;
  } catch (cause) {
    throw failedAuthentication(cause);
  }
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length = 32): Uint8Array {
  checkHkdfLength(length);
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}

export const nodeSecAggCrypto: SecAggCrypto = {
  name: 'node',
  generateKeyPair: async (curve: Curve) => (curve === 'x25519' ? generateX25519() : webCryptoSuite.generateKeyPair(curve)),
  agree: async (own, peerPublic) => (own.curve === 'x25519' ? agreeX25519(own, peerPublic) : webCryptoSuite.agree(own, peerPublic)),
  hkdf: async (ikm, salt, info, length) => hkdf(ikm, salt, info, length),
  seal: async (key, plaintext, aad) => seal(key, plaintext, aad),
  open: async (key, sealed, aad) => open(key, sealed, aad),
  expander: nodeExpander,
  checkPublicKey,
};
