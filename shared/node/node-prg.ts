// The SecAgg+ mask PRG (shared/secagg/prg.ts) through node:crypto: the same AES-256-CTR keystream with
// a zero initial counter block (NIST SP 800-38A §6.5), byte for byte, without WebCrypto's per-call
// promise and thread-pool hop. For the coordinator and Node clients; browsers use webCryptoExpander.

import { createCipheriv } from 'node:crypto';
import { checkExpanderArgs, wordsFromKeystream } from '../secagg/prg.js';
import type { MaskExpander } from '../secagg/prg.js';

const ZERO_IV = new Uint8Array(16);
/** Plaintext zeros, grown on demand and reused: the cipher never writes to its input. */
let zeros = new Uint8Array(0);

export const nodeExpander: MaskExpander = async (key, words) => {
  checkExpanderArgs(key, words);
  const bytes = 4 * words;
  if (zeros.length < bytes) zeros = new Uint8Array(bytes);
  const cipher = createCipheriv('aes-256-ctr', key, ZERO_IV);
  const head = cipher.update(zeros.subarray(0, bytes));
  const tail = cipher.final(); // empty for CTR; called so the cipher is released cleanly
  if (tail.length === 0 && head.byteOffset === 0 && head.buffer.byteLength === bytes) {
    return wordsFromKeystream(head.buffer as ArrayBuffer); // the usual case: a buffer of its own, no copy
  }
  // Otherwise copy into a fresh, 4-byte-aligned buffer (Node may hand back a slice of a shared pool).
  const out = new Uint8Array(bytes);
  out.set(head);
  out.set(tail, head.length);
  return wordsFromKeystream(out.buffer);
};
