// Everything both sides derive from the round's key material, in one place so client and
// coordinator cannot drift: the share-encryption key, the pairwise and self mask keys (each a
// 256-bit AES key, domain-separated by HKDF and salted with the round's fresh session bytes), the
// sealed share bundle's layout and associated data, and the sign of a pairwise mask. Agreement and
// HKDF come from the platform's suite (crypto-suite.ts), never a hand-made implementation.

import { ErrorCodes, FedrecError } from '../protocol/errors.js';
import type { SecAggCrypto } from './crypto-suite.js';
import type { KeyPairBytes } from './key-agreement.js';

const SHARE_INFO = 'fedrec/secagg/v1/share-encryption';
const PAIR_INFO = 'fedrec/secagg/v1/pairwise-mask';
const SELF_INFO = 'fedrec/secagg/v1/self-mask';

/** AES-GCM key for the shares `own` sends to (or receives from) the holder of `peerEncKey`. */
export async function shareKey(c: SecAggCrypto, own: KeyPairBytes, peerEncKey: Uint8Array, session: Uint8Array): Promise<Uint8Array> {
  return c.hkdf(await c.agree(own, peerEncKey), session, SHARE_INFO);
}

/** AES-CTR key of the mask two clients share; the same from either side. */
export async function pairMaskKey(c: SecAggCrypto, own: KeyPairBytes, peerMaskKey: Uint8Array, session: Uint8Array): Promise<Uint8Array> {
  return c.hkdf(await c.agree(own, peerMaskKey), session, PAIR_INFO);
}

/** AES-CTR key of a client's self mask, from its 32-byte secret seed b. */
export function selfMaskKey(c: SecAggCrypto, seed: Uint8Array, session: Uint8Array): Promise<Uint8Array> {
  return c.hkdf(seed, session, SELF_INFO);
}

/** The sign that makes a pairwise mask cancel: the lower index adds it, the higher subtracts it. */
export function pairMaskSign(ownIndex: number, peerIndex: number): 1 | -1 {
  return ownIndex < peerIndex ? 1 : -1;
}

/** Binds a sealed bundle to its round, sender and receiver, so a relayed bundle cannot be replayed elsewhere. */
export function shareAad(session: Uint8Array, round: number, from: number, to: number): Uint8Array {
  const out = new Uint8Array(session.length + 12);
  out.set(session, 0);
  const v = new DataView(out.buffer);
  v.setUint32(session.length, round);
  v.setUint32(session.length + 4, from);
  v.setUint32(session.length + 8, to);
  return out;
}

export interface ShareBundle {
  from: number;
  to: number;
  /** Share of the sender's mask private key (revealed only if the sender drops). */
  keyShare: Uint8Array;
  /** Share of the sender's self-mask seed (revealed only if the sender's input arrived). */
  selfShare: Uint8Array;
}

/** from u32 | to u32 | keyShare length u8 | keyShare | selfShare. */
export function encodeShareBundle(b: ShareBundle): Uint8Array {
  const out = new Uint8Array(9 + b.keyShare.length + b.selfShare.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, b.from);
  v.setUint32(4, b.to);
  out[8] = b.keyShare.length;
  out.set(b.keyShare, 9);
  out.set(b.selfShare, 9 + b.keyShare.length);
  return out;
}

export function decodeShareBundle(bytes: Uint8Array): ShareBundle {
  if (bytes.length < 10 || bytes.length < 9 + bytes[8] + 1) throw new FedrecError(ErrorCodes.SECAGG_BAD_CIPHERTEXT, 'a share bundle is too short');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes[8];
  return { from: v.getUint32(0), to: v.getUint32(4), keyShare: bytes.slice(9, 9 + n), selfShare: bytes.slice(9 + n) };
}
