// HKDF-SHA256 (RFC 5869) through WebCrypto: turns a key-agreement secret into separate keys for the
// share cipher and the pairwise mask PRG (Bonawitz et al. 2017 use one KA secret per purpose; the `info`
// string separates them and binds the round).

/** `info` is UTF-8 encoded when a string; bytes are used as they are (RFC 5869 test vectors use raw bytes). */
export async function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length = 32): Promise<Uint8Array> {
  checkHkdfLength(length);
  const infoBytes = typeof info === 'string' ? new TextEncoder().encode(info) : info.slice();
  const key = await crypto.subtle.importKey('raw', ikm.slice(), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: salt.slice(), info: infoBytes }, key, length * 8);
  return new Uint8Array(bits);
}

/** RFC 5869 §2.3: at most 255 blocks of the hash's 32 bytes. */
export function checkHkdfLength(length: number): void {
  if (!Number.isInteger(length) || length < 1 || length > 255 * 32) {
    throw new RangeError(`hkdf: length must be an integer in 1..8160 bytes, got ${length}.`);
  }
}
