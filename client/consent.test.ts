// Consent on the device, against a real coordinator on loopback: nothing connects (not even a TCP
// socket to the WebSocket server) before the user opted in; the user's ε limit is checked against
// GET /privacy before joining; only the consented interaction kinds train; opting out stops at once.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../coordinator/config.js';
import { startCoordinator, type RunningCoordinator } from '../coordinator/coordinator.js';
import type { RoundSummary } from '../coordinator/round-engine.js';
import type { Interaction } from '../shared/data/types.js';
import { RowIndex, makeCatalogue } from '../shared/model/catalogue.js';
import { parameterCount } from '../shared/model/mf-model.js';
import { bytesToFloat32 } from '../shared/protocol/binary.js';
import { decodeFrame } from '../shared/protocol/codec.js';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { silentNodeLogger } from '../shared/node/logger.js';
import { oneClientRounds } from '../test-helpers/harness.js';
import { tinyDataset, tinyItemIds } from '../test-helpers/tiny.js';
import { FedrecClient, type TaskOutcome } from './fedrec-client.js';
import { type LocalDataset, mapToRows } from './local-data.js';
import { nodeSocketFactory } from './node/ws-socket.js';
import { privacyUrl } from './privacy-check.js';
import type { SocketFactory } from './socket.js';
import { type ClientState, type Consent, MemoryStore } from './store.js';

const DIM = 8;
let running: RunningCoordinator | null = null;
const clients: FedrecClient[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of clients.splice(0)) c.stop();
  await running?.close();
  running = null;
});

async function start(patch: Parameters<typeof resolveConfig>[0] = {}): Promise<RunningCoordinator> {
  const config = resolveConfig({ port: 0, model: { dim: DIM }, ...oneClientRounds, ...patch });
  running = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds });
  return running;
}

/** Counts every WebSocket connection the coordinator accepts (sessions.connected only shows open ones). */
function countAccepted(r: RunningCoordinator): { readonly count: number } {
  const spy = vi.spyOn(r.sessions, 'accept');
  return {
    get count() {
      return spy.mock.calls.length;
    },
  };
}

function client(url: string, opts: { store?: MemoryStore; consent?: Consent; data?: LocalDataset; socketFactory?: SocketFactory } = {}): FedrecClient {
  const c = new FedrecClient({ url, socketFactory: opts.socketFactory ?? nodeSocketFactory(), store: opts.store ?? new MemoryStore(), data: opts.data ?? tinyDataset(0), seed: 7, consent: opts.consent, allowPlaintext: true });
  clients.push(c);
  return c;
}

const consent = (over: Partial<Consent> = {}): Consent => ({ granted: true, kinds: ['view', 'purchase'], maxEpsilon: null, at: '2025-01-01T00:00:00.000Z', ...over });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Checks in until offered a training task (the first check-in registers and usually hears "wait"). */
async function checkInUntilTrained(c: FedrecClient): Promise<Extract<TaskOutcome, { task: 'train' }>> {
  for (let i = 0; i < 50; i++) {
    const r = await c.checkIn();
    if (r.kind === 'done' && r.outcome.task === 'train') return r.outcome;
    await sleep(r.kind === 'wait' ? Math.min(r.retryAfterMs, 100) : 50);
  }
  throw new Error('never offered a training round');
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: 'FedrecError', code });
}

/** The coordinator saw nothing: no connection accepted, none open, no client id registered. */
async function expectUntouched(r: RunningCoordinator, accepted: { readonly count: number }): Promise<void> {
  await sleep(300); // a connection attempt in flight would land by now
  expect(accepted.count).toBe(0);
  expect(r.sessions.connected).toBe(0);
  expect(r.engine.status().registered).toBe(0);
}

describe('consent: nothing connects without it', () => {
  it('no consent at all: checkIn() and run() reject FEDREC_NO_CONSENT and the coordinator sees no connection', async () => {
    const r = await start();
    const accepted = countAccepted(r);
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const c = client(r.url); // no consent option, empty store
    await expectCode(c.checkIn(), ErrorCodes.NO_CONSENT);
    await expectCode(c.run(), ErrorCodes.NO_CONSENT);
    await expectUntouched(r, accepted);
    expect(fetchSpy).not.toHaveBeenCalled(); // not even GET /privacy
    expect(c.clientId).not.toBeNull(); // a local id exists, but it never left the device
    expect(r.engine.status().round).toBe(0);
  });

  it('a revoked consent (stored, or passed in) likewise; after grantConsent the same client checks in and trains', async () => {
    const r = await start();
    const accepted = countAccepted(r);
    const revoked = consent({ granted: false });
    const state: ClientState = { clientId: 'c-revoked', userVector: null, catalogue: null, model: null, ledger: [], consent: revoked };
    const store = new MemoryStore(state);
    const c = client(r.url, { store });
    await expectCode(c.checkIn(), ErrorCodes.NO_CONSENT);
    await expectCode(c.run(), ErrorCodes.NO_CONSENT);
    const viaOption = client(r.url, { consent: revoked });
    await expectCode(viaOption.checkIn(), ErrorCodes.NO_CONSENT);
    await expectUntouched(r, accepted);

    const rounds: RoundSummary[] = [];
    r.engine.on('round', (s: RoundSummary) => rounds.push(s));
    await c.grantConsent({ kinds: ['view'], maxEpsilon: null });
    expect((await store.load())?.consent).toMatchObject({ granted: true, kinds: ['view'], maxEpsilon: null });
    const outcome = await checkInUntilTrained(c);
    expect(outcome.bytes).toBe(4 * parameterCount({ items: tinyItemIds.length, dim: DIM }));
    expect(accepted.count).toBeGreaterThan(0);
    expect(r.engine.status().registered).toBe(1);
    const saved = await store.load();
    expect(saved?.clientId).toBe('c-revoked');
    expect(saved?.ledger).toHaveLength(1);
    expect(saved?.ledger[0].round).toBe(outcome.round);
    await waitFor(() => rounds.some((s) => s.round === outcome.round), 'the round to close');
    expect(rounds.find((s) => s.round === outcome.round)).toMatchObject({ committed: true, reported: 1 });
  });
});

describe("consent: the user's ε limit", () => {
  const budgeted = { noiseMultiplier: 2, privacy: { delta: 1e-5, budget: { epsilon: 8, delta: 1e-5 } } };

  it('GET /privacy declares the budget, and it is what the client reads', async () => {
    const r = await start(budgeted);
    expect(privacyUrl(r.url)).toBe(`${r.httpUrl}/privacy`);
    const res = await fetch(`${r.httpUrl}/privacy`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { budget: unknown; noiseMultiplier: number; epsilon: number };
    expect(body.budget).toEqual({ epsilon: 8, delta: 1e-5 });
    expect(body.noiseMultiplier).toBe(2);
    expect(body.epsilon).toBe(0);

    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const c = client(r.url, { consent: consent({ maxEpsilon: 2 }) });
    await expectCode(c.checkIn(), ErrorCodes.PRIVACY_LIMIT);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(String(fetchSpy.mock.calls[0][0])).toBe(`${r.httpUrl}/privacy`);
  });

  it('limit 2 < budget 8: FEDREC_PRIVACY_LIMIT before any WebSocket connection', async () => {
    const r = await start(budgeted);
    const accepted = countAccepted(r);
    const c = client(r.url, { consent: consent({ maxEpsilon: 2 }) });
    const err = await c.checkIn().catch((e) => e);
    expect(err).toMatchObject({ code: ErrorCodes.PRIVACY_LIMIT });
    expect(String(err.message)).toMatch(/8/); // says what the coordinator declared
    await expectCode(c.run(), ErrorCodes.PRIVACY_LIMIT);
    await expectUntouched(r, accepted);
  });

  it('limit 10 ≥ budget 8: the client joins and trains', async () => {
    const r = await start(budgeted);
    const store = new MemoryStore();
    const c = client(r.url, { store, consent: consent({ maxEpsilon: 10 }) });
    const outcome = await checkInUntilTrained(c);
    expect(outcome.task).toBe('train');
    expect((await store.load())?.ledger).toHaveLength(1);
    expect(r.engine.status().registered).toBe(1);
  });

  it('a coordinator that declares no budget is refused when the user has a limit (and accepted without one)', async () => {
    const r = await start({ noiseMultiplier: 2 });
    const body = (await (await fetch(`${r.httpUrl}/privacy`)).json()) as { budget: unknown };
    expect(body.budget).toBeNull();
    const accepted = countAccepted(r);
    const limited = client(r.url, { consent: consent({ maxEpsilon: 1000 }) });
    await expectCode(limited.checkIn(), ErrorCodes.PRIVACY_LIMIT);
    await expectCode(limited.run(), ErrorCodes.PRIVACY_LIMIT);
    await expectUntouched(r, accepted);
    const unlimited = client(r.url, { consent: consent({ maxEpsilon: null }) });
    expect((await checkInUntilTrained(unlimited)).task).toBe('train');
  });
});

describe('consent: granular kinds', () => {
  // Rows 0–29 of the tiny catalogue: items 100–129. Views and purchases on disjoint items, plus one
  // item both viewed and purchased.
  const views = [100, 101, 102, 103, 104, 105];
  const purchases = [110, 111, 112];
  const both = 120;
  const history: Interaction[] = [
    ...views.map((item, t) => ({ item, timestamp: t, kind: 'view' as const })),
    ...purchases.map((item, t) => ({ item, timestamp: 10 + t, kind: 'purchase' as const })),
    { item: both, timestamp: 20, kind: 'view' },
    { item: both, timestamp: 21, kind: 'purchase' },
  ];
  const data: LocalDataset = { train: history, heldOut: null };
  const index = new RowIndex(makeCatalogue(tinyItemIds));
  const rowsOf = (items: number[]) => items.map((i) => index.rowOf(i)).sort((a, b) => a - b);

  it('mapToRows: only consented kinds are positives; everything touched is kept out of the negatives', () => {
    const m = mapToRows(data, index, new Set(['purchase']));
    expect(Array.from(m.positives).sort((a, b) => a - b)).toEqual(rowsOf([...purchases, both]));
    expect([...m.exclude].sort((a, b) => a - b)).toEqual(rowsOf([...views, ...purchases, both]));
    const v = mapToRows(data, index, new Set(['view']));
    expect(Array.from(v.positives).sort((a, b) => a - b)).toEqual(rowsOf([...views, both]));
    const all = mapToRows(data, index, null);
    expect(Array.from(all.positives).sort((a, b) => a - b)).toEqual(rowsOf([...views, ...purchases, both]));
  });

  it('mapToRows: the held-out item may be drawn as a training negative (NCF protocol), unlike the history', () => {
    const held = mapToRows({ train: history, heldOut: { item: 150, negatives: [151, 152] } }, index, null);
    expect(held.evaluation).toEqual({ row: index.rowOf(150), negatives: Int32Array.from(rowsOf([151, 152])) });
    expect(held.exclude.has(index.rowOf(150))).toBe(false);
    expect([...held.exclude].sort((a, b) => a - b)).toEqual(rowsOf([...views, ...purchases, both]));
  });

  it('end to end: the update sent touches only purchase rows and sampled negatives, never a view-only row', async () => {
    const r = await start();
    const sent: Uint8Array[] = [];
    const base = nodeSocketFactory();
    const spying: SocketFactory = (url) => {
      const ws = base(url);
      const send = ws.send.bind(ws);
      ws.send = (d: Uint8Array) => {
        sent.push(Uint8Array.from(d));
        send(d);
      };
      return ws;
    };
    const store = new MemoryStore();
    const c = client(r.url, { store, data, socketFactory: spying, consent: consent({ kinds: ['purchase'] }) });
    const outcome = await checkInUntilTrained(c);

    const updates = sent.map((b) => decodeFrame(b)).filter((m) => m.type === 'update');
    expect(updates).toHaveLength(1);
    const delta = bytesToFloat32(updates[0].delta as Uint8Array);
    const items = tinyItemIds.length;
    expect(delta.length).toBe(items * DIM + items);
    const touched = new Set<number>();
    for (let row = 0; row < items; row++) {
      let nz = delta[items * DIM + row] !== 0;
      for (let k = 0; k < DIM && !nz; k++) nz = delta[row * DIM + k] !== 0;
      if (nz) touched.add(row);
    }
    const purchaseRows = rowsOf([...purchases, both]);
    for (const row of purchaseRows) expect(touched.has(row)).toBe(true);
    for (const row of rowsOf(views)) expect(touched.has(row)).toBe(false);
    const negatives = [...touched].filter((row) => !purchaseRows.includes(row));
    expect(negatives.length).toBeGreaterThan(0);
    // At most `negatives` draws per positive (defaultRoundConfig: 4).
    expect(negatives.length).toBeLessThanOrEqual(purchaseRows.length * r.engine.config.round.negatives);

    const ledger = (await store.load())!.ledger;
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ round: outcome.round, bytes: delta.byteLength, clipped: updates[0].clipped });
  });
});

describe('consent: opt out at any time', () => {
  it('revokeConsent() while running in persistent mode stops the client; a later run() rejects FEDREC_NO_CONSENT', async () => {
    const r = await start();
    const store = new MemoryStore();
    const c = client(r.url, { store, consent: consent() });
    const outcomes: TaskOutcome[] = [];
    let finished = false;
    const done = c.run((o) => outcomes.push(o)).then(() => (finished = true));
    await waitFor(() => outcomes.length >= 1, 'a first trained round');
    expect(r.sessions.joined).toBe(1);

    await c.revokeConsent();
    await Promise.race([done, sleep(5_000).then(() => Promise.reject(new Error('run() did not end after revokeConsent()')))]);
    expect(finished).toBe(true);
    await waitFor(() => r.sessions.connected === 0, 'the coordinator to see the connection close');
    expect((await store.load())?.consent).toMatchObject({ granted: false });

    const trainedBefore = outcomes.length;
    const ledgerBefore = (await store.load())!.ledger.length;
    await sleep(500); // rounds keep opening on the coordinator; the client must not take part
    expect(outcomes.length).toBe(trainedBefore);
    expect((await store.load())!.ledger.length).toBe(ledgerBefore);

    const accepted = countAccepted(r);
    await expectCode(c.run(), ErrorCodes.NO_CONSENT);
    await expectCode(c.checkIn(), ErrorCodes.NO_CONSENT);
    await sleep(200);
    expect(accepted.count).toBe(0);
  });

  it('opting back in after an opt-out: the same client runs and trains again', async () => {
    const r = await start();
    const store = new MemoryStore();
    const c = client(r.url, { store, consent: consent() });
    let trained = 0;
    const first = c.run(() => trained++);
    await waitFor(() => trained >= 1, 'a first trained round');
    await c.revokeConsent();
    await first;
    await c.grantConsent({ kinds: ['view'], maxEpsilon: null });
    const before = trained;
    const second = c.run(() => trained++);
    let ended = false;
    void second.then(() => (ended = true), () => (ended = true));
    await waitFor(() => trained > before || ended, 'a second run to train');
    expect(ended).toBe(false); // run() must not return at once, as if still stopped
    expect(trained).toBeGreaterThan(before);
    expect(r.sessions.joined).toBe(1);
    c.stop();
    await second;
  });
});
