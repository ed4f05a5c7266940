// Distributed DP end to end: a real coordinator and real clients on loopback. The clients send zero
// updates, so whatever the coordinator unmasks is the noise they added: it must already have the
// planned Skellam variance (μ_i × survivors) before the coordinator does anything, and the ledger
// must charge exactly that noise.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecureClientRound } from '../../client/secagg/secure-client-round.js';
import { DEFAULT_ORDERS, rdpToEpsilon } from '../../shared/privacy/rdp.js';
import { computeSkellamRdp } from '../../shared/privacy/skellam-rdp.js';
import { useHarness } from '../../test-helpers/harness.js';
import { dyingAfter } from '../../test-helpers/dying-socket.js';
import { type DistributedSum, SecureSumStage } from '../aggregation/secure-sum.js';
import type { RoundSummary } from '../round-engine.js';

interface Seen {
  sum: Int32Array;
  count: number;
  scale: number;
  distributed: DistributedSum | null;
}

/** Records what the coordinator's secure leaf is handed: the unmasked sum, before anything else. */
function watchUnmaskedSums(): Seen[] {
  const seen: Seen[] = [];
  const provide = SecureSumStage.prototype.provide;
  vi.spyOn(SecureSumStage.prototype, 'provide').mockImplementation(function (this: SecureSumStage, sum, count, scale, distributed) {
    seen.push({ sum: Int32Array.from(sum), count, scale, distributed: distributed ?? null });
    return provide.call(this, sum, count, scale, distributed);
  });
  return seen;
}

/** Every client sends a zero update (its real training still runs). */
function zeroUpdates(): void {
  const maskedInput = SecureClientRound.prototype.maskedInput;
  vi.spyOn(SecureClientRound.prototype, 'maskedInput').mockImplementation(function (this: SecureClientRound, input, version, uniform) {
    return maskedInput.call(this, { ...input, delta: new Float32Array(input.delta.length), ranges: undefined }, version, uniform);
  });
}

/** The model words of the unmasked sum: Sk(V) per word if the noise is there, 0 if not. */
function expectSkellamVariance(s: Seen, v: number): void {
  const d = s.sum.length - 1;
  let mean = 0;
  for (let i = 0; i < d; i++) mean += s.sum[i];
  mean /= d;
  let variance = 0;
  for (let i = 0; i < d; i++) variance += (s.sum[i] - mean) ** 2;
  variance /= d - 1;
  // Sample mean sd √(V/d); sample variance sd √((2V² + V)/d) for Sk(V) (fourth moment 3V² + V).
  expect(Math.abs(mean)).toBeLessThan(6 * Math.sqrt(v / d));
  expect(Math.abs(variance - v)).toBeLessThan(6 * Math.sqrt((2 * v * v + v) / d));
  expect(s.sum[d]).toBe(0); // no clipped bit travels under distributed DP
}

function expectedEpsilon(s: Seen, q: number, delta: number): number {
  const dd = s.distributed!;
  const curve = computeSkellamRdp({ q, l2: dd.normBound, l1: dd.l1Bound, mu: dd.noisePerClient * s.count, steps: 1 }, DEFAULT_ORDERS);
  return rdpToEpsilon(DEFAULT_ORDERS, curve, delta).epsilon;
}

describe('distributed DP over SecAgg+ (real coordinator, real clients)', () => {
  const h = useHarness();
  afterEach(() => vi.restoreAllMocks());

  it('the unmasked sum already holds the noise; the coordinator adds none; the ledger charges what is there', async () => {
    const seen = watchUnmaskedSums();
    zeroUpdates();
    const c = await h.cluster({ rounds: 1, dp: 'distributed', noiseMultiplier: 1, model: { dim: 64 }, secureAggregation: { dropoutRate: 0.05 } }, 4);
    await c.done;
    expect(c.rounds[0]).toMatchObject({ committed: true, abandonedBy: null, reported: 4 });
    expect(seen).toHaveLength(1);
    const s = seen[0];
    expect(s.count).toBe(4);
    expect(s.distributed).not.toBeNull();
    // 4 clients each added μ_i = (z·Δ2)²/(4 · 0.95): over-provisioned for 5 % dropouts.
    const dd = s.distributed!;
    expect(dd.noisePerClient * 4 * 0.95).toBeCloseTo(dd.normBound ** 2, -2);
    expectSkellamVariance(s, dd.noisePerClient * 4);
    // The round summary's noise is the clients' noise in real units; none was added on top.
    expect(c.rounds[0].noiseStddev).toBeCloseTo(Math.sqrt(dd.noisePerClient * 4) / s.scale, 9);
    const eps = expectedEpsilon(s, 1, 1e-5);
    expect(c.rounds[0].epsilon).toBeCloseTo(eps, 12);
    const privacy = await (await fetch(`${c.coordinator.httpUrl}/privacy`)).json();
    expect(privacy.epsilon).toBeCloseTo(eps, 12);
    expect(privacy.mechanism).toMatch(/Skellam/);
  });

  it('central mode still hands the coordinator an un-noised sum (the contrast)', async () => {
    const seen = watchUnmaskedSums();
    zeroUpdates();
    const c = await h.cluster({ rounds: 1, noiseMultiplier: 1, model: { dim: 8 } }, 3);
    await c.done;
    expect(seen[0].distributed).toBeNull();
    expect(seen[0].sum.every((w) => w === 0)).toBe(true);
  });

  it('a client lost after sharing: less noise in the sum, and the ledger charges the larger ε', async () => {
    const seen = watchUnmaskedSums();
    zeroUpdates();
    const running = await h.coordinator({ rounds: 1, dp: 'distributed', noiseMultiplier: 1, model: { dim: 64 }, clientsPerRound: 5, minClients: 5, roundDeadlineMs: 10_000, evaluation: { every: 0 }, secureAggregation: { stageDeadlineMs: 5_000 } });
    const rounds: RoundSummary[] = [];
    running.engine.on('round', (r: RoundSummary) => rounds.push(r));
    const done = new Promise((r) => running.engine.once('done', r));
    const dying = dyingAfter('sa-shares');
    for (let k = 0; k < 5; k++) void h.client(running.url, k, k === 0 ? { socketFactory: dying.factory } : {}).run().catch(() => {});
    await done;
    expect(rounds[0]).toMatchObject({ committed: true, reported: 4, secure: { dropped: 1 } });
    const s = seen[0];
    expect(s.count).toBe(4);
    expectSkellamVariance(s, s.distributed!.noisePerClient * 4); // 4 shares, planned for 5 × 0.95
    const eps = expectedEpsilon(s, 1, 1e-5);
    expect(rounds[0].epsilon).toBeCloseTo(eps, 12);
    // Had all 5 survived, the sum would hold more noise and cost less.
    const full = rdpToEpsilon(DEFAULT_ORDERS, computeSkellamRdp({ q: 1, l2: s.distributed!.normBound, l1: s.distributed!.l1Bound, mu: s.distributed!.noisePerClient * 5, steps: 1 }, DEFAULT_ORDERS), 1e-5).epsilon;
    expect(eps).toBeGreaterThan(full);
  });
});
