import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../protocol/errors.js';
import { SeededRandom } from '../random.js';
import { combineShares, splitSecret } from './shamir.js';

const secret = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);

function* combinations(n: number, t: number, start = 0, prefix: number[] = []): Generator<number[]> {
  if (prefix.length === t) {
    yield prefix;
    return;
  }
  for (let i = start; i <= n - (t - prefix.length); i++) yield* combinations(n, t, i + 1, [...prefix, i]);
}

describe('splitSecret / combineShares', () => {
  it('makes 49-byte shares with distinct non-zero x-coordinates', async () => {
    const shares = await splitSecret(secret, 10, 4);
    expect(shares).toHaveLength(10);
    for (const s of shares) expect(s.length).toBe(49);
    const xs = new Set(shares.map((s) => s[48]));
    expect(xs.size).toBe(10);
    expect(xs.has(0)).toBe(false);
  });

  it('reconstructs from every 4-subset of 6 shares', async () => {
    const shares = await splitSecret(secret, 6, 4);
    let count = 0;
    for (const subset of combinations(6, 4)) {
      expect(await combineShares(subset.map((i) => shares[i]), 4)).toEqual(secret);
      count++;
    }
    expect(count).toBe(15);
  });

  it('reconstructs from random 18-subsets of 31 shares, in any order', async () => {
    const shares = await splitSecret(secret, 31, 18);
    const random = new SeededRandom(7);
    for (let trial = 0; trial < 40; trial++) {
      const picked = random.shuffle([...shares]).slice(0, 18 + (trial % 3));
      expect(await combineShares(picked, 18)).toEqual(secret);
    }
  });

  it('with t-1 shares: TOO_FEW_SHARES (duplicates do not count twice)', async () => {
    const shares = await splitSecret(secret, 6, 4);
    await expect(combineShares(shares.slice(0, 3), 4)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_TOO_FEW_SHARES });
    const dup = [shares[0], shares[1], shares[2], Uint8Array.from(shares[2])];
    await expect(combineShares(dup, 4)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_TOO_FEW_SHARES });
  });

  it('with exactly t shares and one flipped byte: SHARE_CORRUPT', async () => {
    const shares = await splitSecret(secret, 6, 4);
    for (const byte of [0, 31, 32, 47]) {
      const picked = shares.slice(0, 4).map((s) => Uint8Array.from(s));
      picked[2][byte] ^= 0x10;
      await expect(combineShares(picked, 4)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_SHARE_CORRUPT });
    }
  });

  it('with t+2 shares and one corrupted: the correct secret (robust reconstruction)', async () => {
    for (const [n, t] of [
      [8, 4],
      [31, 18],
    ]) {
      const shares = await splitSecret(secret, n, t);
      for (const bad of [0, t - 1, t + 1]) {
        const picked = shares.slice(0, t + 2).map((s) => Uint8Array.from(s));
        picked[bad][5] ^= 0xff;
        expect(await combineShares(picked, t)).toEqual(secret);
      }
    }
  });

  it('with many spare shares and two corrupted: still the correct secret (pseudo-random subsets)', async () => {
    const shares = await splitSecret(secret, 40, 10);
    const picked = shares.map((s) => Uint8Array.from(s));
    picked[0][1] ^= 1;
    picked[39][2] ^= 1;
    expect(await combineShares(picked, 10)).toEqual(secret);
  });

  it('more bad shares than spare ones: SHARE_CORRUPT', async () => {
    const shares = await splitSecret(secret, 6, 4);
    const picked = shares.slice(0, 5).map((s) => Uint8Array.from(s));
    // Different bytes: two errors in the same byte can cancel in a subset holding both (when their
    // Lagrange weights at 0 coincide: 31 of 3,000 random splits), and then that
    // subset rightly rebuilds the secret. Errors in different bytes never cancel (no weight at 0 is 0).
    picked[0][0] ^= 1;
    picked[4][1] ^= 1;
    await expect(combineShares(picked, 4)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_SHARE_CORRUPT });
  });

  it('malformed shares: SHARE_CORRUPT', async () => {
    const shares = await splitSecret(secret, 6, 4);
    const short = [shares[0].subarray(0, 48), shares[1], shares[2], shares[3]];
    await expect(combineShares(short, 4)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_SHARE_CORRUPT });
    const sameX = Uint8Array.from(shares[1]);
    sameX[48] = shares[0][48];
    await expect(combineShares([shares[0], sameX, shares[2], shares[3]], 4)).rejects.toMatchObject({
      code: ErrorCodes.SECAGG_SHARE_CORRUPT,
    });
    const zeroX = Uint8Array.from(shares[1]);
    zeroX[48] = 0;
    await expect(combineShares([shares[0], zeroX, shares[2], shares[3]], 4)).rejects.toMatchObject({
      code: ErrorCodes.SECAGG_SHARE_CORRUPT,
    });
  });

  it('one dishonest holder cannot abort what the honest ones can finish: malformed and disputed shares are dropped', async () => {
    const shares = await splitSecret(secret, 8, 4);
    const short = shares[0].subarray(0, 48);
    const zeroX = Uint8Array.from(shares[1]);
    zeroX[48] = 0;
    const claimsX = Uint8Array.from(shares[3]); // a made-up share that claims shares[2]'s x-coordinate
    claimsX[48] = shares[2][48];
    claimsX[0] ^= 0xff;
    // Dropped: the short one, x = 0, and both shares of the disputed x; shares[4..7] remain.
    const got = await combineShares([short, zeroX, shares[2], claimsX, ...shares.slice(4)], 4);
    expect(Array.from(got)).toEqual(Array.from(secret));
    // With fewer than t left after dropping, the cause is named: SHARE_CORRUPT, not TOO_FEW_SHARES.
    await expect(combineShares([short, shares[2], claimsX, ...shares.slice(4, 6)], 4)).rejects.toMatchObject({ code: ErrorCodes.SECAGG_SHARE_CORRUPT });
  });

  it('accepts Buffer shares (as decoded from the wire)', async () => {
    const shares = await splitSecret(secret, 5, 3);
    expect(await combineShares(shares.slice(1, 4).map((s) => Buffer.from(s)), 3)).toEqual(secret);
  });

  it('draws fresh randomness: the same secret splits differently twice', async () => {
    const a = await splitSecret(secret, 5, 3);
    const b = await splitSecret(secret, 5, 3);
    const key = (s: Uint8Array[]) => s.map((x) => Buffer.from(x).toString('hex')).join();
    expect(key(a)).not.toBe(key(b));
    expect(await combineShares(a.slice(0, 3), 3)).toEqual(await combineShares(b.slice(2, 5), 3));
  });

  it('validates parameters with RangeErrors that name them', async () => {
    await expect(splitSecret(secret.subarray(0, 31), 5, 3)).rejects.toThrow(/secret/);
    await expect(splitSecret(secret, 5, 1)).rejects.toThrow(/threshold/);
    await expect(splitSecret(secret, 2, 3)).rejects.toThrow(/shares/);
    await expect(splitSecret(secret, 256, 3)).rejects.toThrow(RangeError);
    await expect(combineShares([], 1)).rejects.toThrow(/threshold/);
  });

  it('supports the extremes: 255 shares, threshold 2 and 255', async () => {
    const wide = await splitSecret(secret, 255, 2);
    expect(await combineShares([wide[100], wide[254]], 2)).toEqual(secret);
    const full = await splitSecret(secret, 255, 255);
    expect(await combineShares(full, 255)).toEqual(secret);
  });
});
