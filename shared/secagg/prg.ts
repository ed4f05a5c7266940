// Mask expansion for SecAgg+ (Bonawitz et al. 2017, §4 PRG): a 256-bit seed (a self-mask seed or an
// hkdf-derived pairwise key) becomes a vector of uniform words in Z_2^32 as the AES-256-CTR keystream
// (NIST SP 800-38A §6.5) with a zero initial counter block. AES-CTR is a real PRG under the usual PRP
// assumption; folding or repeating the seed would not be. Masks are added mod 2^32, matching quantize.ts.
// shared/node/node-prg.ts computes the same keystream with node:crypto (faster in Node); both must agree
// byte for byte, since a client and the coordinator may expand the same seed with different ones.

import { ErrorCodes, FedrecError } from '../protocol/errors.js';

/** Reads a keystream in order: each call returns its next `bytes` bytes. */
export type KeystreamReader = (bytes: number) => Uint8Array;

/** One mask of a sum: the keystream of `key`, added (+1) or subtracted (-1) mod 2^32. */
export interface MaskTerm {
  /** 32-byte AES-CTR key of the mask. */
  key: Uint8Array;
  sign: 1 | -1;
}

/**
 * Expands a 32-byte key to `words` uniform 32-bit words (little-endian words of the keystream). The
 * optional members are faster routes to the same words that mask-sum.ts takes when present.
 */
export type MaskExpander = ((key: Uint8Array, words: number) => Promise<Uint32Array>) & {
  /** The same keystream, synchronously and piece by piece (node:crypto can; WebCrypto cannot). */
  readonly reader?: (key: Uint8Array) => KeystreamReader;
  /** acc ± every term's mask (mod 2^32) in place, computed wherever the platform likes (node-prg.ts: off the calling thread). */
  readonly addTo?: (acc: Uint32Array, terms: readonly MaskTerm[]) => Promise<void>;
};

const KEY_BYTES = 32;

export function checkExpanderArgs(key: Uint8Array, words: number): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, `Mask seed must be ${KEY_BYTES} bytes.`);
  }
  // 2^28 words = 1 GiB: far beyond any model here, and far below the 2^64-block counter space.
  if (!Number.isInteger(words) || words < 0 || words > 2 ** 28) {
    throw new RangeError(`Mask length must be an integer in 0..2^28 words, got ${words}.`);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reads the keystream as little-endian words on every platform (byte-swaps on big-endian hosts). */
export function wordsFromKeystream(buffer: ArrayBuffer): Uint32Array {
  const words = new Uint32Array(buffer);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      words[i] = ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
    }
  }
  return words;
}

export const webCryptoExpander: MaskExpander = async (key, words) => {
  checkExpanderArgs(key, words);
  const k = await crypto.subtle.importKey('raw', key.slice(), 'AES-CTR', false, ['encrypt']);
  const keystream = await crypto.subtle.encrypt({ name: 'AES-CTR', counter: new Uint8Array(16), length: 64 }, k, new Uint8Array(4 * words));
  return wordsFromKeystream(keystream);
};

// Adding a mask: WebAssembly SIMD where available, else a JS loop (word-add.ts).
export { addInto, subInto } from './word-add.js';
