// Removes the masks from a round's masked sum: each survivor's self mask (its seed rebuilt from t
// shares) and, for each client that shared keys but sent no input, the pairwise masks its
// surviving neighbours added (its mask key rebuilt from t shares). What is left is the exact sum
// of the survivors' quantized inputs mod 2^32.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { Curve } from '../../shared/protocol/secagg-messages.js';
import type { KeyPairBytes } from '../../shared/secagg/key-agreement.js';
import { applyMasks, type MaskTerm } from '../../shared/secagg/mask-sum.js';
import type { SecAggCrypto } from '../../shared/secagg/crypto-suite.js';
import { pairMaskKey, pairMaskSign, selfMaskKey } from '../../shared/secagg/round-keys.js';
import { reconstructSecret } from '../../shared/secagg/shamir.js';
import type { SecureRound } from './secure-round.js';

export interface UnmaskSettings {
  threshold: number;
  curve: Curve;
  session: Uint8Array;
  crypto: SecAggCrypto;
}

export interface UnmaskResult {
  /** The survivors' summed quantized inputs (the masked sum array, unmasked in place). */
  sum: Uint32Array;
  survivors: number;
  dropped: number;
  /** Shares that were malformed, disputed or failed a check: a holder lied or broke, yet t others sufficed. */
  badShares: { dropped: number; retried: number };
}

export async function unmask(r: SecureRound, s: UnmaskSettings): Promise<UnmaskResult> {
  const round = r.spec.round;
  const badShares = { dropped: 0, retried: 0 };
  const rebuild = async (shares: Uint8Array[] | undefined, what: string): Promise<Uint8Array> => {
    const have = shares?.length ?? 0;
    if (have < s.threshold) throw new FedrecError(ErrorCodes.SECAGG_BELOW_THRESHOLD, `round ${round}: ${have} shares of ${what}, ${s.threshold} needed`, { round });
    const r = await reconstructSecret(shares!, s.threshold);
    badShares.dropped += r.dropped;
    if (r.subsets > 1) badShares.retried++;
    return r.secret;
  };
  const survivors = r.survivors();
  const dropped = r.shared().filter((p) => !p.masked);
  // Every mask to remove, then one pass over the sum (mask-sum.ts): order does not matter mod 2^32.
  const selfTerms = survivors.map(async (u): Promise<MaskTerm> => {
    const seed = await rebuild(r.shares.selfShares.get(u.index), `a survivor's self-mask seed`);
    return { key: await selfMaskKey(s.crypto, seed, s.session), sign: -1 };
  });
  const pairTerms = dropped.map(async (u): Promise<MaskTerm[]> => {
    const privateKey = await rebuild(r.shares.keyShares.get(u.index), `a dropped client's mask key`);
    const own: KeyPairBytes = { curve: s.curve, publicKey: u.maskKey, privateKey };
    const peers = u.neighbours.map((i) => r.byIndex.get(i)!).filter((v) => v.masked);
    // v added its mask with u; computing it from u's side and applying it as u would cancels it.
    return Promise.all(peers.map(async (v): Promise<MaskTerm> => ({ key: await pairMaskKey(s.crypto, own, v.maskKey, s.session), sign: pairMaskSign(u.index, v.index) })));
  });
  const [self, pairs] = await Promise.all([Promise.all(selfTerms), Promise.all(pairTerms)]);
  await applyMasks(r.sum, [...self, ...pairs.flat()], s.crypto.expander);
  return { sum: r.sum, survivors: survivors.length, dropped: dropped.length, badShares };
}
