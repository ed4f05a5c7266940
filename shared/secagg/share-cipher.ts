// Authenticated encryption of the share bundles that clients exchange through the coordinator
// (Bonawitz et al. 2017, §4 AE.enc / AE.dec): AES-256-GCM (NIST SP 800-38D) with a random 96-bit nonce
// and a 128-bit tag. The aad binds a bundle to its sender, recipient and round, so the coordinator
// cannot replay or redirect it. Keys come from hkdf over a fresh per-round key agreement, so a key
// seals few messages and random nonces cannot collide in practice.

import { ErrorCodes, FedrecError } from '../protocol/errors.js';

const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

// Checks and errors both implementations share (this WebCrypto one, shared/node/node-secagg-crypto.ts).
export function checkCipherKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, `Share-cipher key must be ${KEY_BYTES} bytes.`);
  }
}

export function checkSealedLength(sealed: Uint8Array): void {
  if (!(sealed instanceof Uint8Array) || sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new FedrecError(ErrorCodes.SECAGG_BAD_CIPHERTEXT, `Sealed share bundle is shorter than ${NONCE_BYTES + TAG_BYTES} bytes.`);
  }
}

export function failedAuthentication(cause: unknown): FedrecError {
  return new FedrecError(ErrorCodes.SECAGG_BAD_CIPHERTEXT, 'Share bundle failed authentication (tampered, wrong key or wrong context).', { cause });
}

async function importKey(key: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  checkCipherKey(key);
  return crypto.subtle.importKey('raw', key.slice(), 'AES-GCM', false, [usage]);
}

/** nonce (12) ‖ ciphertext ‖ tag (16). */
export async function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const k = await importKey(key, 'encrypt');
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const body = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad.slice(), tagLength: TAG_BYTES * 8 }, k, plaintext.slice());
  const out = new Uint8Array(NONCE_BYTES + body.byteLength);
  out.set(nonce);
  out.set(new Uint8Array(body), NONCE_BYTES);
  return out;
}

/** Throws SECAGG_BAD_CIPHERTEXT on any tampering, wrong aad, wrong key or truncation. */
export async function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const k = await importKey(key, 'decrypt');
  checkSealedLength(sealed);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.slice(0, NONCE_BYTES), additionalData: aad.slice(), tagLength: TAG_BYTES * 8 },
      k,
      sealed.slice(NONCE_BYTES),
    );
    return new Uint8Array(plain);
  } catch (cause) {
    throw failedAuthentication(cause);
  }
}
