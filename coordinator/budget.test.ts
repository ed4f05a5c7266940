import { describe, expect, it } from 'vitest';
import { computeRdp, rdpToEpsilon, DEFAULT_ORDERS } from '../shared/privacy/rdp.js';
import { useHarness } from '../test-helpers/harness.js';

const h = useHarness();

const z = 1.1;
const delta = 1e-5;
const epsAfter = (rounds: number) => rdpToEpsilon(DEFAULT_ORDERS, computeRdp(1, z, rounds, DEFAULT_ORDERS), delta).epsilon;

describe('privacy budget', () => {
  it('stops before the round that would exceed the budget, and a restart neither resets nor double-counts', async () => {
    const dir = await h.tempDir('fedrec-budget-');
    // Room for exactly 3 rounds at q = 1, z = 1.1.
    const budget = { epsilon: (epsAfter(3) + epsAfter(4)) / 2, delta };
    const base = { stateDir: dir, noiseMultiplier: z, round: { clipNorm: 1 }, privacy: { delta, budget } };

    const first = await h.cluster({ ...base, rounds: 2 }, 3);
    await first.done;
    expect(first.coordinator.ledger.roundsDone).toBe(2);
    await first.stop();

    const cluster = await h.cluster({ ...base, rounds: 50 }, 3);
    const exhausted = new Promise((r) => cluster.coordinator.engine.once('budget-exhausted', r));
    await cluster.done;
    await exhausted;
    expect(cluster.rounds.map((r) => r.round)).toEqual([3]);
    expect(cluster.coordinator.ledger.roundsDone).toBe(3);
    expect(cluster.coordinator.ledger.epsilon()).toBeCloseTo(epsAfter(3), 10);
    expect(cluster.coordinator.ledger.epsilon()).toBeLessThanOrEqual(budget.epsilon);
    expect(cluster.coordinator.engine.status().phase).toBe('budget-exhausted');
    const privacy = await (await fetch(`${cluster.coordinator.httpUrl}/privacy`)).json();
    expect(privacy).toMatchObject({ roundsDone: 3, noiseMultiplier: z, samplingRate: 1, budget, delta });
    expect(privacy.epsilon).toBeCloseTo(epsAfter(3), 10);
    expect(privacy.evaluation).toMatchObject({ released: 0, noised: false }); // evaluation is off in these clusters
  });

  it('refuses a budget without noise at start, naming the parameter', async () => {
    const { resolveConfig } = await import('./config.js');
    expect(() => resolveConfig({ noiseMultiplier: 0, privacy: { delta, budget: { epsilon: 10, delta } } })).toThrow(/needs noiseMultiplier > 0/);
  });

  it('refuses the realized-count denominator with noise or a budget: its ε cannot be certified', async () => {
    const { resolveConfig } = await import('./config.js');
    expect(() => resolveConfig({ denominator: 'reported', noiseMultiplier: 1 })).toThrow(/denominator "reported" cannot be combined with noise or a privacy budget/);
    expect(() => resolveConfig({ denominator: 'reported', noiseMultiplier: 1, privacy: { delta, budget: { epsilon: 10, delta } } })).toThrow(/denominator "reported"/);
    expect(resolveConfig({ denominator: 'reported', noiseMultiplier: 0 }).denominator).toBe('reported'); // ε = ∞, said so
  });
});
