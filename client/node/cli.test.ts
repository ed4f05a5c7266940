// `fedrec client consent|run|ledger|forget` and `fedrec recommend`, run in-process against a real
// coordinator on loopback, with temp state dirs.

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../bin/args.js';
import { resolveConfig } from '../../coordinator/config.js';
import { startCoordinator, type RunningCoordinator } from '../../coordinator/coordinator.js';
import type { UpdateMessage } from '../../shared/protocol/messages.js';
import { parameterCount } from '../../shared/model/mf-model.js';
import { bytesToFloat32 } from '../../shared/protocol/binary.js';
import { silentNodeLogger } from '../../shared/node/logger.js';
import { DEFAULT_ORDERS } from '../../shared/privacy/rdp.js';
import { oneClientRounds } from '../../test-helpers/harness.js';
import { tinyItemIds } from '../../test-helpers/tiny.js';
import type { LedgerEntry } from '../store.js';
import { runClientCommand, runRecommendCommand } from './cli.js';
import { FileStore } from './file-store.js';
import { explainRecommendation } from '../explain.js';
import { freePort } from '../../test-helpers/free-port.js';
import type { ItemMetadata } from '../../shared/model/catalogue-listing.js';

const DIM = 8;
const PARAMS = parameterCount({ items: tinyItemIds.length, dim: DIM });
const dirs: string[] = [];
const coordinators: RunningCoordinator[] = [];
let savedLogLevel: string | undefined;

beforeAll(() => {
  savedLogLevel = process.env.FEDREC_LOG_LEVEL;
  process.env.FEDREC_LOG_LEVEL = 'silent'; // the client's pino logger writes to fd 2 otherwise
});

afterAll(async () => {
  if (savedLogLevel === undefined) delete process.env.FEDREC_LOG_LEVEL;
  else process.env.FEDREC_LOG_LEVEL = savedLogLevel;
  for (const c of coordinators.splice(0)) await c.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'fedrec-cli-'));
  dirs.push(d);
  return d;
}

/** Runs a command with console.log and console.error captured; returns its exit code and what it printed. */
async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  const errSpy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args.map(String).join(' '));
  });
  try {
    const code = await fn();
    return { code, out: lines.join('\n'), err: errors.join('\n') };
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
}

async function startSmallCoordinator(catalogueMetadata?: ItemMetadata): Promise<RunningCoordinator> {
  const config = resolveConfig({ port: 0, rounds: 1, model: { dim: DIM }, ...oneClientRounds });
  const r = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds, catalogueMetadata });
  coordinators.push(r);
  return r;
}

/** Every file and folder under dir, relative paths. */
async function listRecursive(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Balle et al. 2020 (Thm. 21) over the orders, for RDP(α) = α·rdpPerAlpha. */
function balleEpsilon(rdpPerAlpha: number, delta: number): number {
  let best = Infinity;
  for (const a of DEFAULT_ORDERS) best = Math.min(best, a * rdpPerAlpha + Math.log1p(-1 / a) - (Math.log(delta) + Math.log(a)) / (a - 1));
  return Math.max(0, best);
}

describe('fedrec client consent', () => {
  it('--grant writes the consent into the state dir; --revoke flips it and keeps the choices', async () => {
    const dir = await tempDir();
    const g = await capture(() => runClientCommand(['consent', '--state-dir', dir, '--grant', '--kinds', 'view', '--max-epsilon', '3']));
    expect(g.code).toBe(0);
    expect(JSON.parse(g.out).consent).toMatchObject({ granted: true, kinds: ['view'], maxEpsilon: 3 });
    const stored = await new FileStore(dir).load();
    expect(stored?.consent).toMatchObject({ granted: true, kinds: ['view'], maxEpsilon: 3 });
    expect(Number.isNaN(Date.parse(stored!.consent!.at))).toBe(false);
    const id = stored!.clientId;

    const r = await capture(() => runClientCommand(['consent', '--state-dir', dir, '--revoke']));
    expect(r.code).toBe(0);
    const after = await new FileStore(dir).load();
    expect(after?.consent).toMatchObject({ granted: false, kinds: ['view'], maxEpsilon: 3 });
    expect(after?.clientId).toBe(id);

    // Granting again without flags: both kinds, no limit.
    await capture(() => runClientCommand(['consent', '--state-dir', dir, '--grant']));
    expect((await new FileStore(dir).load())?.consent).toMatchObject({ granted: true, kinds: ['view', 'purchase'], maxEpsilon: null });
  });

  it('bad flags are usage errors and write nothing', async () => {
    const dir = await tempDir();
    await expect(runClientCommand(['consent', '--state-dir', dir, '--grant', '--kinds', 'view,like'])).rejects.toBeInstanceOf(UsageError);
    await expect(runClientCommand(['consent', '--state-dir', dir, '--grant', '--kinds', 'like'])).rejects.toThrow(/--kinds/);
    await expect(runClientCommand(['consent', '--state-dir', dir, '--grant', '--max-epsilon', '-1'])).rejects.toBeInstanceOf(UsageError);
    await expect(runClientCommand(['consent', '--state-dir', dir])).rejects.toBeInstanceOf(UsageError);
    await expect(runClientCommand(['consent', '--state-dir', dir, '--grant', '--revoke'])).rejects.toBeInstanceOf(UsageError);
    await expect(runClientCommand(['consent', '--grant'])).rejects.toBeInstanceOf(UsageError);
    expect(await listRecursive(dir)).toEqual([]);
  });

  it('without consent `fedrec client` (run) refuses with FEDREC_NO_CONSENT and never connects', async () => {
    const r = await startSmallCoordinator();
    const accept = vi.spyOn(r.sessions, 'accept');
    const dir = await tempDir();
    const history = join(await tempDir(), 'history.csv');
    await writeFile(history, 'item_id,timestamp,kind\n100,1,view\n101,2,view\n');
    await expect(runClientCommand(['--server', r.url, '--history', history, '--state-dir', dir, '--exit-after-rounds', '1', '--allow-plaintext'])).rejects.toMatchObject({ code: 'FEDREC_NO_CONSENT' });
    await sleep(200);
    expect(accept).not.toHaveBeenCalled();
    expect(r.engine.status().registered).toBe(0);
  });
});

describe('fedrec recommend / ledger before a model, and where there is no state', () => {
  it('recommend fails with FEDREC_NO_MODEL before the first round, and FEDREC_BAD_PATH where there is no client state', async () => {
    const consented = await tempDir();
    await capture(() => runClientCommand(['consent', '--state-dir', consented, '--grant']));
    await expect(runRecommendCommand(['--state-dir', consented, '--k', '5'])).rejects.toMatchObject({ code: 'FEDREC_NO_MODEL' });
    const empty = await tempDir();
    await expect(runRecommendCommand(['--state-dir', empty])).rejects.toMatchObject({ code: 'FEDREC_BAD_PATH', message: expect.stringContaining('holds no fedrec client state') });
    await expect(runClientCommand(['ledger', '--state-dir', empty])).rejects.toMatchObject({ code: 'FEDREC_BAD_PATH', message: expect.stringContaining('holds no fedrec client state') });
    await expect(runRecommendCommand(['--state-dir', join(empty, 'nope')])).rejects.toMatchObject({ code: 'FEDREC_BAD_PATH', message: expect.stringContaining('does not exist') });
    await expect(runRecommendCommand(['--state-dir', consented, '--server', 'http://x'])).rejects.toMatchObject({ code: 'FEDREC_USAGE', message: expect.stringContaining('--server must be a ws:// or wss:// URL') });
    await expect(runRecommendCommand(['--state-dir', consented, '--server', 'ws://192.0.2.1:8787'])).rejects.toMatchObject({ code: 'FEDREC_INSECURE_TRANSPORT' });
    await expect(runRecommendCommand(['--state-dir', consented, '--k', '0'])).rejects.toMatchObject({ code: 'FEDREC_USAGE', message: '--k must be a positive integer, got "0"' });
  });

});

describe('fedrec client run → ledger → recommend → forget', () => {
  let r: RunningCoordinator;
  let stateDir: string;
  let historyFile: string;
  const received: { clientId: string; msg: UpdateMessage }[] = [];
  // Items of the tiny catalogue (100–159), one purchase, and one id the catalogue does not know.
  const historyItems = [100, 103, 107, 110, 115, 121, 130, 142];
  // Titles for most of the tiny catalogue (commas and quotes included); 150–159 have none.
  const tinyTitles: ItemMetadata = new Map(Array.from(tinyItemIds).filter((id) => id < 150).map((id) => [id, { title: `Film ${id}, "cut" (${1900 + id})`, genres: [id % 2 ? 'Drama' : 'Comedy'] }]));
  const csv = ['item_id,timestamp,kind', ...historyItems.map((item, t) => `${item},${t + 1},${item === 142 ? 'purchase' : 'view'}`), '999,50,view'].join('\n') + '\n';

  beforeAll(async () => {
    r = await startSmallCoordinator(tinyTitles);
    const onUpdate = r.engine.onUpdate.bind(r.engine);
    vi.spyOn(r.engine, 'onUpdate').mockImplementation((clientId, msg) => {
      onUpdate(clientId, msg);
      received.push({ clientId, msg: { ...msg, delta: Uint8Array.from(msg.delta) } });
    });
    stateDir = await tempDir();
    historyFile = join(await tempDir(), 'my-history.csv');
    await writeFile(historyFile, csv);
    await capture(() => runClientCommand(['consent', '--state-dir', stateDir, '--grant']));
    const run = await capture(() => withTimeout(runClientCommand(['--server', r.url, '--history', historyFile, '--state-dir', stateDir, '--exit-after-rounds', '1', '--allow-plaintext']), 30_000, 'fedrec client --exit-after-rounds 1'));
    expect(run.code).toBe(0);
  });

  it('the run took part in exactly one round and left its state and history in the state dir', async () => {
    expect(received).toHaveLength(1);
    const files = await listRecursive(stateDir);
    expect(files).toContain('client-state.msgpack');
    expect(files).toContain('history.csv');
    const state = await new FileStore(stateDir).load();
    expect(state?.clientId).toBe(received[0].clientId);
    expect(state?.ledger).toHaveLength(1);
    expect(state?.model?.params.length).toBe(PARAMS);
    expect(state?.userVector?.length).toBe(DIM);
    // Once joined, the run kept the coordinator's public titles for `fedrec recommend`.
    const listing = JSON.parse(await readFile(join(stateDir, 'catalogue.json'), 'utf8')) as { version: string; items: { id: number; title?: string }[] };
    expect(listing.version).toBe(state?.catalogue?.version);
    expect(listing.items.find((i) => i.id === 100)?.title).toBe(tinyTitles.get(100)?.title);
  });

  it('ledger prints what the coordinator received: round, model version, bytes (4 × parameters), norm, clipped; and localDp', async () => {
    const { code, out } = await capture(() => runClientCommand(['ledger', '--state-dir', stateDir]));
    expect(code).toBe(0);
    const printed = JSON.parse(out) as { clientId: string; updates: LedgerEntry[]; totalBytes: number; leftThisDevice: string; localDp: { delta: number; epsilon: number | null; note: string } };
    expect(printed.clientId).toBe(received[0].clientId);
    // This run joined a plaintext coordinator (--allow-plaintext): the ledger says the update was readable.
    expect(printed.updates[0].aggregation).toBe('plaintext');
    expect(printed.leftThisDevice).toMatch(/marked plaintext were readable by the coordinator/);
    expect(printed.updates).toHaveLength(1);
    const e = printed.updates[0];
    const got = received[0].msg;
    const delta = bytesToFloat32(got.delta);
    let sq = 0;
    for (let i = 0; i < delta.length; i++) sq += delta[i] * delta[i];
    expect(e.round).toBe(got.round);
    expect(e.round).toBe(1);
    expect(e.modelVersion).toBe(got.modelVersion);
    expect(e.modelVersion).toBe(0);
    expect(e.bytes).toBe(got.delta.byteLength);
    expect(e.bytes).toBe(4 * PARAMS);
    expect(e.norm).toBeCloseTo(Math.sqrt(sq), 9);
    expect(e.norm).toBeGreaterThan(0);
    expect(e.norm).toBeLessThanOrEqual(r.engine.config.round.clipNorm * (1 + 1e-6));
    expect(e.clipped).toBe(got.clipped);
    expect(e.localNoiseStddev).toBe(0);
    expect(e.clipNorm).toBe(r.engine.config.round.clipNorm);
    expect(printed.totalBytes).toBe(4 * PARAMS);
    // No local noise: ε against the coordinator is unbounded, printed as null with an explanation.
    expect(printed.localDp.delta).toBe(1e-5);
    expect(printed.localDp.epsilon).toBeNull();
    expect(printed.localDp.note).toMatch(/central DP/);
  });

  it('recommend without titles on the device: without --server, or with an unreachable one, ids and one note line', async () => {
    // As on a device whose run could not read GET /catalogue.
    await rm(join(stateDir, 'catalogue.json'));
    const offline = await capture(() => runRecommendCommand(['--state-dir', stateDir, '--k', '3']));
    expect(offline.code).toBe(0);
    expect(offline.err).toBe('note: no titles on this device yet: give --server ws://HOST:PORT once to fetch them from the coordinator');
    const rows = offline.out.split('\n').filter((l) => /^\d+  /.test(l));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^\d+  item 1[0-5]\d\s+\d+%  /);
    const port = await freePort();
    const down = await capture(() => runRecommendCommand(['--state-dir', stateDir, '--k', '3', '--server', `ws://127.0.0.1:${port}`]));
    expect(down.code).toBe(0);
    expect(down.err).toMatch(new RegExp(`^note: no titles: cannot read http://127\\.0\\.0\\.1:${port}/catalogue: ECONNREFUSED; showing item ids$`));
    expect(down.out).toBe(offline.out);
    expect(await listRecursive(stateDir)).not.toContain('catalogue.json');
  });

  it('recommend --server --json: the 5 best-scoring unseen items with titles, match, because (history items, by title) and factors', async () => {
    const { code, out, err } = await capture(() => runRecommendCommand(['--state-dir', stateDir, '--server', r.url, '--k', '5', '--json']));
    expect(code).toBe(0);
    expect(err).toBe('');
    type Printed = { modelVersion: number; catalogueVersion: string; items: { rank: number; id: number; title?: string; genres?: string[]; score: number; match: number; because: { id: number; title?: string; similarity: number }[]; factors: { taste: number; popularity: number } }[] };
    const printed = JSON.parse(out) as Printed;
    const items = printed.items.map((x) => x.id);
    expect(items).toHaveLength(5);
    expect(new Set(items).size).toBe(5);
    for (const i of items) {
      expect(historyItems).not.toContain(i);
      expect(Array.from(tinyItemIds)).toContain(i);
    }
    // The top 5 by b_i + e_i·u over unseen items, recomputed from the stored model and user vector.
    const s = (await new FileStore(stateDir).load())!;
    const m = s.model!;
    const scored: { item: number; score: number }[] = [];
    for (let row = 0; row < m.items; row++) {
      const item = s.catalogue!.itemIds[row];
      if (historyItems.includes(item)) continue;
      let score = m.params[m.items * m.dim + row];
      for (let k = 0; k < m.dim; k++) score += m.params[row * m.dim + k] * s.userVector![k];
      scored.push({ item, score });
    }
    scored.sort((a, b) => b.score - a.score);
    expect(items).toEqual(scored.slice(0, 5).map((x) => x.item));
    const worst = scored[scored.length - 1].score;
    const model = { kind: 'mf' as const, items: m.items, dim: m.dim, params: m.params };
    const rowOf = (id: number) => s.catalogue!.itemIds.indexOf(id);
    const historyRows = historyItems.map(rowOf);
    printed.items.forEach((it, j) => {
      expect(it.rank).toBe(j + 1);
      expect(it.score).toBeCloseTo(scored[j].score, 4);
      expect(it.match).toBeCloseTo((scored[j].score - worst) / (scored[0].score - worst), 3);
      expect(it.title).toBe(tinyTitles.get(it.id)?.title);
      expect(it.genres).toEqual(tinyTitles.get(it.id)?.genres);
      // The same explanation the device computes, with ids and titles of history items.
      const why = explainRecommendation(model, historyRows, rowOf(it.id), 2, s.userVector!);
      expect(it.because.map((b) => b.id)).toEqual(why.because.map((b) => s.catalogue!.itemIds[b.row]));
      for (const b of it.because) {
        expect(historyItems).toContain(b.id);
        expect(b.title).toBe(tinyTitles.get(b.id)?.title);
      }
      expect(it.factors.taste + it.factors.popularity).toBeCloseTo(1, 3);
      expect(it.factors.taste).toBeCloseTo(why.factors[0].value, 3);
    });
    expect(printed.items[0].match).toBe(1);
    // The listing is kept in the state dir under this catalogue's version.
    const cached = JSON.parse(await readFile(join(stateDir, 'catalogue.json'), 'utf8')) as { version: string; items: unknown[] };
    expect(cached.version).toBe(s.catalogue!.version);
    expect(printed.catalogueVersion).toBe(s.catalogue!.version);
    expect(cached.items).toHaveLength(tinyItemIds.length);
  });

  it('recommend prints a table a person reads: rank, title, match %, because you watched X and Y (titles from the cache, no --server)', async () => {
    const json = JSON.parse((await capture(() => runRecommendCommand(['--state-dir', stateDir, '--k', '10', '--json']))).out) as { items: { id: number; title?: string; because: { id: number; title?: string }[] }[] };
    const { code, out, err } = await capture(() => runRecommendCommand(['--state-dir', stateDir, '--k', '10']));
    expect(code).toBe(0);
    expect(err).toBe('');
    const lines = out.split('\n');
    const version = (await new FileStore(stateDir).load())!.model!.version;
    expect(lines[0]).toBe(`Top 10 for you, ranked on this device from model version ${version} (nothing was sent):`);
    expect(lines[2]).toMatch(/^ #  title\s+match  why$/);
    const rows = lines.filter((l) => /^\s*\d+  /.test(l));
    expect(rows).toHaveLength(10);
    rows.forEach((row, j) => {
      const it = json.items[j];
      const name = (id: number, title?: string) => title ?? `item ${id}`;
      expect(row.startsWith(`${String(j + 1).padStart(2)}  ${name(it.id, it.title)}`)).toBe(true);
      expect(row).toMatch(/  \d{1,3}%  /);
      if (it.because.length > 0) expect(row).toMatch(/  because you (watched|bought) /);
      for (const b of it.because) expect(row).toContain(name(b.id, b.title));
      if (it.because.length === 0) expect(row).toMatch(/(popular overall|fits your taste overall)$/);
    });
    // Untitled items show their id; no raw scores.
    expect(out).not.toMatch(/\de[+-]?\d/);
    expect(lines.at(-1)).toBe('match: 100% is the best-scoring item you have not seen, 0% the worst.');
  });

  it('forget (with --server) leaves nothing in the state dir and drops the id from the coordinator', async () => {
    expect(r.engine.status().registered).toBe(1);
    const { code, out } = await capture(() => withTimeout(runClientCommand(['forget', '--state-dir', stateDir, '--server', r.url]), 15_000, 'fedrec client forget'));
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ forgotten: true });
    expect(await listRecursive(stateDir)).toEqual([]);
    await waitFor(() => r.engine.status().registered === 0, 'the coordinator to drop the client id');
    await expect(runRecommendCommand(['--state-dir', stateDir])).rejects.toMatchObject({ code: 'FEDREC_BAD_PATH' });
    // The user's own file outside the state dir is theirs: untouched.
    expect((await listRecursive(join(historyFile, '..')))).toEqual(['my-history.csv']);
  });

  it('forget without --server on a consent-only state dir also leaves it empty', async () => {
    const dir = await tempDir();
    await capture(() => runClientCommand(['consent', '--state-dir', dir, '--grant']));
    expect(await listRecursive(dir)).not.toEqual([]);
    await capture(() => runClientCommand(['forget', '--state-dir', dir]));
    expect(await listRecursive(dir)).toEqual([]);
  });
});

describe('fedrec client --local-noise', () => {
  it('the ledger records the local noise and prints its ε (Gaussian mechanism, sensitivity 2C)', async () => {
    const r = await startSmallCoordinator();
    const dir = await tempDir();
    const history = join(await tempDir(), 'h.csv');
    await writeFile(history, 'item_id,timestamp\n100,1\n101,2\n102,3\n');
    await capture(() => runClientCommand(['consent', '--state-dir', dir, '--grant']));
    const z = 2;
    await withTimeout(capture(() => runClientCommand(['--server', r.url, '--history', history, '--state-dir', dir, '--exit-after-rounds', '1', '--allow-plaintext', '--local-noise', String(z)])), 30_000, 'fedrec client --local-noise');
    const { out } = await capture(() => runClientCommand(['ledger', '--state-dir', dir, '--delta', '1e-6']));
    const printed = JSON.parse(out) as { updates: LedgerEntry[]; localDp: { delta: number; epsilon: number | null } };
    const C = r.engine.config.round.clipNorm;
    expect(printed.updates).toHaveLength(1);
    expect(printed.updates[0].localNoiseStddev).toBeCloseTo(z * C, 12);
    expect(printed.updates[0].clipNorm).toBe(C);
    // One release, σ = zC, sensitivity 2C: RDP(α) = α(2C)²/(2σ²) = α·2/z².
    expect(printed.localDp.delta).toBe(1e-6);
    expect(printed.localDp.epsilon).toBeCloseTo(balleEpsilon(2 / (z * z), 1e-6), 9);
  });
});

describe('fedrec client forget --server with a privacy limit', () => {
  it("asks the coordinator to drop the id even when its budget is now above the user's limit", async () => {
    const config = resolveConfig({ port: 0, rounds: 1, model: { dim: DIM }, ...oneClientRounds, noiseMultiplier: 2, privacy: { delta: 1e-5, budget: { epsilon: 8, delta: 1e-5 } } });
    const r = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds });
    coordinators.push(r);
    const dir = await tempDir();
    const history = join(await tempDir(), 'h.csv');
    await writeFile(history, 'item_id,timestamp\n100,1\n101,2\n102,3\n');
    await capture(() => runClientCommand(['consent', '--state-dir', dir, '--grant', '--max-epsilon', '10']));
    await withTimeout(capture(() => runClientCommand(['--server', r.url, '--history', history, '--state-dir', dir, '--exit-after-rounds', '1', '--allow-plaintext'])), 30_000, 'fedrec client');
    expect(r.engine.status().registered).toBe(1);
    // The user tightens the limit below the coordinator's budget, then asks to be forgotten.
    await capture(() => runClientCommand(['consent', '--state-dir', dir, '--grant', '--max-epsilon', '2']));
    const { err } = await capture(() => withTimeout(runClientCommand(['forget', '--state-dir', dir, '--server', r.url]), 15_000, 'fedrec client forget'));
    expect(err).toBe('');
    await waitFor(() => r.engine.status().registered === 0, 'the coordinator to drop the client id', 3_000);
    expect(await listRecursive(dir)).toEqual([]);
  });
});
