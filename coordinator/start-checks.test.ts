// What an operator sees before round 1: an unaffordable budget refused with the z that fits, noise
// that dwarfs the mean update warned about with its numbers, and rounds that wait for connected clients.

import { describe, expect, it } from 'vitest';
import { calibrateNoiseMultiplier, computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../shared/privacy/index.js';
import { resolveConfig } from './config.js';
import { noiseWarning, refuseUnaffordableBudget } from './start-checks.js';
import { useHarness } from '../test-helpers/harness.js';

const budget = (epsilon: number) => ({ delta: 1e-5, budget: { epsilon, delta: 1e-5 } });
/** Parameters of a 1,682-item, dim-32 model. */
const D = 1682 * 33;

describe('refuseUnaffordableBudget', () => {
  it('refuses ε 4 at z = 1 when round 1 runs at q = 1, and names a z that does fit', () => {
    // The README's old walk-through: two clients, 100 a round → q = 1.
    const c = resolveConfig({ noiseMultiplier: 1, privacy: budget(4), rounds: 1 });
    let message = '';
    try {
      refuseUnaffordableBudget(c, 0, D);
    } catch (err) {
      expect((err as { code: string }).code).toBe('FEDREC_BUDGET_TOO_SMALL');
      message = (err as Error).message;
    }
    expect(message).toMatch(/round 1 alone would spend ε \d\.\d+ > budget ε 4 at δ 0\.00001/);
    expect(message).toContain('fedrec privacy --sampling-rate 1 --target-epsilon 4 --rounds 1 --delta 0.00001');
    // The suggested z is rounded up, so following the advice must pass the check.
    const z = Number(/--noise-multiplier ([\d.]+)/.exec(message)![1]);
    expect(z).toBeGreaterThan(1);
    expect(() => refuseUnaffordableBudget(resolveConfig({ noiseMultiplier: z, privacy: budget(4), rounds: 1 }), 0, D)).not.toThrow();
    expect(z).toBeGreaterThanOrEqual(calibrateNoiseMultiplier({ samplingRate: 1, rounds: 1, targetEpsilon: 4, delta: 1e-5 }).noiseMultiplier);
  });

  it('lets a budget through when one round fits, and counts the registered population for q', () => {
    expect(() => refuseUnaffordableBudget(resolveConfig({ noiseMultiplier: 1, privacy: budget(8) }), 0, D)).not.toThrow();
    // 100 a round of 10,000 registered ids: q = 0.01, one round costs far less than ε 1.
    expect(rdpToEpsilon(DEFAULT_ORDERS, computeRdp(0.01, 1, 1, DEFAULT_ORDERS), 1e-5).epsilon).toBeLessThan(1);
    expect(() => refuseUnaffordableBudget(resolveConfig({ noiseMultiplier: 1, privacy: budget(1) }), 10_000, D)).not.toThrow();
    expect(() => refuseUnaffordableBudget(resolveConfig({ noiseMultiplier: 1, privacy: budget(1) }), 2, D)).toThrow(/FEDREC_BUDGET_TOO_SMALL|round 1 alone/);
  });
});

describe('refuseUnaffordableBudget with distributed DP', () => {
  it('previews the Skellam round it plans, which costs more than the Gaussian at the same z', () => {
    const c = (dp: 'central' | 'distributed', epsilon: number) => resolveConfig({ dp, noiseMultiplier: 1, samplingRate: 0.05, privacy: budget(epsilon) });
    let central = Infinity;
    let distributed = Infinity;
    for (const e of [0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 8]) {
      const fits = (dp: 'central' | 'distributed') => {
        try {
          refuseUnaffordableBudget(c(dp, e), 4_000, D);
          return true;
        } catch (err) {
          expect((err as { code: string }).code).toBe('FEDREC_BUDGET_TOO_SMALL');
          return false;
        }
      };
      if (fits('central')) central = Math.min(central, e);
      if (fits('distributed')) distributed = Math.min(distributed, e);
    }
    expect(central).toBe(2); // one Gaussian round at q = 0.05, z = 1: ε 1.61 at δ 1e-5
    expect(distributed).toBeLessThan(Infinity);
    expect(distributed).toBeGreaterThanOrEqual(central); // the looser subsampling bound never costs less
  });
});

describe('noiseWarning', () => {
  it('states the noise-to-clip ratio z·√d/m and the clients a round it would take', () => {
    // 943 users at q = 0.1, z = 1, 1,682 items × 33: the ML-100K case that falls below ItemPop.
    const c = resolveConfig({ noiseMultiplier: 1, samplingRate: 0.1 });
    const d = 1682 * 33;
    const w = noiseWarning(c, 943, d)!;
    expect(w.numbers.expectedClients).toBeCloseTo(94.3, 6);
    expect(w.numbers.ratio).toBeCloseTo(Math.sqrt(d) / 94.3, 6);
    expect(w.numbers.perCoordinateStddev).toBeCloseTo(10 / 94.3, 6);
    expect(w.message).toContain(`≈ ${Math.ceil(Math.sqrt(d))} clients a round`);
    expect(noiseWarning(c, 1_000_000, d)).toBeNull(); // 100,000 a round: noise below C
    expect(noiseWarning(resolveConfig({ samplingRate: 0.1 }), 943, d)).toBeNull(); // no noise
  });
});

const h = useHarness();

describe('rounds wait for connected clients', () => {
  it('does not open a round for registered ids that are not connected, and says how many are', async () => {
    const c = await h.coordinator({ rounds: 1, minClients: 2, clientsPerRound: 2, evaluation: { every: 0 } });
    const first = h.client(c.url, 0).run();
    await new Promise((r) => setTimeout(r, 1_500));
    const status = await (await fetch(`${c.httpUrl}/round`)).json();
    expect(status).toMatchObject({ round: 0, open: false, available: 1, minClients: 2 });
    const second = h.client(c.url, 1).run();
    expect(await Promise.all([first, second])).toEqual(['done', 'done']);
    expect(c.engine.lastCommittedRound).toBe(1);
  });
});

describe('an offline persistent device', () => {
  it('selected while offline is counted as dropped at once: the secure round does not wait for it', async () => {
    const c = await h.coordinator({ rounds: 1, minClients: 2, clientsPerRound: 3, roundDeadlineMs: 600_000, evaluation: { every: 0 }, secureAggregation: { stageDeadlineMs: 600_000 } });
    const summaries: { round: number; reported: number; dropped: number; seconds: number }[] = [];
    c.engine.on('round', (s) => summaries.push(s));
    // Joins (and is registered), then goes offline before any round.
    const leaver = h.client(c.url, 2);
    await leaver.run(undefined, () => leaver.stop());
    expect(c.engine.status()).toMatchObject({ registered: 1, available: 0 });
    expect(await Promise.all([0, 1].map((k) => h.client(c.url, k).run()))).toEqual(['done', 'done']);
    expect(summaries.map((s) => [s.round, s.reported, s.dropped])).toEqual([[1, 2, 1]]);
    expect(summaries[0].seconds).toBeLessThan(30);
  });
});
