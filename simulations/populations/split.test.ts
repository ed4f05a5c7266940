import { describe, expect, it } from 'vitest';
import type { Interaction, Population, UserHistory } from '../../shared/data/types.js';
import { SeededRandom } from '../../shared/random.js';
import { itemPopularity, leaveOneOut } from './split.js';
import { syntheticPopulation } from './synthetic.js';

const view = (item: number, timestamp: number): Interaction => ({ item, timestamp, kind: 'view' });
const catalogue = (n: number) => Int32Array.from({ length: n }, (_, r) => 10 + 2 * r); // ids 10, 12, …

function population(users: UserHistory[], items = 300): Population {
  return { name: 'test', users, itemIds: catalogue(items) };
}

describe('leaveOneOut', () => {
  it('holds out the latest interaction, the later one on a timestamp tie, and keeps the rest in order', () => {
    const users = [
      { user: 'a', interactions: [view(10, 5), view(12, 9), view(14, 7)] },
      { user: 'b', interactions: [view(10, 1), view(16, 3), view(12, 3), view(14, 2)] },
    ];
    const [a, b] = leaveOneOut(population(users), { seed: 1 });
    expect(a.test).toBe(12);
    expect(a.train).toEqual([view(10, 5), view(14, 7)]);
    expect(b.test).toBe(12);
    expect(b.train).toEqual([view(10, 1), view(16, 3), view(14, 2)]);
  });

  it('skips users with fewer than 2 interactions', () => {
    const users = [
      { user: 'none', interactions: [] },
      { user: 'one', interactions: [view(10, 1)] },
      { user: 'two', interactions: [view(10, 1), view(12, 2)] },
    ];
    expect(leaveOneOut(population(users), { seed: 1 }).map((s) => s.user)).toEqual(['two']);
  });

  const synthetic = syntheticPopulation({ users: 300, items: 400 });

  it('samples `negatives` distinct catalogue items the user never interacted with', () => {
    const splits = leaveOneOut(synthetic, { seed: 7 });
    expect(splits).toHaveLength(300);
    const catalogueSet = new Set(synthetic.itemIds);
    splits.forEach((split, u) => {
      const history = new Set(synthetic.users[u].interactions.map((x) => x.item));
      expect(split.evalNegatives).toHaveLength(99);
      expect(new Set(split.evalNegatives).size).toBe(99);
      for (const item of split.evalNegatives) {
        expect(history.has(item)).toBe(false);
        expect(catalogueSet.has(item)).toBe(true);
      }
      expect(split.train.length + 1).toBe(synthetic.users[u].interactions.length);
    });
    expect(leaveOneOut(synthetic, { seed: 7, negatives: 5 })[0].evalNegatives).toHaveLength(5);
  });

  it('is deterministic, depends on the seed, and not on the order or set of users', () => {
    const splits = leaveOneOut(synthetic, { seed: 7 });
    expect(leaveOneOut(synthetic, { seed: 7 })).toEqual(splits);
    expect(leaveOneOut(synthetic, { seed: 8 })[0].evalNegatives).not.toEqual(splits[0].evalNegatives);
    const shuffled = { ...synthetic, users: new SeededRandom(5).shuffle([...synthetic.users]).slice(0, 100) };
    const byUser = new Map(splits.map((s) => [s.user, s]));
    for (const split of leaveOneOut(shuffled, { seed: 7 })) expect(split).toEqual(byUser.get(split.user));
  });

  it('gives every remaining item when fewer than `negatives` are left', () => {
    const users = [{ user: 'heavy', interactions: Array.from({ length: 17 }, (_, k) => view(10 + 2 * k, k)) }];
    const [split] = leaveOneOut(population(users, 20), { seed: 1 });
    expect(Array.from(split.evalNegatives).sort((x, y) => x - y)).toEqual([44, 46, 48]);
  });

  it('finds negatives by shuffling when the user has most of the catalogue', () => {
    const users = [{ user: 'most', interactions: Array.from({ length: 150 }, (_, k) => view(10 + 2 * k, k)) }];
    const [split] = leaveOneOut(population(users, 300), { seed: 1 });
    expect(split.evalNegatives).toHaveLength(99);
    expect(new Set(split.evalNegatives).size).toBe(99);
    for (const item of split.evalNegatives) expect(item).toBeGreaterThanOrEqual(10 + 2 * 150);
  });
});

describe('itemPopularity', () => {
  it('counts train interactions per catalogue row, leaving out the held-out items', () => {
    const users = [
      { user: 'a', interactions: [view(10, 1), view(14, 2), view(12, 3)] },
      { user: 'b', interactions: [view(14, 1), view(10, 9)] },
    ];
    const p = population(users, 4);
    expect(Array.from(itemPopularity(leaveOneOut(p, { seed: 1 }), p.itemIds))).toEqual([1, 0, 2, 0]);
  });

  it('refuses train items outside the catalogue', () => {
    const p = population([{ user: 'a', interactions: [view(11, 1), view(10, 2)] }], 4);
    expect(() => itemPopularity(leaveOneOut(p, { seed: 1 }), p.itemIds)).toThrow(/item 11 of user a/);
  });
});
