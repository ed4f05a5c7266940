// "Download my data": every record of this app's two IndexedDB databases (the client core's state:
// id, user vector, model, ledger, consent; the app's: history, consent), store by store, key by key,
// exactly as stored. Typed arrays become plain number arrays (float32 values print exactly).

import { dumpDb, type StoreDump } from './idb.js';

export interface DeviceData {
  format: 'fedrec-device-data/1';
  exportedAt: string;
  coordinator: string;
  /** Database name → store name → its records; a database never created is absent. */
  databases: Record<string, Record<string, StoreDump>>;
}

export async function collectDeviceData(idb: IDBFactory, dbNames: readonly string[], coordinator: string, now: Date): Promise<DeviceData> {
  const databases: DeviceData['databases'] = {};
  for (const name of dbNames) {
    const dump = await dumpDb(idb, name);
    if (dump) databases[name] = dump;
  }
  return { format: 'fedrec-device-data/1', exportedAt: now.toISOString(), coordinator, databases };
}

/** JSON text of the data: typed arrays as arrays, everything else as structured clone gave it back. */
export function deviceDataJson(data: DeviceData): string {
  return JSON.stringify(data, (_key, value: unknown) => (ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as Float32Array) : value), 2);
}

/** Hands the JSON to the browser as a file download. */
export function saveJsonFile(doc: Document, json: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  const a = doc.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  doc.body.append(a);
  a.click();
  a.remove();
  // Revoked after the click has been handled; the download keeps its own copy.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
