// The device's side of one SecAgg+ round: fresh keys, Shamir shares of its mask key and self-mask
// seed sealed to each neighbour, the masked quantized update, and answers to the unmasking request
// — refusing any request that would reveal both secrets of one client, or that names too few
// survivors, and (distributed DP) noise below the floor the declared z sets (noise-floor.ts).
// Nothing here touches the network; FedrecClient sends what these methods return.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { DistributedDpParams, SaKeysMessage, SaMaskedMessage, SaNeighboursMessage, SaRelayMessage, SaSharesMessage, SaUnmaskMessage, SaUnmaskRequestMessage, SecureOffer } from '../../shared/protocol/secagg-messages.js';
import type { SecAggCrypto } from '../../shared/secagg/crypto-suite.js';
import { type KeyPairBytes, publicKeyLength } from '../../shared/secagg/key-agreement.js';
import { encodeDistributed } from '../../shared/secagg/distributed-dp.js';
import { quantizeInto } from '../../shared/secagg/quantize.js';
import { rotationSigns } from '../../shared/secagg/rotation.js';
import { applyMasks } from '../../shared/secagg/mask-sum.js';
import { decodeShareBundle, encodeShareBundle, pairMaskKey, pairMaskSign, selfMaskKey, shareAad, shareKey } from '../../shared/secagg/round-keys.js';
import { splitSecret } from '../../shared/secagg/shamir.js';
import { checkNoiseFloor, type DistributedDpRecord, type NoiseFloorInput } from './noise-floor.js';

export interface SecureInput {
  delta: Float32Array;
  clipped: boolean;
  /** Where the delta can be non-zero (quantization skips the rest: zeros stay zeros). */
  ranges?: (fn: (start: number, end: number) => void) => void;
}

interface Neighbour {
  encKey: Uint8Array;
  maskKey: Uint8Array;
}

export class SecureClientRound {
  private enc: KeyPairBytes | null = null;
  private mask: KeyPairBytes | null = null;
  private seed: Uint8Array | null = null;
  private index = 0;
  private threshold = 0;
  private scale = 0;
  /** Distributed DP: this device adds its own share of the round's Skellam noise before masking. */
  private dp: DistributedDpParams | null = null;
  private dpRecord: DistributedDpRecord | null = null;
  private readonly neighbours = new Map<number, Neighbour>();
  /** Share-encryption key per neighbour: ECDH is symmetric, so the same key seals and opens. */
  private readonly shareKeys = new Map<number, Promise<Uint8Array>>();
  /** Shares this device holds, by owner index (its own included): only owners that shared keys. */
  private readonly held = new Map<number, { keyShare: Uint8Array; selfShare: Uint8Array }>();
  /** What it revealed of each owner: never both kinds for one. */
  private readonly revealed = new Map<number, 'self' | 'key'>();
  private relayed = false;

  constructor(
    readonly round: number,
    private readonly offer: SecureOffer,
    /** The platform's cryptography: WebCrypto in browsers, node:crypto in Node (crypto-suite.ts). */
    private readonly crypto: SecAggCrypto,
    /** What the device checks a distributed-DP plan against; without it such a plan is refused. */
    private readonly floor: NoiseFloorInput | null = null,
  ) {}

  private fail(code: (typeof ErrorCodes)[keyof typeof ErrorCodes], message: string): never {
    throw new FedrecError(code, message, { round: this.round });
  }

  /** Stage 1: two fresh key pairs, used for this round only. */
  async keys(): Promise<SaKeysMessage> {
    this.enc = await this.crypto.generateKeyPair(this.offer.curve);
    this.mask = await this.crypto.generateKeyPair(this.offer.curve);
    return { type: 'sa-keys', round: this.round, encKey: this.enc.publicKey, maskKey: this.mask.publicKey };
  }

  /** Stage 2: shares the mask key and a fresh self-mask seed among the neighbours, sealed to each. */
  async shares(m: SaNeighboursMessage): Promise<SaSharesMessage> {
    if (!this.enc || !this.mask || this.index !== 0) this.fail(ErrorCodes.SECAGG_WRONG_STAGE, 'sa-neighbours arrived out of order');
    const k = m.neighbours.length;
    if (m.neighbours.some((n) => n.index === m.index)) this.fail(ErrorCodes.SECAGG_BAD_REQUEST, 'the neighbour list names this client itself');
    // More than half the shares, so no two disjoint groups of share holders can each rebuild a secret.
    if (!(m.threshold >= 2 && m.threshold <= k + 1 && 2 * m.threshold > k + 1)) {
      this.fail(ErrorCodes.SECAGG_BAD_REQUEST, `threshold ${m.threshold} for ${k + 1} shares: it must be more than half of them and at least 2`);
    }
    // Before anything is shared: a refused plan leaves this device out of the round.
    const dpRecord = m.dp ? checkNoiseFloor(m.dp, m.scale, k, this.floor, this.round) : null;
    const len = publicKeyLength(this.offer.curve);
    for (const n of m.neighbours) {
      if (n.encKey.length !== len || n.maskKey.length !== len) this.fail(ErrorCodes.SECAGG_BAD_KEY, `neighbour ${n.index} has a key that is not a ${this.offer.curve} public key`);
      this.neighbours.set(n.index, { encKey: n.encKey, maskKey: n.maskKey });
    }
    this.index = m.index;
    this.threshold = m.threshold;
    this.scale = m.scale;
    this.dp = m.dp ?? null;
    this.dpRecord = dpRecord;
    this.seed = globalThis.crypto.getRandomValues(new Uint8Array(32));
    const keyShares = await splitSecret(this.mask.privateKey, k + 1, m.threshold);
    const selfShares = await splitSecret(this.seed, k + 1, m.threshold);
    this.held.set(this.index, { keyShare: keyShares[0], selfShare: selfShares[0] }); // one share kept
    // Per-neighbour crypto runs concurrently: WebCrypto works off the main thread.
    const out = await Promise.all(
      [...this.neighbours].map(async ([to, n], j) => {
        const bundle = encodeShareBundle({ from: this.index, to, keyShare: keyShares[j + 1], selfShare: selfShares[j + 1] });
        const key = this.shareKeyWith(to, n);
        return { to, sealed: await this.crypto.seal(await key, bundle, shareAad(this.offer.session, this.round, this.index, to)) };
      }),
    );
    return { type: 'sa-shares', round: this.round, shares: out };
  }

  /** Stage 2 → 3: opens the bundles neighbours sealed for this device; their senders are its mask peers. */
  async receive(m: SaRelayMessage): Promise<void> {
    if (!this.enc || this.index === 0 || this.relayed) this.fail(ErrorCodes.SECAGG_WRONG_STAGE, 'sa-relay arrived out of order');
    for (const { from } of m.shares) if (!this.neighbours.has(from)) this.fail(ErrorCodes.SECAGG_BAD_REQUEST, `relayed shares from ${from}, which is not a neighbour`);
    const bundles = await Promise.all(
      m.shares.map(async ({ from, sealed }) => {
        const key = await this.shareKeyWith(from, this.neighbours.get(from)!);
        return { from, b: decodeShareBundle(await this.crypto.open(key, sealed, shareAad(this.offer.session, this.round, from, this.index))) };
      }),
    );
    for (const { from, b } of bundles) {
      if (b.from !== from || b.to !== this.index) this.fail(ErrorCodes.SECAGG_BAD_CIPHERTEXT, `a share bundle names ${b.from} → ${b.to}, not ${from} → ${this.index}`);
      this.held.set(from, { keyShare: b.keyShare, selfShare: b.selfShare });
    }
    this.relayed = true;
  }

  private shareKeyWith(index: number, n: Neighbour): Promise<Uint8Array> {
    let key = this.shareKeys.get(index);
    if (!key) {
      key = shareKey(this.crypto, this.enc!, n.encKey, this.offer.session);
      this.shareKeys.set(index, key);
    }
    return key;
  }

  /** The distributed-DP plan this device accepted (n, μ_i, z, p), for its ledger; null otherwise. */
  get distributed(): DistributedDpRecord | null {
    return this.dpRecord;
  }

  get ready(): boolean {
    return this.relayed;
  }

  /** Stage 3: quantized update + clipped bit (distributed DP: rotated, rounded, noised, no bit), plus the self mask and one pairwise mask per peer. */
  async maskedInput(input: SecureInput, modelVersion: number, uniform: () => number): Promise<SaMaskedMessage> {
    if (!this.relayed || !this.mask || !this.seed) this.fail(ErrorCodes.SECAGG_WRONG_STAGE, 'no relayed shares yet: cannot mask');
    const d = input.delta.length;
    const acc = new Uint32Array(d + 1);
    if (this.dp) {
      const signs = await rotationSigns(this.dp.rotationSeed, d, this.crypto.expander);
      encodeDistributed(input.delta, signs, { scale: this.scale, normBound: this.dp.normBound, noise: this.dp.noise }, acc, uniform);
      // The clipped bit would reach the coordinator without noise: under distributed DP it stays home.
      acc[d] = 0;
    } else {
      quantizeInto(input.delta, this.scale, acc, uniform, input.ranges);
      acc[d] = input.clipped ? 1 : 0;
    }
    const mask = this.mask;
    const peers = [...this.held.keys()].filter((p) => p !== this.index);
    // Keys derived concurrently; then all k + 1 masks added in one pass (mask-sum.ts).
    const [self, ...keys] = await Promise.all([selfMaskKey(this.crypto, this.seed, this.offer.session), ...peers.map((p) => pairMaskKey(this.crypto, mask, this.neighbours.get(p)!.maskKey, this.offer.session))]);
    await applyMasks(acc, [{ key: self, sign: 1 }, ...peers.map((p, j) => ({ key: keys[j], sign: pairMaskSign(this.index, p) }))], this.crypto.expander);
    return { type: 'sa-masked', round: this.round, modelVersion, masked: new Uint8Array(acc.buffer) };
  }

  /** Stage 4: the shares asked for, unless the request would expose a client. */
  unmask(m: SaUnmaskRequestMessage): SaUnmaskMessage {
    if (!this.relayed) this.fail(ErrorCodes.SECAGG_WRONG_STAGE, 'sa-unmask-request before this device sent its input');
    const survivors = new Set(m.survivors);
    for (const i of m.dropped) {
      if (survivors.has(i) || this.revealed.get(i) === 'self') this.fail(ErrorCodes.SECAGG_BOTH_SHARES, `refused: the coordinator asked for both the self-mask and the mask-key share of participant ${i}`);
    }
    for (const i of m.survivors) if (this.revealed.get(i) === 'key') this.fail(ErrorCodes.SECAGG_BOTH_SHARES, `refused: participant ${i}'s mask-key share was already revealed`);
    if (m.dropped.includes(this.index)) this.fail(ErrorCodes.SECAGG_BOTH_SHARES, 'refused: asked for this device\'s own mask key although its input was sent');
    for (const i of [...m.survivors, ...m.dropped]) if (!this.held.has(i)) this.fail(ErrorCodes.SECAGG_BAD_REQUEST, `asked for shares of ${i}, which this device does not hold`);
    if (survivors.size < this.threshold) this.fail(ErrorCodes.SECAGG_BELOW_THRESHOLD, `refused: only ${survivors.size} survivors named in this neighbourhood, fewer than the threshold ${this.threshold}`);
    for (const i of m.survivors) this.revealed.set(i, 'self');
    for (const i of m.dropped) this.revealed.set(i, 'key');
    return {
      type: 'sa-unmask',
      round: this.round,
      selfShares: m.survivors.map((of) => ({ of, share: this.held.get(of)!.selfShare })),
      keyShares: m.dropped.map((of) => ({ of, share: this.held.get(of)!.keyShare })),
    };
  }
}
