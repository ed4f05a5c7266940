// Threshold sharing of 32-byte secrets (a client's self-mask seed and its mask private key; Bonawitz et
// al. 2017 §4 SS.share / SS.recon) with Shamir's scheme over GF(2^8) from the audited
// `shamir-secret-sharing` package. Each secret carries a 16-byte check tag, SHA-256("fedrec-shamir-check-
// v1" ‖ secret), so a reconstruction from a corrupted share is detected instead of silently unmasking
// the sum with a wrong key; with more than t shares, other t-subsets are tried (robust reconstruction).
// Share layout (from the package): 48 y-bytes ‖ 1 x-coordinate byte in 1..255.

import { combine, split } from 'shamir-secret-sharing';
import { ErrorCodes, FedrecError } from '../protocol/errors.js';
import { SeededRandom } from '../random.js';
import { sha256 } from '../sha256.js';

const SECRET_BYTES = 32;
const TAG_BYTES = 16;
const SHARE_BYTES = SECRET_BYTES + TAG_BYTES + 1;
const CHECK_PREFIX = new TextEncoder().encode('fedrec-shamir-check-v1');
/** Upper bound on t-subsets tried by combineShares, the first one included. */
export const MAX_SUBSETS = 2000;

function checkTag(secret: Uint8Array): Uint8Array {
  const input = new Uint8Array(CHECK_PREFIX.length + SECRET_BYTES);
  input.set(CHECK_PREFIX);
  input.set(secret, CHECK_PREFIX.length);
  return sha256(input).subarray(0, TAG_BYTES);
}

/**
 * Splits a 32-byte secret into `shares` shares (49 bytes each), any `threshold` of which reconstruct it.
 * Requires 2 ≤ threshold ≤ shares ≤ 255: the package cannot share at threshold 1 (that would be a copy
 * of the secret anyway) and x-coordinates are single bytes.
 */
export async function splitSecret(secret: Uint8Array, shares: number, threshold: number): Promise<Uint8Array[]> {
  if (!(secret instanceof Uint8Array) || secret.length !== SECRET_BYTES) {
    throw new RangeError(`splitSecret: secret must be ${SECRET_BYTES} bytes.`);
  }
  if (!Number.isInteger(threshold) || threshold < 2) throw new RangeError(`splitSecret: threshold must be an integer ≥ 2, got ${threshold}.`);
  if (!Number.isInteger(shares) || shares < threshold || shares > 255) {
    throw new RangeError(`splitSecret: shares must be an integer in threshold..255 (${threshold}..255), got ${shares}.`);
  }
  const payload = new Uint8Array(SECRET_BYTES + TAG_BYTES);
  payload.set(secret);
  payload.set(checkTag(secret), SECRET_BYTES);
  return split(payload, shares, threshold);
}

/**
 * Reconstructs the 32-byte secret from at least `threshold` distinct shares. Byte-identical duplicates
 * count once. Throws SECAGG_TOO_FEW_SHARES below the threshold, SECAGG_SHARE_CORRUPT for malformed
 * shares, two different shares at one x-coordinate, or when no tried t-subset passes the check tag.
 * Robustness is best effort: at most MAX_SUBSETS subsets are tried — all of them in a fixed order when
 * there are that few, else a fixed pseudo-random sequence; detection of a wrong secret is not.
 */
export async function combineShares(shares: Uint8Array[], threshold: number): Promise<Uint8Array> {
  return (await reconstructSecret(shares, threshold)).secret;
}

/** What a reconstruction met besides the secret: for the coordinator's log, since some holder lied or broke. */
export interface Reconstruction {
  secret: Uint8Array;
  /** Shares left out before combining: malformed, or of an x-coordinate two holders disputed. */
  dropped: number;
  /** t-subsets tried before one passed its check (1 when the first did: no share was wrong). */
  subsets: number;
}

/** combineShares, reporting the shares it had to drop and the subsets it had to try. */
export async function reconstructSecret(shares: Uint8Array[], threshold: number): Promise<Reconstruction> {
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > 255) {
    throw new RangeError(`combineShares: threshold must be an integer in 2..255, got ${threshold}.`);
  }
  const { distinct, dropped } = distinctShares(shares);
  if (distinct.length < threshold) {
    // A malformed or conflicting share made the difference: say so, rather than "too few".
    if (dropped > 0) throw new FedrecError(ErrorCodes.SECAGG_SHARE_CORRUPT, `Only ${distinct.length} well-formed, unambiguous shares of the ${threshold} needed (${dropped} dropped).`);
    throw new FedrecError(ErrorCodes.SECAGG_TOO_FEW_SHARES, `Reconstruction needs ${threshold} shares, got ${distinct.length}.`);
  }
  let tried = 0;
  for (const subset of subsets(distinct.length, threshold)) {
    tried++;
    const payload = await combine(subset.map((i) => distinct[i]));
    const secret = payload.slice(0, SECRET_BYTES);
    if (equalBytes(checkTag(secret), payload.subarray(SECRET_BYTES))) return { secret, dropped, subsets: tried };
  }
  throw new FedrecError(ErrorCodes.SECAGG_SHARE_CORRUPT, `No set of ${threshold} of the ${distinct.length} shares reconstructs a secret that passes its check.`);
}

/**
 * The usable shares, copied into plain Uint8Arrays (the package rejects Buffer and other subclasses):
 * identical copies count once; a malformed share (wrong length, x-coordinate 0, which would be the
 * secret itself) is dropped, and so is every share of an x-coordinate two holders disagree on (one of
 * them lies, and either could). Dropping instead of failing keeps one dishonest holder from aborting
 * a reconstruction the honest ones can finish.
 */
function distinctShares(shares: Uint8Array[]): { distinct: Uint8Array[]; dropped: number } {
  const byX = new Map<number, Uint8Array | null>(); // null: disputed
  let dropped = 0;
  for (const share of shares) {
    if (!(share instanceof Uint8Array) || share.length !== SHARE_BYTES || share[SHARE_BYTES - 1] === 0) {
      dropped++;
      continue;
    }
    const x = share[SHARE_BYTES - 1];
    const seen = byX.get(x);
    if (seen === undefined) byX.set(x, new Uint8Array(share));
    else if (seen !== null && !equalBytes(seen, share)) {
      byX.set(x, null);
      dropped += 2;
    } else if (seen === null) dropped++;
  }
  return { distinct: [...byX.values()].filter((s): s is Uint8Array => s !== null), dropped };
}

/**
 * Index t-subsets of 0..m-1 to try, the first t first. When C(m, t) ≤ MAX_SUBSETS all of them, ordered by
 * the excluded set in lexicographic order (so a bad share early in the list is dropped early); else
 * MAX_SUBSETS - 1 pseudo-random subsets from a fixed seed, so the search is reproducible.
 */
function* subsets(m: number, t: number): Generator<number[]> {
  const first = Array.from({ length: t }, (_, i) => i);
  yield first;
  if (m === t) return;
  const e = m - t;
  if (binomialAtMost(m, e, MAX_SUBSETS)) {
    const excluded = Array.from({ length: e }, (_, i) => i);
    for (;;) {
      if (excluded[0] !== t) yield complement(m, excluded); // excluded = t..m-1 is the first subset
      let i = e - 1;
      while (i >= 0 && excluded[i] === m - e + i) i--;
      if (i < 0) return;
      excluded[i]++;
      for (let j = i + 1; j < e; j++) excluded[j] = excluded[j - 1] + 1;
    }
  }
  const random = new SeededRandom('fedrec-shamir-robust-v1');
  const indices = Array.from({ length: m }, (_, i) => i);
  for (let tried = 1; tried < MAX_SUBSETS; tried++) {
    for (let i = 0; i < t; i++) {
      const j = i + random.int(m - i);
      [indices[i], indices[j]] = [indices[j], indices[i]];
    }
    yield indices.slice(0, t).sort((a, b) => a - b);
  }
}

function complement(m: number, excluded: number[]): number[] {
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < m; i++) {
    if (k < excluded.length && excluded[k] === i) k++;
    else out.push(i);
  }
  return out;
}

/** C(m, k) ≤ limit, computed without overflow. */
function binomialAtMost(m: number, k: number, limit: number): boolean {
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (m - k + i)) / i;
    if (c > limit) return false;
  }
  return true;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
