// The coordinator's side of one SecAgg+ round, stage by stage: collect public keys, hand out
// neighbourhoods, relay sealed shares it cannot open, sum masked inputs mod 2^32 as they arrive,
// ask survivors for exactly the shares it needs, and hand the masked sum to unmasking. It never
// holds a single client's update: only keys, ciphertexts and a running sum of masked words.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { Curve, DistributedDpParams, SaKeysMessage, SaMaskedMessage, SaSharesMessage, SaUnmaskMessage } from '../../shared/protocol/secagg-messages.js';
import { publicKeyLength } from '../../shared/secagg/key-agreement.js';
import { addInto } from '../../shared/secagg/prg.js';
import type { Neighbourhoods } from './neighbourhoods.js';

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

  // ---- messages ----------------------------------------------------------------------------

  private expectStage(stage: SecureStage, type: string): void {
    if (this.stage !== stage) throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, `round ${this.spec.round} is in its ${this.stage} stage; ${type} belongs to the ${stage} stage`, { round: this.spec.round });
  }

  private participant(clientId: string, type: string): Participant {
    const p = this.byClient.get(clientId);
    if (!p || p.gone) throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, `${type}: this client is not a participant of round ${this.spec.round}'s secure aggregation`, { round: this.spec.round });
    return p;
  }

  onKeys(clientId: string, m: SaKeysMessage): void {
    this.expectStage('keys', m.type);
    if (this.byClient.has(clientId)) throw new FedrecError(ErrorCodes.DUPLICATE_UPDATE, `round ${m.round} already has this client's keys`, { round: m.round });
    const len = publicKeyLength(this.spec.curve);
    if (m.encKey.length !== len || m.maskKey.length !== len) throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, `round ${m.round} uses ${this.spec.curve}: public keys are ${len} bytes`, { round: m.round });
    if (equalBytes(m.encKey, m.maskKey)) throw new FedrecError(ErrorCodes.SECAGG_BAD_KEY, 'the encryption and mask keys must be two different fresh keys', { round: m.round });
    this.byClient.set(clientId, { clientId, index: 0, encKey: m.encKey, maskKey: m.maskKey, neighbours: [], sealed: null, masked: false, asked: null, answered: false, gone: false });
  }

  onShares(clientId: string, m: SaSharesMessage): void {
    this.expectStage('shares', m.type);
    const p = this.participant(clientId, m.type);
    if (p.sealed) throw new FedrecError(ErrorCodes.DUPLICATE_UPDATE, `round ${m.round} already has this client's shares`, { round: m.round });
    const to = m.shares.map((s) => s.to).sort((a, b) => a - b);
    if (to.length !== p.neighbours.length || to.some((x, i) => x !== p.neighbours[i])) {
      throw new FedrecError(ErrorCodes.SECAGG_BAD_REQUEST, `sa-shares must hold exactly one sealed bundle for each of the client's ${p.neighbours.length} neighbours`, { round: m.round });
    }
    p.sealed = new Map(m.shares.map((s) => [s.to, s.sealed]));
    this.poke();
  }

  /** One reused buffer for misaligned inputs (msgpack puts the bytes at any offset). */
  private scratch: Uint32Array | null = null;

  /**
   * The input as words: a view when aligned, else copied into the scratch buffer. A fresh 1.2 MB
   * copy per input (zero-fill, copy, garbage) cost the intake a third of bare ws's rate (W2 secure).
   */
  private wordsOf(bytes: Uint8Array): Uint32Array {
    if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    this.scratch ??= new Uint32Array(this.spec.words);
    new Uint8Array(this.scratch.buffer).set(bytes);
    return this.scratch;
  }

  onMasked(clientId: string, m: SaMaskedMessage): void {
    this.expectStage('masked', m.type);
    const p = this.participant(clientId, m.type);
    if (!p.sealed) throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, 'a masked input from a client that shared no keys cannot be unmasked', { round: m.round });
    if (p.masked) throw new FedrecError(ErrorCodes.DUPLICATE_UPDATE, `round ${m.round} already has this client's masked input`, { round: m.round });
    if (m.modelVersion !== this.spec.modelVersion) throw new FedrecError(ErrorCodes.MODEL_VERSION_MISMATCH, `masked input is for model version ${m.modelVersion}; round ${m.round} trains version ${this.spec.modelVersion}`, { round: m.round });
    if (m.masked.byteLength !== this.spec.words * 4) throw new FedrecError(ErrorCodes.WRONG_SIZE, `masked input has ${m.masked.byteLength / 4} words; the round's vector has ${this.spec.words}`, { round: m.round });
    addInto(this.sum, this.wordsOf(m.masked));
    p.masked = true;
    this.poke();
  }

  onUnmask(clientId: string, m: SaUnmaskMessage): void {
    this.expectStage('unmask', m.type);
    const p = this.participant(clientId, m.type);
    if (!p.asked) throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, 'this client was not asked for shares', { round: m.round });
    if (p.answered) throw new FedrecError(ErrorCodes.DUPLICATE_UPDATE, `round ${m.round} already has this client's shares for unmasking`, { round: m.round });
    const selfOf = m.selfShares.map((s) => s.of);
    const keyOf = m.keyShares.map((s) => s.of);
    if (!sameSet(selfOf, p.asked.survivors) || !sameSet(keyOf, p.asked.dropped)) {
      throw new FedrecError(ErrorCodes.SECAGG_BAD_REQUEST, 'sa-unmask must answer exactly the shares that were asked for', { round: m.round });
    }
    for (const s of m.selfShares) push(this.shares.selfShares, s.of, s.share);
    for (const s of m.keyShares) push(this.shares.keyShares, s.of, s.share);
    p.answered = true;
    this.poke();
  }

  onDisconnect(clientId: string): void {
    const p = this.byClient.get(clientId);
    if (!p || p.gone) return;
    p.gone = true;
    this.poke();
  }

  // ---- what the coordinator sends ----------------------------------------------------------

  /**
   * Stage 1 → 2: numbers the advertisers, draws their neighbourhoods and sends each its neighbours'
   * keys, the round's scale and (distributed DP) what it needs to noise its own input.
   */
  assignNeighbourhoods(graph: Neighbourhoods, scale: number, dp: DistributedDpParams | null = null): void {
    const ps = this.advertised();
    ps.forEach((p, i) => {
      p.index = graph.indexOf[i];
      this.byIndex.set(p.index, p);
    });
    for (const p of ps) p.neighbours = graph.neighbours.get(p.index)!;
    this.stage = 'shares';
    for (const p of ps) {
      if (p.gone) continue;
      const neighbours = p.neighbours.map((i) => {
        const q = this.byIndex.get(i)!;
        return { index: i, encKey: q.encKey, maskKey: q.maskKey };
      });
      this.spec.send(p.clientId, { type: 'sa-neighbours', round: this.spec.round, index: p.index, threshold: graph.threshold, scale, neighbours, ...(dp ? { dp } : {}) });
    }
  }

  /** Stage 2 → 3: gives each sharer the bundles its neighbours sealed for it. */
  relayShares(): void {
    this.stage = 'masked';
    for (const v of this.shared()) {
      if (v.gone) continue;
      const shares: { from: number; sealed: Uint8Array }[] = [];
      for (const i of v.neighbours) {
        const sealed = this.byIndex.get(i)!.sealed?.get(v.index);
        if (sealed) shares.push({ from: i, sealed });
      }
      this.spec.send(v.clientId, { type: 'sa-relay', round: this.spec.round, shares });
    }
  }

  /**
   * Stage 3 → 4: asks every survivor for the self-mask shares of its surviving neighbours (and its
   * own) and the mask-key shares of its neighbours that shared keys but sent no input.
   */
  requestShares(): void {
    this.stage = 'unmask';
    for (const v of this.survivors()) {
      const survivors = new Set<number>([v.index]);
      const dropped = new Set<number>();
      for (const i of v.neighbours) {
        const u = this.byIndex.get(i)!;
        if (u.masked) survivors.add(i);
        else if (u.sealed) dropped.add(i); // it shared with v, so v holds its shares and masked with it
      }
      v.asked = { survivors, dropped };
      if (!v.gone) this.spec.send(v.clientId, { type: 'sa-unmask-request', round: this.spec.round, survivors: [...survivors], dropped: [...dropped] });
    }
  }

  close(): void {
    this.stage = 'closed';
    this.wake = null;
  }
}

function push(map: Map<number, Uint8Array[]>, key: number, value: Uint8Array): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function sameSet(values: number[], set: Set<number>): boolean {
  return values.length === set.size && values.every((v) => set.has(v));
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
