// Browser-only: the client's state in IndexedDB, so a user's private vector, consent and ledger
// survive a reload. Typed arrays are stored as structured clones (no encoding needed); `clear`
// deletes the record — the app deletes its own copy of the history.

import type { ClientState, ClientStore } from '../store.js';

const STORE = 'state';
const KEY = 'client';

export class IndexedDbStore implements ClientStore {
  private db: Promise<IDBDatabase> | null = null;

  /** `dbName` separates several fedrec clients (e.g. one per coordinator) in one origin. */
  constructor(
    private readonly dbName = 'fedrec',
    private readonly idb: IDBFactory = globalThis.indexedDB,
  ) {
    if (!idb) throw new Error('IndexedDbStore needs IndexedDB (a browser, or an IDBFactory passed in)');
  }

  async load(): Promise<ClientState | null> {
    const value = await this.request<ClientState | undefined>('readonly', (s) => s.get(KEY));
    return value ?? null;
  }

  async save(state: ClientState): Promise<void> {
    await this.request('readwrite', (s) => s.put(state, KEY));
  }

  async clear(): Promise<void> {
    await this.request('readwrite', (s) => s.delete(KEY));
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = this.idb.open(this.dbName, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => {
        const db = req.result;
        // Forget me deletes the database: let it go instead of blocking the deletion.
        db.onversionchange = () => {
          db.close();
          this.db = null;
        };
        resolve(db);
      };
      req.onerror = () => reject(req.error);
    });
    return this.db;
  }

  private async request<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> {
    const db = await this.open();
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = op(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result as T);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
}
