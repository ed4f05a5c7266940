// What a client keeps on its device between sessions. The browser and tests use MemoryStore; the
// Node client persists the same state to its state dir (client/node/file-store.ts).

import type { InteractionKind } from '../shared/data/types.js';

export interface LedgerEntry {
  /** When the update left the device (ISO time). */
  at: string;
  round: number;
  modelVersion: number;
  bytes: number;
  /** L2 norm of what was sent (after clipping and any local noise). */
  norm: number;
  clipped: boolean;
  localNoiseStddev: number;
  /** The round's clip norm: with localNoiseStddev it fixes the local-DP cost of this update. */
  clipNorm: number;
  /** secure: it left masked (the coordinator saw only the round's sum); plaintext: as it was. */
  aggregation?: 'secure' | 'plaintext';
  /** update (the default): a model update; metrics: one hit bit and one NDCG value, never noised. */
  kind?: 'update' | 'metrics';
  /** Recorded when it left; true once the coordinator acknowledged it (a late one still left). */
  acknowledged?: boolean;
  /**
   * Distributed DP: the plan this device checked and followed — n the coordinator claimed, μ_i it
   * added (integer units), z it checked against, p. n cannot be checked, so it is kept as evidence.
   */
  distributedDp?: { clients: number; noise: number; noiseMultiplier: number; dropoutRate: number };
}

/** The user's own decision, kept on the device. Nothing trains without `granted`. */
export interface Consent {
  granted: boolean;
  /** History kinds the user lets train the shared model. */
  kinds: InteractionKind[];
  /** The user's privacy limit: refuse coordinators whose declared budget exceeds it (null: none). */
  maxEpsilon: number | null;
  at: string;
}

export interface ClientState {
  clientId: string;
  /** The private user vector: never sent. */
  userVector: Float32Array | null;
  catalogue: { version: string; itemIds: Int32Array } | null;
  /** The latest global model received, for recommending offline. */
  model: { version: number; items: number; dim: number; params: Float32Array } | null;
  ledger: LedgerEntry[];
  consent: Consent | null;
  /** The central privacy the coordinator last declared to this device (welcome or GET /privacy). */
  declaredPrivacy?: DeclaredPrivacy | null;
}

export interface DeclaredPrivacy {
  epsilon: number;
  delta: number;
  budget: { epsilon: number; delta: number } | null;
  aggregation: 'secure' | 'plaintext';
  /** z: distributed-DP noise shares are checked against it (absent in states saved before it was kept). */
  noiseMultiplier?: number;
  /** When it was declared (ISO time). */
  at: string;
}

export interface ClientStore {
  load(): Promise<ClientState | null>;
  save(state: ClientState): Promise<void>;
  /** Deletes everything this store holds. */
  clear(): Promise<void>;
  /**
   * Optional, for stores shared with other processes or tabs: the consent alone, read fresh, and
   * written alone. A store that has them keeps consent apart, so save() never overwrites a decision
   * the user made elsewhere; a running client polls loadConsent() and stops on a revoke.
   */
  loadConsent?(): Promise<Consent | null>;
  saveConsent?(consent: Consent): Promise<void>;
}

export class MemoryStore implements ClientStore {
  private state: ClientState | null = null;
  constructor(initial: ClientState | null = null) {
    this.state = initial;
  }
  async load(): Promise<ClientState | null> {
    return this.state;
  }
  async save(state: ClientState): Promise<void> {
    this.state = state;
  }
  async clear(): Promise<void> {
    this.state = null;
  }
}

export function newClientId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
