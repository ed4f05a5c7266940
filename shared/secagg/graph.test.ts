import { describe, expect, it } from 'vitest';
import { chooseNeighbourhood, harary, randomPermutation } from './graph.js';

/** P[Binomial(k, p) ≥ from] by direct summation with exact BigInt binomial coefficients. */
function tail(k: number, p: number, from: number): number {
  let total = 0;
  let c = 1n; // C(k, 0)
  for (let i = 0; i <= k; i++) {
    if (i >= from) total += Number(c) * p ** i * (1 - p) ** (k - i);
    c = (c * BigInt(k - i)) / BigInt(i + 1);
  }
  return total;
}

const defaults = { dropout: 0.05, corrupt: 0.05, securityBits: 40, correctnessBits: 20 };

function satisfies(n: number, k: number, t: number, o = defaults): boolean {
  return (
    2 * t > k + 1 &&
    n * tail(k, o.corrupt, t) <= 2 ** -o.securityBits &&
    n * tail(k + 1, o.dropout, k + 2 - t) <= 2 ** -o.correctnessBits &&
    n * (o.corrupt + o.dropout) ** (k / 2) <= 2 ** -o.securityBits
  );
}

describe('chooseNeighbourhood', () => {
  it.each([671, 10_000])('n = %i: (k, t) meets all four bounds, t is minimal and no smaller k works', (n) => {
    const { degree: k, threshold: t, full } = chooseNeighbourhood(n);
    expect(full).toBe(false);
    expect(k % 2).toBe(0);
    expect(satisfies(n, k, t)).toBe(true);
    expect(satisfies(n, k, t - 1)).toBe(false);
    for (let smaller = 2; smaller < k; smaller += 2) {
      for (let tt = 2; tt <= smaller + 1; tt++) expect(satisfies(n, smaller, tt)).toBe(false);
    }
  });

  it('grows slowly with n', () => {
    const ks = [100, 1000, 10_000, 100_000, 1_000_000].map((n) => chooseNeighbourhood(n).degree);
    expect(ks[0]).toBeLessThanOrEqual(40);
    expect(ks[3]).toBeLessThanOrEqual(60);
    for (let i = 1; i < ks.length; i++) expect(ks[i]).toBeGreaterThanOrEqual(ks[i - 1]);
  });

  it('uses the full graph for small n', () => {
    expect(chooseNeighbourhood(2)).toEqual({ degree: 1, threshold: 2, full: true });
    expect(chooseNeighbourhood(3)).toEqual({ degree: 2, threshold: 2, full: true });
    expect(chooseNeighbourhood(10)).toEqual({ degree: 9, threshold: 6, full: true });
    expect(chooseNeighbourhood(11)).toEqual({ degree: 10, threshold: 6, full: true });
  });

  it('follows the rates: more dropout or corruption, larger neighbourhoods', () => {
    const base = chooseNeighbourhood(5000);
    expect(chooseNeighbourhood(5000, { dropout: 0.2 }).degree).toBeGreaterThan(base.degree);
    expect(chooseNeighbourhood(5000, { corrupt: 0.2 }).degree).toBeGreaterThan(base.degree);
    const custom = { dropout: 0.1, corrupt: 0.02, securityBits: 30, correctnessBits: 15 };
    const p = chooseNeighbourhood(5000, custom);
    expect(satisfies(5000, p.degree, p.threshold, custom)).toBe(true);
  });

  it('falls back to k = 254 with a secure threshold when no k passes', () => {
    const o = { dropout: 0.45, corrupt: 0.45 };
    const p = chooseNeighbourhood(1000, o);
    expect(p).toMatchObject({ degree: 254, full: false });
    expect(2 * p.threshold).toBeGreaterThan(255);
    expect(1000 * tail(254, 0.45, p.threshold)).toBeLessThanOrEqual(2 ** -40);
    expect(p.threshold).toBeLessThanOrEqual(255);
  });

  it('rejects bad parameters', () => {
    expect(() => chooseNeighbourhood(1)).toThrow(/at least 2 clients/);
    expect(() => chooseNeighbourhood(100, { dropout: 1 })).toThrow(/dropout/);
    expect(() => chooseNeighbourhood(100, { corrupt: -0.1 })).toThrow(/corrupt/);
    expect(() => chooseNeighbourhood(100, { dropout: 0.6, corrupt: 0.5 })).toThrow(/below 1/);
    expect(() => chooseNeighbourhood(100, { securityBits: 0 })).toThrow(/securityBits/);
  });
});

describe('harary', () => {
  function checkGraph(graph: number[][], n: number, degree: number): void {
    expect(graph).toHaveLength(n);
    const problems: string[] = [];
    const edges = new Set<string>();
    graph.forEach((list, c) => list.forEach((o) => edges.add(`${c}-${o}`)));
    graph.forEach((list, c) => {
      if (list.length !== degree) problems.push(`${c}: degree ${list.length}`);
      if (list.includes(c)) problems.push(`${c}: self loop`);
      if (new Set(list).size !== list.length) problems.push(`${c}: repeated neighbour`);
      if (list.some((v, i) => i > 0 && list[i - 1] >= v)) problems.push(`${c}: not sorted`);
      for (const o of list) if (!edges.has(`${o}-${c}`)) problems.push(`${c}-${o}: not symmetric`);
    });
    expect(problems).toEqual([]);
  }

  it.each([
    [5, 2],
    [10, 4],
    [11, 8],
    [200, 36],
    [671, 50],
  ])('n = %i, k = %i: symmetric, exact degree, no self loops, sorted', (n, k) => {
    checkGraph(harary(n, k, randomPermutation(n)), n, k);
  });

  it('links each client to the k/2 nearest on each side of the ring', () => {
    const perm = Int32Array.from([3, 0, 4, 1, 2]);
    const g = harary(5, 2, perm);
    expect(g[3]).toEqual([0, 2]); // ring 3-0-4-1-2-(3)
    expect(g[4]).toEqual([0, 1]);
  });

  it('is the full graph when degree ≥ n − 1', () => {
    checkGraph(harary(6, 5, randomPermutation(6)), 6, 5);
    checkGraph(harary(7, 6, randomPermutation(7)), 7, 6);
    checkGraph(harary(2, 1, randomPermutation(2)), 2, 1);
    expect(harary(1, 0, Int32Array.from([0]))).toEqual([[]]);
  });

  it('rejects an odd degree below n − 1 and a non-permutation', () => {
    expect(() => harary(10, 3, randomPermutation(10))).toThrow(/even/);
    expect(() => harary(3, 2, Int32Array.from([0, 0, 1]))).toThrow(/permutation/);
    expect(() => harary(3, 2, Int32Array.from([0, 1]))).toThrow(/permutation/);
  });
});

describe('randomPermutation', () => {
  it('is a permutation and varies', () => {
    for (const n of [0, 1, 2, 17, 20_000]) {
      const p = randomPermutation(n);
      expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect(Array.from(randomPermutation(50))).not.toEqual(Array.from(randomPermutation(50)));
  });

  it('puts each element at each position about equally often', () => {
    const n = 4;
    const trials = 24_000;
    const counts = new Array(n * n).fill(0);
    for (let r = 0; r < trials; r++) randomPermutation(n).forEach((v, pos) => counts[v * n + pos]++);
    const expected = trials / n;
    const sd = Math.sqrt(trials * (1 / n) * (1 - 1 / n));
    for (const c of counts) expect(Math.abs(c - expected)).toBeLessThan(5 * sd);
  });
});
