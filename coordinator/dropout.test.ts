// A sampled client that vanishes (or goes quiet) must not stall training: the round closes on the
// last disconnect or at the deadline, commits or is abandoned by minReports, and the next one starts.

import { describe, expect, it } from 'vitest';
import { float32ToBytes } from '../shared/protocol/binary.js';
import { SeededRandom } from '../shared/random.js';
import type { RawSocket } from '../test-helpers/raw-socket.js';
import { useHarness } from '../test-helpers/harness.js';
import type { resolveConfig } from './config.js';
import type { RunningCoordinator } from './coordinator.js';
import type { RoundSummary } from './round-engine.js';

const h = useHarness();
let running: RunningCoordinator | null = null;

// Far beyond vitest's 60 s test timeout: a round that waited for it would fail the test by timing out.
const LONG_DEADLINE_MS = 600_000;
const LR = 1.5;

type Patch = Parameters<typeof resolveConfig>[0];

interface Harness {
  r: RunningCoordinator;
  summaries: RoundSummary[];
  /** Resolves with the summary of round `round` once it is emitted. */
  summary(round: number): Promise<RoundSummary>;
  /** Resolves when phase `round` (train) opens. */
  opened(round: number): Promise<void>;
}

async function start(patch: Patch): Promise<Harness> {
  const r = await h.coordinator({
    port: 0,
    aggregation: 'plaintext', // raw sockets send plaintext updates; secure dropouts: secagg/protocol.test.ts
    model: { dim: 4 },
    clientsPerRound: 3,
    minClients: 3,
    evaluation: { every: 0, clientsPerRound: 1, deadlineMs: 1_000 },
    noiseMultiplier: 0,
    round: { clipNorm: 10 },
    serverOptimizer: { name: 'fedavg', lr: LR },
    ...patch,
  });
  running = r;
  const summaries: RoundSummary[] = [];
  const opens: number[] = [];
  r.engine.on('round', (s: RoundSummary) => summaries.push(s));
  r.engine.on('phase-open', (e: { round: number; task: string }) => {
    if (e.task === 'train') opens.push(e.round);
  });
  const poll = <T>(get: () => T | undefined, what: string, timeoutMs = 10_000) =>
    new Promise<T>((resolve, reject) => {
      const end = Date.now() + timeoutMs;
      const tick = () => {
        const v = get();
        if (v !== undefined) resolve(v);
        else if (Date.now() > end) reject(new Error(`timed out waiting for ${what}`));
        else setTimeout(tick, 5);
      };
      tick();
    });
  return {
    r,
    summaries,
    summary: (round) => poll(() => summaries.find((s) => s.round === round), `round ${round} summary`),
    opened: (round) => poll(() => (opens.includes(round) ? true : undefined), `round ${round} to open`).then(() => undefined),
  };
}

async function client(id: string): Promise<RawSocket> {
  const s = await h.socket(running!.url);
  await s.join(id);
  return s;
}

const rng = new SeededRandom('dropout');
function delta(n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

/** Sends `d` for the offer just taken and waits for its ack. */
async function report(s: RawSocket, offer: Record<string, unknown>, d: Float32Array): Promise<void> {
  s.sendMessage({ type: 'update', round: offer.round, modelVersion: offer.modelVersion, delta: float32ToBytes(d), clipped: false });
  expect(await s.takeType('ack')).toMatchObject({ round: offer.round });
}

describe('clients dropping out of a round', () => {
  it('(a) a selected client that disconnects after its offer: the round commits with the other two on that disconnect', async () => {
    const h = await start({ roundDeadlineMs: LONG_DEADLINE_MS, minReports: 1 });
    const [a, b, c] = [await client('a'), await client('b'), await client('c')];
    const offers = await Promise.all([a, b, c].map((s) => s.takeType('offer')));
    for (const o of offers) expect(o).toMatchObject({ round: 1, modelVersion: 0 });
    const before = Float32Array.from(h.r.engine.model.params);
    const n = before.length;

    const da = delta(n, 0.01);
    const db = delta(n, 0.01);
    await report(a, offers[0], da);
    await report(b, offers[1], db);
    // Two of three answered: the round waits for c.
    await new Promise((r) => setTimeout(r, 100));
    expect(h.summaries).toHaveLength(0);
    expect(h.r.engine.status()).toMatchObject({ round: 1, open: true });

    c.terminate(); // no close handshake: a crashed tab
    const s1 = await h.summary(1);
    expect(s1).toMatchObject({ round: 1, committed: true, sampled: 3, reported: 2, dropped: 1, modelVersion: 1 });
    for (const s of [a, b]) {
      const result = await s.takeType('roundResult');
      expect(result).toMatchObject({ round: 1, committed: true, modelVersion: 1 });
      expect(Object.keys(result).sort()).toEqual(['committed', 'modelVersion', 'round', 'type']); // no participant count
    }
    // The mean is over q·N = 3 (fixed denominator), of the two updates that arrived.
    const after = h.r.engine.model.params;
    for (let i = 0; i < n; i++) expect(after[i]).toBeCloseTo(before[i] + (LR * (da[i] + db[i])) / 3, 6);

    // Round 2 waits for minClients (3) connected clients: it opens when c is back.
    await new Promise((r) => setTimeout(r, 300));
    expect(h.r.engine.status()).toMatchObject({ round: 1, open: false, available: 2, minClients: 3 });
    const c2 = await client('c');
    await h.opened(2);
    expect(await a.takeType('offer')).toMatchObject({ round: 2, modelVersion: 1 });
    expect(await b.takeType('offer')).toMatchObject({ round: 2, modelVersion: 1 });
    expect(await c2.takeType('offer')).toMatchObject({ round: 2, modelVersion: 1 });
  });

  it('(b) with minReports 3 and one client gone, the round is abandoned and leaves no trace; the next round starts', async () => {
    const h = await start({ roundDeadlineMs: LONG_DEADLINE_MS, minReports: 3 });
    const [a, b, c] = [await client('a'), await client('b'), await client('c')];
    const offers = await Promise.all([a, b, c].map((s) => s.takeType('offer')));
    const before = Float32Array.from(h.r.engine.model.params);
    const n = before.length;

    await report(a, offers[0], delta(n, 0.05));
    await report(b, offers[1], delta(n, 0.05));
    c.close(); // a clean close this time
    const s1 = await h.summary(1);
    expect(s1).toMatchObject({ round: 1, committed: false, reported: 2, dropped: 1, modelVersion: 0 });
    expect(h.r.engine.currentModelVersion).toBe(0);
    expect(h.r.engine.lastCommittedRound).toBe(0);
    expect(Array.from(h.r.engine.model.params)).toEqual(Array.from(before));
    for (const s of [a, b]) expect(await s.takeType('roundResult')).toMatchObject({ round: 1, committed: false, modelVersion: 0 });

    // c comes back under the same id; round 2 (waiting for 3 connected) opens on the unchanged model.
    const c2 = await client('c');
    await h.opened(2);
    const o2a = await a.takeType('offer');
    const o2b = await b.takeType('offer');
    expect(o2a).toMatchObject({ round: 2, modelVersion: 0 });
    const o2c = await c2.takeType('offer');
    expect(o2c).toMatchObject({ round: 2, modelVersion: 0 });
    const d2 = [delta(n, 0.02), delta(n, 0.02), delta(n, 0.02)];
    await report(a, o2a, d2[0]);
    await report(b, o2b, d2[1]);
    await report(c2, o2c, d2[2]);
    const s2 = await h.summary(2);
    expect(s2).toMatchObject({ round: 2, committed: true, reported: 3, dropped: 0, modelVersion: 1 });
    // Only round 2's updates are in the model: the abandoned round's sum was discarded.
    const after = h.r.engine.model.params;
    for (let i = 0; i < n; i++) expect(after[i]).toBeCloseTo(before[i] + (LR * (d2[0][i] + d2[1][i] + d2[2][i])) / 3, 6);
    await h.opened(3);
  });

  it('(c) a selected client that stays connected but never answers: the round commits at the deadline with the others', async () => {
    const DEADLINE = 500;
    const h = await start({ roundDeadlineMs: DEADLINE, minReports: 2 });
    const [a, b, c] = [await client('a'), await client('b'), await client('silent')];
    const offers = await Promise.all([a, b, c].map((s) => s.takeType('offer')));
    const opened = Date.now();
    const n = h.r.engine.model.params.length;

    await report(a, offers[0], delta(n, 0.01));
    await report(b, offers[1], delta(n, 0.01));
    expect(h.r.engine.status()).toMatchObject({ round: 1, open: true }); // not closed early
    const s1 = await h.summary(1);
    const waited = Date.now() - opened;
    expect(waited).toBeGreaterThanOrEqual(DEADLINE - 50);
    expect(waited).toBeLessThan(DEADLINE + 20_000); // generous: this checks the deadline fired, not speed
    expect(s1.seconds).toBeGreaterThanOrEqual((DEADLINE - 20) / 1000);
    expect(s1).toMatchObject({ round: 1, committed: true, sampled: 3, reported: 2, dropped: 0, modelVersion: 1 });
    expect(c.closeInfo).toBeNull(); // still connected, just silent
    // Every client offered the round hears how it ended (a secure client waits for it otherwise).
    expect(await c.takeType('roundResult')).toMatchObject({ round: 1, committed: true });

    await h.opened(2);
    expect(await a.takeType('offer')).toMatchObject({ round: 2, modelVersion: 1 });
    expect(await c.takeType('offer')).toMatchObject({ round: 2, modelVersion: 1 }); // silent, but still offered
  });
});
