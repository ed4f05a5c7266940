import { describe, expect, it } from 'vitest';
import { rankAgainst } from './ranking.js';

describe('leave-one-out ranking', () => {
  it('counts negatives scoring at least as high; HR@10 and NDCG@10 by the standard formulas', () => {
    expect(rankAgainst(5, [1, 2, 3])).toEqual({ hit: 1, ndcg: 1, rank: 0 });
    const r = rankAgainst(5, [6, 7, 1]);
    expect(r.rank).toBe(2);
    expect(r.ndcg).toBeCloseTo(1 / Math.log2(4), 12);
    expect(rankAgainst(0, Array.from({ length: 10 }, () => 1)).hit).toBe(0);
    expect(rankAgainst(0, Array.from({ length: 9 }, () => 1)).hit).toBe(1);
  });
  it('counts ties and NaN against the held-out item', () => {
    expect(rankAgainst(1, Array.from({ length: 99 }, () => 1))).toMatchObject({ hit: 0, rank: 99 });
    expect(rankAgainst(1, [NaN, NaN]).rank).toBe(2);
    expect(rankAgainst(NaN, [0]).hit).toBe(0);
  });
});
