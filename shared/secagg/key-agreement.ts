// Key agreement for SecAgg+ (Bonawitz et al. 2017, "Practical Secure Aggregation for Privacy-Preserving
// Machine Learning", §4 KA.gen / KA.agree): X25519 (RFC 7748) where WebCrypto has it, else ECDH on P-256
// (NIST SP 800-56A). The private key leaves WebCrypto as 32 raw bytes because the mask key of each client
// is Shamir-shared among its neighbours, so that the pairwise masks of a client that drops out can be
// removed. Raw bytes: X25519 the scalar inside PKCS#8 (= JWK "d", RFC 8037), P-256 the JWK "d".

import { ErrorCodes, FedrecError } from '../protocol/errors.js';
import type { Curve } from '../protocol/secagg-messages.js';

// One curve type for the wire and the math.
export type { Curve };

export interface KeyPairBytes {
  curve: Curve;
  /** X25519: 32 bytes; P-256: 65-byte uncompressed point (0x04 ‖ x ‖ y). */
  publicKey: Uint8Array;
  /** 32 raw bytes of the private scalar. */
  privateKey: Uint8Array;
}

const PRIVATE_KEY_BYTES = 32;
const SHARED_SECRET_BITS = 256;

const ALGORITHMS = {
  x25519: { name: 'X25519' },
  p256: { name: 'ECDH', namedCurve: 'P-256' },
} as const;

export function publicKeyLength(curve: Curve): number {
  if (curve === 'x25519') return 32;
  if (curve === 'p256') return 65;
  throw new FedrecError(ErrorCodes.SECAGG_UNSUPPORTED, `Unknown key-agreement curve "${String(curve)}".`);
}

let probe: Promise<Curve[]> | undefined;

/** Curves this platform's WebCrypto can generate and agree on, x25519 first. Probed once per process. */
export function supportedCurves(): Promise<Curve[]> {
  probe ??= probeCurves();
  return probe;
}

async function probeCurves(): Promise<Curve[]> {
  const found: Curve[] = [];
  for (const curve of ['x25519', 'p256'] as const) {
    try {
      const a = await generateKeyPair(curve);
      const b = await generateKeyPair(curve);
      await agree(a, b.publicKey);
      found.push(curve);
    } catch {
      // Not available here (e.g. X25519 before Chrome 133 / Safari 17): fall through to the next curve.
    }
  }
  return found;
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new FedrecError(ErrorCodes.SECAGG_UNSUPPORTED, 'WebCrypto (crypto.subtle) is unavailable; secure aggregation needs a secure context.');
  return s;
}

export async function generateKeyPair(curve: Curve): Promise<KeyPairBytes> {
  const expected = publicKeyLength(curve);
  let pair: CryptoKeyPair;
  try {
    pair = (await subtle().generateKey(ALGORITHMS[curve], true, ['deriveBits'])) as CryptoKeyPair;
  } catch (cause) {
    if (cause instanceof FedrecError) throw cause;
    throw new FedrecError(ErrorCodes.SECAGG_UNSUPPORTED, `This platform's WebCrypto cannot generate ${curve} keys.`, { cause });
  }
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  const jwk = await subtle().exportKey('jwk', pair.privateKey);
  const privateKey = jwk.d === undefined ? new Uint8Array(0) : fromBase64Url(jwk.d);
  if (publicKey.length !== expected || privateKey.length !== PRIVATE_KEY_BYTES) {
    throw new FedrecError(ErrorCodes.SECAGG_UNSUPPORTED, `WebCrypto exported a ${curve} key of unexpected size.`);
  }
  return { curve, publicKey, privateKey };
}

/** KA.agree: the 32-byte raw shared secret (feed it to hkdf, never use it as a key directly). */
export async function agree(own: KeyPairBytes, peerPublic: Uint8Array): Promise<Uint8Array> {
  checkAgreeInputs(own, peerPublic);
  let bits: ArrayBuffer;
  try {
    const peer = await subtle().importKey('raw', peerPublic.slice(), ALGORITHMS[own.curve], false, []);
    const priv = await importedPrivate(own);
    bits = await subtle().deriveBits({ name: ALGORITHMS[own.curve].name, public: peer }, priv, SHARED_SECRET_BITS);
  } catch (cause) {
    throw invalidKey(own.curve, cause);
  }
  return checkSecret(own.curve, new Uint8Array(bits));
}

// Checks both implementations (this WebCrypto one and shared/node/node-secagg-crypto.ts) share, so a
// bad key fails with the same code whichever one a device or the coordinator runs.

/** Lengths of the own pair and the peer's public key. */
export function checkAgreeInputs(own: KeyPairBytes, peerPublic: Uint8Array): void {
  const length = publicKeyLength(own.curve);
  if (own.publicKey.length !== length || own.privateKey.length !== PRIVATE_KEY_BYTES) {
    throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, `Own ${own.curve} key pair has the wrong length.`);
  }
  if (!(peerPublic instanceof Uint8Array) || peerPublic.length !== length) {
    throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, `Peer ${own.curve} public key must be ${length} bytes.`);
  }
}

/** What a failed agreement becomes: off-curve points (P-256) and small-order points (X25519, all-zero output) land here. */
export function invalidKey(curve: Curve, cause: unknown): FedrecError {
  if (cause instanceof FedrecError) return cause;
  return new FedrecError(ErrorCodes.SECAGG_BAD_KEY, `Key agreement on ${curve} failed: invalid key.`, { cause });
}

/** RFC 7748 §6.1: an all-zero output means a small-order peer key; not every platform checks. */
export function checkSecret(curve: Curve, secret: Uint8Array): Uint8Array {
  if (secret.every((b) => b === 0)) {
    throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, `Key agreement on ${curve} gave an all-zero secret: small-order peer key.`);
  }
  return secret;
}

/** Own private keys imported once per key pair: a device agrees with ~30 neighbours per key. */
const imported = new WeakMap<KeyPairBytes, Promise<CryptoKey>>();
function importedPrivate(own: KeyPairBytes): Promise<CryptoKey> {
  let key = imported.get(own);
  if (!key) {
    key = subtle().importKey('jwk', privateJwk(own), ALGORITHMS[own.curve], false, ['deriveBits']);
    imported.set(own, key);
    key.catch(() => imported.delete(own));
  }
  return key;
}

function privateJwk(own: KeyPairBytes): JsonWebKey {
  const d = toBase64Url(own.privateKey);
  if (own.curve === 'x25519') return { kty: 'OKP', crv: 'X25519', x: toBase64Url(own.publicKey), d };
  if (own.publicKey[0] !== 0x04) throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, 'Own P-256 public key is not an uncompressed point.');
  return { kty: 'EC', crv: 'P-256', x: toBase64Url(own.publicKey.subarray(1, 33)), y: toBase64Url(own.publicKey.subarray(33, 65)), d };
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
