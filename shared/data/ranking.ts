// Leave-one-out ranking metrics (NCF protocol): the held-out item's rank among its sampled
// negatives; a tie (or NaN) counts against the held-out item, so a constant model scores 0.

export interface RankResult {
  /** 1 when the held-out item is in the top k, else 0 (numbers, so they average directly). */
  hit: number;
  ndcg: number;
  /** Negatives scoring at least as high as the held-out item. */
  rank: number;
}

export function rankAgainst(testScore: number, negativeScores: ArrayLike<number>, k = 10): RankResult {
  let rank = 0;
  for (let j = 0; j < negativeScores.length; j++) if (!(negativeScores[j] < testScore)) rank++;
  return rank < k && testScore === testScore ? { hit: 1, ndcg: 1 / Math.log2(rank + 2), rank } : { hit: 0, ndcg: 0, rank };
}
