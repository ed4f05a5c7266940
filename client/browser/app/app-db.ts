// The app's own IndexedDB database, beside the client core's (IndexedDbStore): the person's history
// (one record per item and kind) and their consent. The history is written only here and read by
// the worker to train; nothing in this database is ever sent.

import type { Interaction, InteractionKind } from '../../../shared/data/types.js';
import type { StoredConsent } from './consent-policy.js';
import { dbExists, openDb, request } from './idb.js';

const VERSION = 1;
export const HISTORY = 'history';
export const SETTINGS = 'settings';
const CONSENT_KEY = 'consent';

export class AppDb {
  private db: Promise<IDBDatabase> | null = null;

  constructor(
    readonly name: string,
    private readonly idb: IDBFactory = globalThis.indexedDB,
  ) {}

  async history(): Promise<Interaction[]> {
    if (!(await this.exists())) return [];
    const all = await request<Interaction[]>(await this.open(), HISTORY, 'readonly', (s) => s.getAll());
    return all.sort((a, b) => a.timestamp - b.timestamp || a.item - b.item);
  }

  async mark(item: number, kind: InteractionKind, timestamp: number): Promise<void> {
    const record: Interaction = { item, kind, timestamp };
    await request(await this.open(), HISTORY, 'readwrite', (s) => s.put(record));
  }

  async unmark(item: number, kind: InteractionKind): Promise<void> {
    await request(await this.open(), HISTORY, 'readwrite', (s) => s.delete([item, kind]));
  }

  async consent(): Promise<StoredConsent | null> {
    if (!(await this.exists())) return null;
    const v = await request<StoredConsent | undefined>(await this.open(), SETTINGS, 'readonly', (s) => s.get(CONSENT_KEY));
    return v ?? null;
  }

  async saveConsent(stored: StoredConsent): Promise<void> {
    await request(await this.open(), SETTINGS, 'readwrite', (s) => s.put(stored, CONSENT_KEY));
  }

  /** Deletes every record (the database itself is deleted by forget me, once no one holds it). */
  async clear(): Promise<void> {
    if (!(await this.exists())) return;
    const db = await this.open();
    await request(db, HISTORY, 'readwrite', (s) => s.clear());
    await request(db, SETTINGS, 'readwrite', (s) => s.clear());
  }

  close(): void {
    const db = this.db;
    this.db = null;
    void db?.then((d) => d.close(), () => {});
  }

  /** Reads of a database never created answer empty without creating it. */
  private async exists(): Promise<boolean> {
    return this.db !== null || (await dbExists(this.idb, this.name));
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= openDb(this.idb, this.name, VERSION, (db) => {
      db.createObjectStore(HISTORY, { keyPath: ['item', 'kind'] });
      db.createObjectStore(SETTINGS);
    }).then((db) => {
      // Closed from elsewhere (forget me deletes the database): reopen on next use.
      db.addEventListener('close', () => (this.db = null));
      db.addEventListener('versionchange', () => (this.db = null));
      return db;
    });
    return this.db;
  }
}
