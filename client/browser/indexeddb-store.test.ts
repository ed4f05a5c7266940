import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { ClientState } from '../store.js';
import { IndexedDbStore } from './indexeddb-store.js';

const state = (): ClientState => ({
  clientId: 'c-1',
  userVector: Float32Array.from([0.5, -0.25]),
  catalogue: { version: 'v1', itemIds: Int32Array.from([3, 5, 8]) },
  model: { version: 2, items: 3, dim: 2, params: new Float32Array(9).fill(0.125) },
  ledger: [{ at: '2026-11-22T00:00:00Z', round: 1, modelVersion: 0, bytes: 36, norm: 0.5, clipped: false, localNoiseStddev: 0, clipNorm: 1 }],
  consent: { granted: true, kinds: ['view'], maxEpsilon: 2, at: '2026-11-22T00:00:00Z' },
});

describe('IndexedDbStore (the browser store)', () => {
  it('round-trips the whole state, typed arrays included, across store instances', async () => {
    const idb = new IDBFactory();
    expect(await new IndexedDbStore('t', idb).load()).toBeNull();
    await new IndexedDbStore('t', idb).save(state());
    const back = await new IndexedDbStore('t', idb).load();
    expect(back).toEqual(state());
    expect(back!.userVector).toBeInstanceOf(Float32Array);
    expect(back!.catalogue!.itemIds).toBeInstanceOf(Int32Array);
  });

  it('clear leaves nothing behind, and separate names do not mix', async () => {
    const idb = new IDBFactory();
    const a = new IndexedDbStore('a', idb);
    const b = new IndexedDbStore('b', idb);
    await a.save(state());
    await b.save({ ...state(), clientId: 'c-2' });
    await a.clear();
    expect(await a.load()).toBeNull();
    expect((await b.load())!.clientId).toBe('c-2');
  });
});
