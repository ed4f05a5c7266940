// The Skellam accountant against an independent implementation: the numbers in
// fixtures/skellam-rdp-reference.json come from fixtures/skellam_rdp_reference.py (Python standard
// library, written from the formulas of Agarwal et al. 2021 and Zhu & Wang 2019 as implemented in
// google-research/federated distributed_dp/accounting_utils.py), never from this code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ORDERS, rdpToEpsilon } from './rdp.js';
import { computeSkellamRdp, poissonSubsampledRdp, roundedL1Bound, roundedL2Bound, skellamRdp, type SkellamEvent } from './skellam-rdp.js';

interface RefCase {
  name: string;
  event: SkellamEvent;
  clip: number;
  scale: number;
  d: number;
  delta: number;
  orders: number[];
  rdp: number[];
  epsilon: number;
}
const ref = JSON.parse(readFileSync(new URL('./fixtures/skellam-rdp-reference.json', import.meta.url), 'utf8')) as { cases: RefCase[] };

function expectRel(actual: number, expected: number, rtol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rtol * Math.abs(expected));
}

describe('Skellam RDP against the independent Python reference', () => {
  it('uses the same orders', () => {
    for (const c of ref.cases) expect(c.orders).toEqual([...DEFAULT_ORDERS]);
  });

  for (const c of ref.cases) {
    it(`${c.name}: sensitivities, RDP curve and ε to 1e-9`, () => {
      const l2 = roundedL2Bound(c.clip * c.scale, c.d, Math.exp(-0.5));
      expectRel(l2, c.event.l2, 1e-12);
      expectRel(roundedL1Bound(l2, c.d), c.event.l1, 1e-12);
      const curve = computeSkellamRdp(c.event, DEFAULT_ORDERS);
      curve.forEach((r, k) => expectRel(r, c.rdp[k], 1e-9));
      expectRel(rdpToEpsilon(DEFAULT_ORDERS, curve, c.delta).epsilon, c.epsilon, 1e-9);
    });
  }
});

describe('Skellam RDP: properties the formulas imply', () => {
  it('tends to the Gaussian α/(2z²) as the scale grows (the extra terms vanish)', () => {
    const z = 1.3;
    const l2 = 2 ** 30;
    expectRel(skellamRdp(8, l2, l2 * 100, (z * l2) ** 2), 8 / (2 * z * z), 1e-6);
  });

  it('subsampling never costs more than the unamplified mechanism, and q → 0 costs → 0', () => {
    const e = { q: 0.01, l2: 1e6, l1: 1e8, mu: 1e12, steps: 1 };
    const plain = computeSkellamRdp({ ...e, q: 1 }, [2, 8, 32]);
    const sub = computeSkellamRdp(e, [2, 8, 32]);
    sub.forEach((r, k) => expect(r).toBeLessThanOrEqual(plain[k]));
    expect(computeSkellamRdp({ ...e, q: 1e-6 }, [8])[0]).toBeLessThan(1e-9);
  });

  it('less noise costs more ε (fewer survivors than planned)', () => {
    const full = computeSkellamRdp({ q: 0.02, l2: 1e6, l1: 1e8, mu: 1e12, steps: 100 }, DEFAULT_ORDERS);
    const fewer = computeSkellamRdp({ q: 0.02, l2: 1e6, l1: 1e8, mu: 0.9e12, steps: 100 }, DEFAULT_ORDERS);
    expect(rdpToEpsilon(DEFAULT_ORDERS, fewer, 1e-5).epsilon).toBeGreaterThan(rdpToEpsilon(DEFAULT_ORDERS, full, 1e-5).epsilon);
  });

  it('refuses non-integer orders in the Zhu–Wang bound and bad events', () => {
    expect(() => poissonSubsampledRdp(2.5, 0.1, () => 1)).toThrow(RangeError);
    expect(() => computeSkellamRdp({ q: 2, l2: 1, l1: 1, mu: 1, steps: 1 }, [2])).toThrow(RangeError);
    expect(() => computeSkellamRdp({ q: 0.1, l2: 1, l1: 1, mu: -1, steps: 1 }, [2])).toThrow(RangeError);
  });

  it('no noise is ε = ∞', () => {
    expect(computeSkellamRdp({ q: 0.1, l2: 1, l1: 1, mu: 0, steps: 1 }, [2])[0]).toBe(Infinity);
  });
});
