// A coordinator that declares z = 1 but asks the devices for half the noise that z needs, against
// real clients: each re-plans the round from the declared z, refuses (FEDREC_SECAGG_NOISE_TOO_LOW)
// before it shares anything and logs the code; no masked input leaves and the round is abandoned.
// The same coordinator untampered commits, so the refusal is the check's doing.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientLogger } from '../../client/logger.js';
import { nodeSocketFactory } from '../../client/node/ws-socket.js';
import type { SocketFactory } from '../../client/socket.js';
import { MemoryStore } from '../../client/store.js';
import { decodeFrame } from '../../shared/protocol/codec.js';
import { ErrorCodes } from '../../shared/protocol/errors.js';
import { useHarness } from '../../test-helpers/harness.js';
import type { RoundSummary } from '../round-engine.js';
import { SecureRound } from './secure-round.js';

const CLIENTS = 3;

/** The lie: every device's sa-neighbours carries μ_i × factor (the rest of the plan is honest). */
function scaleNoise(factor: number): void {
  const assign = SecureRound.prototype.assignNeighbourhoods;
  vi.spyOn(SecureRound.prototype, 'assignNeighbourhoods').mockImplementation(function (this: SecureRound, graph, scale, dp) {
    return assign.call(this, graph, scale, dp ? { ...dp, noise: dp.noise * factor } : dp);
  });
}

/** Keeps the type of every frame a client sends: what left the device. */
function recording(types: string[]): SocketFactory {
  return (url) => {
    const s = nodeSocketFactory()(url);
    const send = s.send.bind(s);
    s.send = (data: Uint8Array) => {
      types.push(decodeFrame(new Uint8Array(data)).type as string);
      send(data);
    };
    return s;
  };
}

function warnings(lines: Record<string, unknown>[]): ClientLogger {
  return { debug() {}, info() {}, warn: (o) => lines.push({ ...o }), error: (o) => lines.push({ ...o }) };
}

describe('a coordinator that asks for less distributed-DP noise than it declared', () => {
  const h = useHarness();
  afterEach(() => vi.restoreAllMocks());

  async function round(factor: number) {
    scaleNoise(factor);
    const running = await h.coordinator({ rounds: 1, dp: 'distributed', noiseMultiplier: 1, clientsPerRound: CLIENTS, minClients: CLIENTS, roundDeadlineMs: 10_000, evaluation: { every: 0 }, secureAggregation: { stageDeadlineMs: 5_000 } });
    const rounds: RoundSummary[] = [];
    running.engine.on('round', (r: RoundSummary) => rounds.push(r));
    const done = new Promise((r) => running.engine.once('done', r));
    const devices = Array.from({ length: CLIENTS }, (_, k) => {
      const sent: string[] = [];
      const logged: Record<string, unknown>[] = [];
      const store = new MemoryStore();
      void h.client(running.url, k, { socketFactory: recording(sent), logger: warnings(logged), store }).run().catch(() => {});
      return { sent, logged, store };
    });
    await done;
    return { summary: rounds[0], devices };
  }

  it('is refused by every honest device: nothing shared, nothing masked, the code in its log', async () => {
    const { summary, devices } = await round(0.5);
    expect(summary).toMatchObject({ committed: false, reported: 0 });
    for (const d of devices) {
      expect(d.sent).toContain('sa-keys');
      expect(d.sent).not.toContain('sa-shares');
      expect(d.sent).not.toContain('sa-masked');
      expect(d.sent).not.toContain('update');
      expect(d.logged).toContainEqual(expect.objectContaining({ event: 'secagg-refused', code: ErrorCodes.SECAGG_NOISE_TOO_LOW }));
      expect((await d.store.load())!.ledger).toEqual([]);
    }
  });

  it('untampered, commits; each device records the n, μ_i and z it checked', async () => {
    const { summary, devices } = await round(1);
    expect(summary).toMatchObject({ committed: true, reported: CLIENTS });
    for (const d of devices) {
      expect(d.sent).toContain('sa-masked');
      expect(d.logged.filter((l) => l.code === ErrorCodes.SECAGG_NOISE_TOO_LOW)).toEqual([]);
      const entry = (await d.store.load())!.ledger.find((e) => e.kind !== 'metrics')!;
      expect(entry.distributedDp).toMatchObject({ clients: CLIENTS, noiseMultiplier: 1, dropoutRate: 0.05 });
      expect(entry.distributedDp!.noise).toBeGreaterThan(0);
    }
  });
});
