import { describe, expect, it } from 'vitest';
import type { UserSplit } from '../../shared/data/types.js';
import { catalogueRow } from './catalogue.js';
import { meanRanking } from '../../test-helpers/ranking.js';
import { itemPopularity, leaveOneOut } from './split.js';
import { TASTES_PER_USER, generateSynthetic, syntheticPopulation, syntheticProbability } from './synthetic.js';

const { population, truth } = generateSynthetic(); // the demo's default population
const counts = population.users.map((u) => u.interactions.length).sort((a, b) => a - b);
const total = counts.reduce((a, b) => a + b, 0);

describe('synthetic population: shape', () => {
  it('has the default size, ids 1..items and a descriptive name', () => {
    expect(population.name).toBe('synthetic(users=2000,items=1000,seed=1)');
    expect(population.users).toHaveLength(2000);
    expect(population.users[0].user).toBe('1');
    expect(Array.from(population.itemIds)).toEqual(Array.from({ length: 1000 }, (_, r) => r + 1));
    expect(syntheticPopulation({ users: 5, items: 50, noise: 0.3 }).name).toBe('synthetic(users=5,items=50,seed=1,noise=0.3)');
  });

  it('has long-tailed history lengths: min 10, median ~25, capped at 200', () => {
    expect(counts[0]).toBe(10);
    expect(counts[counts.length >> 1]).toBeGreaterThanOrEqual(20);
    expect(counts[counts.length >> 1]).toBeLessThanOrEqual(30);
    expect(counts[counts.length - 1]).toBeLessThanOrEqual(200);
    expect(counts[Math.floor(counts.length * 0.95)]).toBeGreaterThan(60);
  });

  it('gives each user distinct items with strictly increasing timestamps, ~10% purchases', () => {
    let purchases = 0;
    for (const { interactions } of population.users) {
      expect(new Set(interactions.map((x) => x.item)).size).toBe(interactions.length);
      for (let k = 1; k < interactions.length; k++) expect(interactions[k].timestamp).toBeGreaterThan(interactions[k - 1].timestamp);
      for (const x of interactions) {
        expect(x.item >= 1 && x.item <= 1000 && Number.isInteger(x.timestamp)).toBe(true);
        if (x.kind === 'purchase') purchases++;
      }
    }
    expect(purchases / total).toBeGreaterThan(0.08);
    expect(purchases / total).toBeLessThan(0.12);
  });

  it('has a popularity long tail: the top 10% of items get about half the interactions', () => {
    const perItem = new Array(1000).fill(0);
    for (const u of population.users) for (const x of u.interactions) perItem[x.item - 1]++;
    perItem.sort((a, b) => b - a);
    const share = (from: number, to: number) => perItem.slice(from, to).reduce((a, b) => a + b, 0) / total;
    expect(share(0, 100)).toBeGreaterThan(0.45);
    expect(share(500, 1000)).toBeLessThan(0.15);
  });

  it('keeps tiny catalogues working by capping history lengths at half the catalogue', () => {
    const tiny = syntheticPopulation({ users: 50, items: 12 });
    for (const u of tiny.users) expect(u.interactions.length).toBe(6);
    expect(tiny.name).toBe('synthetic(users=50,items=12,seed=1,clusters=12)');
  });
});

describe('synthetic population: seeding', () => {
  it('is deterministic per seed, and user k does not depend on how many users there are', () => {
    const a = syntheticPopulation({ users: 200, seed: 9 });
    expect(syntheticPopulation({ users: 200, seed: 9 })).toEqual(a);
    expect(syntheticPopulation({ users: 200, seed: 10 }).users[0]).not.toEqual(a.users[0]);
    expect(syntheticPopulation({ users: 50, seed: 9 }).users).toEqual(a.users.slice(0, 50));
  });

  it('generates 50,000 users', () => {
    const big = syntheticPopulation({ users: 50_000, items: 2000 });
    expect(big.users).toHaveLength(50_000);
  });

  it.each([
    [{ users: 0 }, /users must be at least 1/],
    [{ users: 1.5 }, /users must be an integer/],
    [{ items: 1 }, /items must be at least 2/],
    [{ clusters: 0 }, /clusters/],
    [{ minPerUser: 30 }, /minPerUser <= medianPerUser/],
    [{ noise: 1.5 }, /noise/],
    [{ purchaseRate: -0.1 }, /purchaseRate/],
    [{ popularityExponent: NaN }, /popularityExponent/],
  ])('rejects %j', (options, message) => {
    expect(() => syntheticPopulation(options)).toThrow(message);
  });
});

describe('synthetic population: planted structure', () => {
  const splits = leaveOneOut(population, { seed: 1 });
  const ids = population.itemIds;
  const popularity = itemPopularity(splits, ids);
  const itemPop = meanRanking(splits, () => (item) => popularity[catalogueRow(ids, item)]);

  it('draws most of each history from the user’s own taste clusters', () => {
    // Compared with the clusters of the next user: the share a taste-blind population would give.
    let own = 0;
    let other = 0;
    const tastesOf = (u: number) => truth.userClusters.subarray(u * TASTES_PER_USER, (u + 1) * TASTES_PER_USER);
    population.users.forEach(({ interactions }, u) => {
      for (const x of interactions) {
        if (tastesOf(u).includes(truth.itemCluster[x.item - 1])) own++;
        if (tastesOf((u + 1) % population.users.length).includes(truth.itemCluster[x.item - 1])) other++;
      }
    });
    expect(own / total).toBeGreaterThan(0.55);
    expect(own / total).toBeGreaterThan((3 * other) / total);
  });

  it('lets ItemPop rank the held-out item fairly well (HR@10 ≈ 0.45)', () => {
    expect(itemPop.hr).toBeGreaterThan(0.38);
    expect(itemPop.hr).toBeLessThan(0.5);
  });

  it('rewards personalization: the true model and an item co-occurrence model beat ItemPop clearly', () => {
    const userIndex = new Map(population.users.map((u, k) => [u.user, k]));
    const oracle = meanRanking(splits, (s) => (item) => syntheticProbability(truth, userIndex.get(s.user)!, catalogueRow(ids, item)));
    const cooccurrence = meanRanking(splits, itemKnnScorer(splits, ids));
    expect(oracle.hr).toBeGreaterThan(itemPop.hr + 0.25);
    expect(cooccurrence.hr).toBeGreaterThan(itemPop.hr + 0.15);
  });
});

/** Item-based CF with cosine-normalized co-occurrence: a crude personalized model. */
function itemKnnScorer(splits: UserSplit[], ids: Int32Array): (split: UserSplit) => (item: number) => number {
  const n = ids.length;
  const co = new Float64Array(n * n);
  const pop = itemPopularity(splits, ids);
  for (const split of splits) {
    const rows = split.train.map((x) => catalogueRow(ids, x.item));
    for (const a of rows) for (const b of rows) if (a !== b) co[a * n + b]++;
  }
  return (split) => {
    const rows = split.train.map((x) => catalogueRow(ids, x.item));
    return (item) => {
      const r = catalogueRow(ids, item);
      let s = 0;
      for (const j of rows) s += co[j * n + r] / Math.sqrt(pop[j] * pop[r] + 1);
      return s;
    };
  };
}
