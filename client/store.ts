// What a client keeps on its device between sessions. The browser and tests use MemoryStore; the
// Node client persists the same state to its state dir (client/node/file-store.ts).

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
}

export interface ClientState {
  clientId: string;
  /** The private user vector: never sent. */
  userVector: Float32Array | null;
  catalogue: { version: string; itemIds: Int32Array } | null;
  /** The latest global model received, for recommending offline. */
  model: { version: number; items: number; dim: number; params: Float32Array } | null;
  ledger: LedgerEntry[];
}

export interface ClientStore {
  load(): Promise<ClientState | null>;
  save(state: ClientState): Promise<void>;
  /** Deletes everything this store holds. */
  clear(): Promise<void>;
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
