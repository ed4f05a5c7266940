// The few IndexedDB operations the app needs, as promises: open, one-store requests, existence,
// deletion and a full dump. The dump is what "download my data" writes, so it reads every store
// and every record rather than the fields the app knows about.

export type Upgrade = (db: IDBDatabase) => void;

export function openDb(idb: IDBFactory, name: string, version: number, upgrade: Upgrade): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = idb.open(name, version);
    req.onupgradeneeded = () => upgrade(req.result);
    req.onsuccess = () => {
      // Another context deleting this database (forget me) must not wait on this connection.
      req.result.onversionchange = () => req.result.close();
      resolve(req.result);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error(`IndexedDB ${name} is held open by another tab at an older version`));
  });
}

/** One request in its own transaction; resolves with its result once the transaction commits. */
export function request<T>(db: IDBDatabase, store: string, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = op(tx.objectStore(store));
    tx.oncomplete = () => resolve(req.result as T);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Whether a database of that name exists, without creating it (opening one would). */
export async function dbExists(idb: IDBFactory, name: string): Promise<boolean> {
  const list = await idb.databases();
  return list.some((d) => d.name === name);
}

/**
 * Deletes a database. Connections elsewhere close on versionchange; one that does not (another tab
 * still open) holds the deletion until it closes, so after `blockedWaitMs` this resolves anyway:
 * callers clear the records first, and the empty database goes when that tab does.
 */
export function deleteDb(idb: IDBFactory, name: string, blockedWaitMs = 3_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = idb.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => setTimeout(resolve, blockedWaitMs);
  });
}

export interface StoreDump {
  keyPath: string | string[] | null;
  records: { key: IDBValidKey; value: unknown }[];
}

/** Opens a database that exists, at its current version (no upgrade, so nothing is created). */
function openExisting(idb: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise<IDBDatabase>((resolve, reject) => {
    const req = idb.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Every store of a database with every key and value, exactly as stored; null if it does not exist. */
export async function dumpDb(idb: IDBFactory, name: string): Promise<Record<string, StoreDump> | null> {
  if (!(await dbExists(idb, name))) return null;
  const db = await openExisting(idb, name);
  try {
    const names = Array.from(db.objectStoreNames);
    const out: Record<string, StoreDump> = {};
    if (names.length === 0) return out;
    const tx = db.transaction(names, 'readonly');
    const reads = names.map((storeName) => {
      const store = tx.objectStore(storeName);
      const keys = store.getAllKeys();
      const values = store.getAll();
      return { storeName, keyPath: store.keyPath, keys, values };
    });
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    for (const r of reads) {
      const keys = r.keys.result;
      const values = r.values.result as unknown[];
      out[r.storeName] = { keyPath: r.keyPath, records: keys.map((key, i) => ({ key, value: values[i] })) };
    }
    return out;
  } finally {
    db.close();
  }
}

/** One record read without keeping a connection (and without creating the database); null if absent. */
export async function readRecord<T>(idb: IDBFactory, name: string, store: string, key: IDBValidKey): Promise<T | null> {
  if (!(await dbExists(idb, name))) return null;
  const db = await openExisting(idb, name);
  try {
    if (!db.objectStoreNames.contains(store)) return null;
    return ((await request<T | undefined>(db, store, 'readonly', (s) => s.get(key))) ?? null) as T | null;
  } finally {
    db.close();
  }
}
