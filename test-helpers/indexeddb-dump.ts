// Everything a page's origin holds in IndexedDB, read in the page straight from the browser's
// IndexedDB API (not through the app's own code, so it can check the app): every database, every
// store with its keyPath, every key and value. Typed arrays come back as plain number arrays and the
// rest as JSON, which is how a downloaded JSON file holds them.

import type { Page } from 'playwright-core';

export interface StoreDump {
  keyPath: string | string[] | null;
  records: { key: unknown; value: unknown }[];
}

/** Database name → store name → its records. An origin without databases gives {}. */
export type IndexedDbDump = Record<string, Record<string, StoreDump>>;

export function dumpIndexedDb(page: Page): Promise<IndexedDbDump> {
  return page.evaluate(async () => {
    const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (_k, x: unknown) => (ArrayBuffer.isView(x) && !(x instanceof DataView) ? Array.from(x as Float32Array) : x)));
    const done = <T>(req: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    const out: Record<string, Record<string, { keyPath: string | string[] | null; records: { key: unknown; value: unknown }[] }>> = {};
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await done(indexedDB.open(name));
      out[name] = {};
      for (const storeName of Array.from(db.objectStoreNames)) {
        const store = db.transaction(storeName).objectStore(storeName);
        const [keys, values] = await Promise.all([done(store.getAllKeys()), done(store.getAll())]);
        out[name][storeName] = { keyPath: plain(store.keyPath) as string | string[] | null, records: keys.map((key, i) => ({ key: plain(key), value: plain(values[i]) })) };
      }
      db.close();
    }
    return out;
  });
}
