// The coordinator's side of one SecAgg+ round: who takes part, the stage it is in, and waiting
// for each stage to settle. The answers are checked and recorded in secure-answers.ts (the masked
// inputs summed mod 2^32 as they arrive); each stage move's messages go out from secure-sends.ts;
// unmask.ts removes the masks. It never holds a single client's update: only keys, ciphertexts and
// a running sum of masked words.

import type { Curve, DistributedDpParams, SaKeysMessage, SaMaskedMessage, SaSharesMessage, SaUnmaskMessage } from '../../shared/protocol/secagg-messages.js';
import type { Neighbourhoods } from './neighbourhoods.js';
import { acceptKeys, acceptMasked, acceptShares, acceptUnmask } from './secure-answers.js';
import { sendNeighbourhoods, sendRelays, sendUnmaskRequests } from './secure-sends.js';

export type SecureStage = 'keys' | 'shares' | 'masked' | 'unmask' | 'closed';

export interface Participant {
  clientId: string;
  /** 1-based round-local index (assigned when the neighbourhoods are drawn). */
  index: number;
  encKey: Uint8Array;
  maskKey: Uint8Array;
  neighbours: number[];
  /** Sealed bundles it sent, by receiver index (stage 2). */
  sealed: Map<number, Uint8Array> | null;
  masked: boolean;
  /** Unmask request it was sent (stage 4) and what it answered. */
  asked: { survivors: Set<number>; dropped: Set<number> } | null;
  answered: boolean;
  gone: boolean;
}

export interface SecureRoundSpec {
  round: number;
  modelVersion: number;
  /** Words of a masked input: the model's parameters plus one clipped bit. */
  words: number;
  curve: Curve;
  send(clientId: string, message: object): boolean;
  /** Refuses public keys no one can agree with (SecAggCrypto.checkPublicKey; lengths are always checked). */
  checkKey?: (curve: Curve, publicKey: Uint8Array) => void;
}

/** Answers collected for unmasking: shares of each survivor's seed and each dropped client's mask key. */
export interface UnmaskShares {
  selfShares: Map<number, Uint8Array[]>;
  keyShares: Map<number, Uint8Array[]>;
}

export class SecureRound {
  stage: SecureStage = 'keys';
  readonly byClient = new Map<string, Participant>();
  readonly byIndex = new Map<number, Participant>();
  /** Running sum of masked inputs mod 2^32 (stage 3). */
  readonly sum: Uint32Array;
  readonly shares: UnmaskShares = { selfShares: new Map(), keyShares: new Map() };
  /** One reused buffer for misaligned masked inputs (msgpack puts the bytes at any offset). */
  scratch: Uint32Array | null = null;
  private wake: (() => void) | null = null;
  private endWait: (() => void) | null = null;

  constructor(readonly spec: SecureRoundSpec) {
    this.sum = new Uint32Array(spec.words);
  }

  // ---- stage bookkeeping -------------------------------------------------------------------

  /**
   * Resolves when the stage is settled — every participant expected in it answered or left (or
   * `settled` says so, for the key stage, whose participants are not known in advance) — or at the
   * deadline.
   */
  waitForStage(deadlineMs: number, settled: () => boolean = () => this.settled()): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        this.endWait = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadlineMs));
      this.endWait = done;
      this.wake = () => {
        if (settled()) done();
      };
      this.wake();
    });
  }

  /** Ends a stage wait now (coordinator stopping). */
  interrupt(): void {
    this.endWait?.();
  }

  private settled(): boolean {
    const all = [...this.byClient.values()];
    switch (this.stage) {
      case 'shares':
        return all.every((p) => p.gone || p.sealed !== null);
      case 'masked':
        return all.every((p) => p.gone || p.sealed === null || p.masked);
      case 'unmask':
        return all.every((p) => p.gone || p.asked === null || p.answered);
      default:
        return false;
    }
  }

  /** Re-checks the stage wait (a key arrived, a client left). */
  poke(): void {
    this.wake?.();
  }

  /** Forgets advertisers that left before the neighbourhoods were drawn: they get no index. */
  dropGoneAdvertisers(): void {
    for (const [id, p] of this.byClient) if (p.gone) this.byClient.delete(id);
  }

  /** U1, U2, U3: who advertised keys, who shared, whose masked input arrived (all still counted if they left later). */
  advertised(): Participant[] {
    return [...this.byClient.values()];
  }
  shared(): Participant[] {
    return this.advertised().filter((p) => p.sealed !== null);
  }
  survivors(): Participant[] {
    return this.advertised().filter((p) => p.masked);
  }

  // ---- answers (checked and recorded in secure-answers.ts) ---------------------------------

  onKeys(clientId: string, m: SaKeysMessage): void {
    acceptKeys(this, clientId, m);
  }

  onShares(clientId: string, m: SaSharesMessage): void {
    acceptShares(this, clientId, m);
  }

  onMasked(clientId: string, m: SaMaskedMessage): void {
    acceptMasked(this, clientId, m);
  }

  onUnmask(clientId: string, m: SaUnmaskMessage): void {
    acceptUnmask(this, clientId, m);
  }

  onDisconnect(clientId: string): void {
    const p = this.byClient.get(clientId);
    if (!p || p.gone) return;
    p.gone = true;
    this.poke();
  }

  // ---- stage moves (what the coordinator sends: secure-sends.ts) ----------------------------

  /** Stage 1 → 2: indices, neighbourhoods, and each client's sa-neighbours. */
  assignNeighbourhoods(graph: Neighbourhoods, scale: number, dp: DistributedDpParams | null = null): void {
    sendNeighbourhoods(this, graph, scale, dp);
  }

  /** Stage 2 → 3: each sharer's sa-relay. */
  relayShares(): void {
    sendRelays(this);
  }

  /** Stage 3 → 4: each survivor's sa-unmask-request. */
  requestShares(): void {
    sendUnmaskRequests(this);
  }

  close(): void {
    this.stage = 'closed';
    this.wake = null;
  }
}
