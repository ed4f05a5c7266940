// The app's records in IndexedDB (fake-indexeddb): history, consent kept apart from the client
// core's state, expiry read as a no, and "download my data" holding exactly what is stored.

import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IndexedDbStore } from '../indexeddb-store.js';
import type { ClientState } from '../../store.js';
import { AppDb } from './app-db.js';
import { AppStore } from './app-store.js';
import { grant, revoke, toStored } from './consent-policy.js';
import { collectDeviceData, deviceDataJson } from './download.js';

const t0 = new Date('2026-03-01T00:00:00.000Z');

function clientState(): ClientState {
  return {
    clientId: 'c-abc',
    userVector: Float32Array.from([0.1, -0.3333333432674408, 1e-7]),
    catalogue: { version: 'v1', itemIds: Int32Array.from([3, 5, 8]) },
    model: { version: 4, items: 3, dim: 3, params: Float32Array.from({ length: 12 }, (_, i) => Math.fround(i / 7)) },
    ledger: [{ at: t0.toISOString(), round: 2, modelVersion: 1, bytes: 48, norm: 0.5, clipped: false, localNoiseStddev: 0, clipNorm: 10, aggregation: 'secure' }],
    consent: null,
  };
}

describe('AppDb: history and consent', () => {
  it('marks and unmarks per item and kind, oldest first', async () => {
    const db = new AppDb('app', new IDBFactory());
    await db.mark(8, 'view', 30);
    await db.mark(5, 'purchase', 10);
    await db.mark(5, 'view', 20);
    await db.mark(8, 'view', 40); // marking again keeps one record, with the new time
    expect(await db.history()).toEqual([
      { item: 5, kind: 'purchase', timestamp: 10 },
      { item: 5, kind: 'view', timestamp: 20 },
      { item: 8, kind: 'view', timestamp: 40 },
    ]);
    await db.unmark(5, 'view');
    expect((await db.history()).map((i) => `${i.item}:${i.kind}`)).toEqual(['5:purchase', '8:view']);
  });

  it('reading before anything was written creates no database', async () => {
    const idb = new IDBFactory();
    const db = new AppDb('app', idb);
    expect(await db.history()).toEqual([]);
    expect(await db.consent()).toBeNull();
    expect(await idb.databases()).toEqual([]);
  });
});

describe('AppStore: the client core’s store with the consent apart', () => {
  it('saving the state never overwrites a decision made on the page', async () => {
    const idb = new IDBFactory();
    const app = new AppDb('app', idb);
    const store = new AppStore(new IndexedDbStore('client', idb), app, () => t0);
    await store.saveConsent(grant(['view'], 3, t0));
    const state = { ...clientState(), consent: (await store.loadConsent())! };
    // The page pauses while the worker holds an older copy of the state...
    await app.saveConsent(toStored(revoke(state.consent, t0)));
    await store.save(state);
    // ...and the pause stands.
    expect(await store.loadConsent()).toMatchObject({ granted: false, kinds: ['view'], maxEpsilon: 3 });
    expect((await store.load())!.consent).toMatchObject({ granted: false });
  });

  it('an expired yes reads as a no, so the client core stops as on an opt-out', async () => {
    const idb = new IDBFactory();
    const app = new AppDb('app', idb);
    let now = t0;
    const store = new AppStore(new IndexedDbStore('client', idb), app, () => now);
    await store.saveConsent(grant(['view', 'purchase'], null, t0));
    expect((await store.loadConsent())!.granted).toBe(true);
    now = new Date((await app.consent())!.expiresAt!);
    expect(await store.loadConsent()).toMatchObject({ granted: false, kinds: ['view', 'purchase'] });
  });

  it('clear deletes the state, the history and the consent', async () => {
    const idb = new IDBFactory();
    const app = new AppDb('app', idb);
    const store = new AppStore(new IndexedDbStore('client', idb), app, () => t0);
    await store.save(clientState());
    await app.mark(3, 'view', 1);
    await store.saveConsent(grant(['view'], null, t0));
    await store.clear();
    expect(await store.load()).toBeNull();
    expect(await app.history()).toEqual([]);
    expect(await app.consent()).toBeNull();
  });
});

describe('download my data', () => {
  it('holds every record of both databases exactly, typed arrays as number arrays', async () => {
    const idb = new IDBFactory();
    const app = new AppDb('fedrec-app x', idb);
    await new IndexedDbStore('fedrec-client x', idb).save(clientState());
    await app.mark(5, 'purchase', 10);
    await app.saveConsent(toStored(grant(['purchase'], 2, t0)));
    const data = JSON.parse(deviceDataJson(await collectDeviceData(idb, ['fedrec-client x', 'fedrec-app x', 'never-made'], 'ws://h:1/', t0)));
    expect(Object.keys(data.databases)).toEqual(['fedrec-client x', 'fedrec-app x']);
    const [record] = data.databases['fedrec-client x'].state.records;
    expect(record.key).toBe('client');
    const want = clientState();
    expect(record.value).toEqual({ ...want, userVector: Array.from(want.userVector!), catalogue: { version: 'v1', itemIds: [3, 5, 8] }, model: { ...want.model, params: Array.from(want.model!.params) } });
    // Float32 values survive the JSON text bit for bit.
    expect(Float32Array.from(record.value.userVector)).toEqual(want.userVector);
    expect(data.databases['fedrec-app x'].history).toEqual({ keyPath: ['item', 'kind'], records: [{ key: [5, 'purchase'], value: { item: 5, kind: 'purchase', timestamp: 10 } }] });
    expect(data.databases['fedrec-app x'].settings.records).toEqual([{ key: 'consent', value: toStored(grant(['purchase'], 2, t0)) }]);
    expect(data).toMatchObject({ format: 'fedrec-device-data/1', exportedAt: t0.toISOString(), coordinator: 'ws://h:1/' });
    // Collecting created nothing.
    expect((await idb.databases()).map((d) => d.name).sort()).toEqual(['fedrec-app x', 'fedrec-client x']);
  });
});
