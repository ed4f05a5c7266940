// The ledger charges distributed rounds with the Skellam accountant, composed with Gaussian rounds on
// one RDP curve; the numbers are checked against the independent Python reference.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../shared/privacy/rdp.js';
import { computeSkellamRdp, type SkellamEvent } from '../shared/privacy/skellam-rdp.js';
import { PrivacyLedger } from './privacy-ledger.js';

const ref = JSON.parse(readFileSync(new URL('../shared/privacy/fixtures/skellam-rdp-reference.json', import.meta.url), 'utf8')) as { cases: { name: string; event: SkellamEvent; delta: number; epsilon: number }[] };
const settings = (dp: 'central' | 'distributed' = 'distributed', budget: { epsilon: number; delta: number } | null = null) => ({ delta: 1e-5, budget, clipNorm: () => 1, noiseMultiplier: 1, samplingRate: () => 0.02, aggregation: 'secure' as const, dp });
const skellam = (e: SkellamEvent) => ({ mechanism: 'sampled-skellam' as const, samplingRate: e.q, l2: e.l2, l1: e.l1, mu: e.mu, steps: 1 });

describe('PrivacyLedger with distributed (Skellam) rounds', () => {
  for (const c of ref.cases.filter((k) => k.event.steps > 1)) {
    it(`${c.name}: ε after ${c.event.steps} recorded rounds equals the reference`, () => {
      const ledger = new PrivacyLedger({ ...settings(), delta: c.delta });
      for (let i = 0; i < c.event.steps; i++) ledger.record([skellam(c.event)]);
      expect(Math.abs(ledger.epsilon() - c.epsilon)).toBeLessThanOrEqual(1e-9 * c.epsilon);
      expect(ledger.skellamEvents).toEqual([{ ...c.event }]); // merged into one entry
    });
  }

  it('composes a Gaussian and a Skellam round on one curve; snapshot/restore recomputes it', () => {
    const e = ref.cases[0].event;
    const ledger = new PrivacyLedger(settings());
    ledger.record([{ mechanism: 'sampled-gaussian', samplingRate: 0.02, noiseMultiplier: 1, steps: 1 }]);
    ledger.record([skellam(e)]);
    const g = computeRdp(0.02, 1, 1, DEFAULT_ORDERS);
    const s = computeSkellamRdp({ ...e, steps: 1 }, DEFAULT_ORDERS);
    const expected = rdpToEpsilon(DEFAULT_ORDERS, g.map((v, k) => v + s[k]), 1e-5).epsilon;
    expect(ledger.epsilon()).toBeCloseTo(expected, 12);
    const again = new PrivacyLedger(settings(), JSON.parse(JSON.stringify(ledger.snapshot())));
    expect(again.epsilon()).toBe(ledger.epsilon());
    expect(again.roundsDone).toBe(2);
  });

  it('refuses a forged checkpoint event', () => {
    expect(() => new PrivacyLedger(settings(), { rounds: 1, skellam: [{ q: 0.1, l2: 1, l1: 1, mu: -5, steps: 1 }] })).toThrow(RangeError);
  });

  it('previews a planned distributed round against the budget', () => {
    const e = ref.cases[0].event;
    const one = rdpToEpsilon(DEFAULT_ORDERS, computeSkellamRdp({ ...e, steps: 1 }, DEFAULT_ORDERS), 1e-5).epsilon;
    expect(new PrivacyLedger(settings('distributed', { epsilon: one * 1.01, delta: 1e-5 })).refusal(e.q, 1, { ...e, steps: 1 })).toBeNull();
    expect(new PrivacyLedger(settings('distributed', { epsilon: one * 0.99, delta: 1e-5 })).refusal(e.q, 1, { ...e, steps: 1 })).toMatchObject({ epsilonAfter: one });
  });

  it('GET /privacy names the mechanism that runs', () => {
    expect(new PrivacyLedger(settings('distributed')).summary().mechanism).toMatch(/Skellam/);
    expect(new PrivacyLedger(settings('central')).summary().mechanism).not.toMatch(/Skellam/);
    const central = new PrivacyLedger(settings('central'));
    central.record([skellam(ref.cases[0].event)]); // what ran wins over what was configured
    expect(central.summary().mechanism).toMatch(/Skellam/);
  });
});
