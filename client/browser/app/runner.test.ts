// The worker's Runner in Node against a real coordinator (secure aggregation, two Node clients
// beside it), with fake-indexeddb for the device's stores: it joins exactly when the stored consent
// and history say so, takes part in a round, pauses at once, stops at expiry, and forgets.

import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { nodeSocketFactory } from '../../node/ws-socket.js';
import { IndexedDbStore } from '../indexeddb-store.js';
import { useHarness } from '../../../test-helpers/harness.js';
import { AppDb } from './app-db.js';
import { AppStore } from './app-store.js';
import { grant, revoke, toStored } from './consent-policy.js';
import { Runner } from './runner.js';
import type { WorkerToPage } from './worker-protocol.js';

const h = useHarness();
const rounds = { aggregation: 'secure' as const, clientsPerRound: 3, minClients: 3, minReports: 3, interRoundDelayMs: 200, roundDeadlineMs: 10_000, evaluation: { every: 0 }, noiseMultiplier: 1, privacy: { delta: 1e-5, budget: { epsilon: 30, delta: 1e-5 } } };

async function setup(now: () => Date = () => new Date()) {
  const coordinator = await h.coordinator(rounds);
  for (const k of [1, 2]) void h.client(coordinator.url, k).run().catch(() => {});
  const idb = new IDBFactory();
  const app = new AppDb('app', idb);
  const store = new AppStore(new IndexedDbStore('client', idb), app, now);
  const posted: WorkerToPage[] = [];
  const runner = new Runner({ wsUrl: coordinator.url, app, store, socketFactory: nodeSocketFactory(), post: (m) => posted.push(m), now, retryMs: 60_000 });
  const statuses = () => posted.filter((m) => m.type === 'status').map((m) => (m as { text: string }).text);
  return { coordinator, app, store, runner, posted, statuses, stop: () => runner.dispose() };
}

/** A Web Lock stand-in (Node 20 has none): one holder at a time, and a waiter can give up. */
function mutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> => {
    const prev = tail;
    const run = new Promise<T>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('aborted')));
      void prev.then(() => (signal.aborted ? reject(new Error('aborted')) : fn().then(resolve, reject)));
    });
    tail = run.catch(() => {});
    return run;
  };
}

describe('Runner: the worker keeps the client in line with the stored decisions', () => {
  it('does not connect without a yes, nor with a yes but no history of a kind it covers', async () => {
    const s = await setup();
    await s.runner.apply();
    expect(s.statuses().at(-1)).toMatch(/not said yes/);
    await s.app.saveConsent(toStored(grant(['purchase'], null, new Date())));
    await s.app.mark(100, 'view', 1);
    await s.runner.apply();
    expect(s.statuses().at(-1)).toMatch(/Mark something/);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.coordinator.sessions.connected).toBe(2);
    await s.stop();
  });

  it('joins with both, takes part in a secure round, records it, and pauses within a second', async () => {
    const s = await setup();
    await s.app.saveConsent(toStored(grant(['view'], null, new Date())));
    for (const item of [100, 101, 102]) await s.app.mark(item, 'view', item);
    await s.runner.apply();
    await expect.poll(() => s.posted.find((m) => m.type === 'round-end'), { timeout: 20_000 }).toMatchObject({ committed: true });
    expect(s.statuses()).toEqual(expect.arrayContaining([expect.stringMatching(/^Connected/), expect.stringMatching(/^Picked for round \d+/), expect.stringMatching(/masked update left/)]));
    const state = (await s.store.load())!;
    expect(state.ledger[0]).toMatchObject({ aggregation: 'secure' });
    expect(state.userVector).toHaveLength(8);
    expect(s.coordinator.sessions.joined).toBe(3);

    await s.app.saveConsent(toStored(revoke((await s.app.consent())!.consent, new Date())));
    const t = Date.now();
    await s.runner.pause();
    await expect.poll(() => s.coordinator.sessions.joined, { timeout: 1_000, interval: 20 }).toBe(2);
    expect(Date.now() - t).toBeLessThan(1_000);
    expect(s.posted.at(-1)).toEqual({ type: 'paused' });
    expect(s.statuses().at(-1)).toMatch(/^Paused/);
    await s.stop();
  });

  it('a history change during a round waits for the round’s end, then restarts with the new history', async () => {
    const s = await setup();
    await s.app.saveConsent(toStored(grant(['view'], null, new Date())));
    for (const item of [100, 101]) await s.app.mark(item, 'view', item);
    let changed = false;
    const post = s.posted.push.bind(s.posted);
    s.posted.push = (m: WorkerToPage) => {
      if (m.type === 'status' && m.phase === 'training' && !changed) {
        changed = true;
        void s.app.mark(102, 'view', 102).then(() => s.runner.apply());
      }
      return post(m);
    };
    await s.runner.apply();
    // Restarting mid-round would drop this device and the round (3 reports needed) would be abandoned.
    await expect.poll(() => s.posted.find((m) => m.type === 'round-end'), { timeout: 20_000 }).toMatchObject({ committed: true });
    const roundEnd = s.statuses().findIndex((t) => /^Round \d+ finished/.test(t));
    await expect.poll(() => s.statuses().lastIndexOf('Connecting to the coordinator…'), { timeout: 5_000 }).toBeGreaterThan(roundEnd);
    await s.stop();
  });

  it('new choices during a round apply at once: the client restarts without waiting for the round', async () => {
    const s = await setup();
    await s.app.saveConsent(toStored(grant(['view', 'purchase'], null, new Date())));
    for (const item of [100, 101]) await s.app.mark(item, 'view', item);
    let changedAt = -1;
    const post = s.posted.push.bind(s.posted);
    s.posted.push = (m: WorkerToPage) => {
      if (m.type === 'status' && m.phase === 'training' && changedAt < 0) {
        changedAt = s.posted.length;
        void s.app.saveConsent(toStored(grant(['view'], null, new Date()))).then(() => s.runner.apply());
      }
      return post(m);
    };
    await s.runner.apply();
    await expect.poll(() => s.posted.slice(changedAt > 0 ? changedAt : Infinity).some((m) => m.type === 'status' && m.phase === 'connecting'), { timeout: 15_000 }).toBe(true);
    // It restarted inside the round: no result of that round reached this device before the restart.
    const restart = s.posted.findIndex((m, i) => i > changedAt && m.type === 'status' && m.phase === 'connecting');
    expect(s.posted.slice(changedAt, restart).some((m) => m.type === 'round-end')).toBe(false);
    await s.stop();
  });

  it('two tabs of one device: one takes part, the other waits and takes over when it stops', async () => {
    const s = await setup();
    const exclusive = mutex();
    const other: WorkerToPage[] = [];
    const second = new Runner({ wsUrl: s.coordinator.url, app: s.app, store: s.store, socketFactory: nodeSocketFactory(), post: (m) => other.push(m), exclusive, retryMs: 60_000 });
    const first = new Runner({ wsUrl: s.coordinator.url, app: s.app, store: s.store, socketFactory: nodeSocketFactory(), post: (m) => s.posted.push(m), exclusive, retryMs: 60_000 });
    await s.app.saveConsent(toStored(grant(['view'], null, new Date())));
    await s.app.mark(100, 'view', 1);
    await first.apply();
    await expect.poll(() => s.coordinator.sessions.joined, { timeout: 10_000 }).toBe(3);
    await second.apply();
    await expect.poll(() => other.filter((m) => m.type === 'status').at(-1), { timeout: 2_000 }).toMatchObject({ text: expect.stringMatching(/^Another tab/) });
    expect(s.coordinator.sessions.connected).toBe(3);
    await first.dispose();
    await expect.poll(() => other.filter((m) => m.type === 'status').at(-1), { timeout: 10_000 }).toMatchObject({ phase: 'waiting' });
    expect(s.coordinator.sessions.joined).toBe(3);
    await second.dispose();
    await s.stop();
  });

  it('stops when the consent runs out, and says so', async () => {
    let now = new Date();
    const s = await setup(() => now);
    await s.app.saveConsent(toStored(grant(['view'], null, now)));
    await s.app.mark(100, 'view', 1);
    await s.runner.apply();
    await expect.poll(() => s.coordinator.sessions.joined, { timeout: 10_000 }).toBe(3);
    now = new Date((await s.app.consent())!.expiresAt!);
    await s.runner.apply();
    await expect.poll(() => s.coordinator.sessions.joined, { timeout: 2_000 }).toBe(2);
    expect(s.statuses().at(-1)).toMatch(/consent has expired/);
    await s.stop();
  });

  it('refuses a coordinator whose budget is above the person’s limit', async () => {
    const s = await setup();
    await s.app.saveConsent(toStored(grant(['view'], 5, new Date())));
    await s.app.mark(100, 'view', 1);
    await s.runner.apply();
    await expect.poll(() => s.posted.find((m) => m.type === 'status' && m.code === 'FEDREC_PRIVACY_LIMIT'), { timeout: 5_000 }).toMatchObject({ phase: 'stopped', text: expect.stringMatching(/exceeds your limit ε ≤ 5/) });
    expect(s.coordinator.sessions.connected).toBe(2);
    await s.stop();
  });

  it('forget drops the id on the coordinator and wipes both stores', async () => {
    const s = await setup();
    await s.app.saveConsent(toStored(grant(['view'], null, new Date())));
    await s.app.mark(100, 'view', 1);
    await s.runner.apply();
    await expect.poll(() => s.coordinator.sessions.joined, { timeout: 10_000 }).toBe(3);
    const id = (await s.store.load())!.clientId;
    expect(s.coordinator.sessions.isRegistered(id)).toBe(true);
    expect(await s.runner.forget()).toEqual({ type: 'forgotten', remote: 'dropped' });
    await expect.poll(() => s.coordinator.sessions.isRegistered(id), { timeout: 2_000 }).toBe(false);
    expect(await s.store.load()).toBeNull();
    expect(await s.app.history()).toEqual([]);
    expect(await s.app.consent()).toBeNull();
    await s.stop();
  });
});
