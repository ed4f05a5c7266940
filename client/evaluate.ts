// On-device evaluation (NCF protocol): rank the held-out item among sampled negatives with the
// private user vector. A tie counts against the held-out item, so a constant model scores 0.

import type { MfModel } from '../shared/model/mf-model.js';
import { scoreRows } from '../shared/model/mf-model.js';

export interface RankResult {
  hit: number;
  ndcg: number;
  rank: number;
}

export function rankHeldOut(model: MfModel, user: Float32Array, row: number, negatives: Int32Array, k = 10): RankResult {
  const rows = new Int32Array(negatives.length + 1);
  rows[0] = row;
  rows.set(negatives, 1);
  const s = scoreRows(model, user, rows);
  let rank = 0;
  for (let j = 1; j < s.length; j++) if (!(s[j] < s[0])) rank++; // ties and NaN count against the item
  return rank < k ? { hit: 1, ndcg: 1 / Math.log2(rank + 2), rank } : { hit: 0, ndcg: 0, rank };
}
