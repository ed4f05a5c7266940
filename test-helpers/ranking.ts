// Mean HR@10 / NDCG@10 of any item-id scorer over leave-one-out splits (for baselines in tests).

import type { UserSplit } from '../shared/data/types.js';
import { rankAgainst } from '../shared/data/ranking.js';

export function meanRanking(splits: UserSplit[], scorerFor: (split: UserSplit) => (item: number) => number, k = 10): { hr: number; ndcg: number; users: number } {
  let hr = 0;
  let ndcg = 0;
  for (const s of splits) {
    const score = scorerFor(s);
    const r = rankAgainst(score(s.test), Array.from(s.evalNegatives, score), k);
    hr += r.hit;
    ndcg += r.ndcg;
  }
  return { hr: splits.length ? hr / splits.length : 0, ndcg: splits.length ? ndcg / splits.length : 0, users: splits.length };
}
