// On-device evaluation (NCF protocol): rank the held-out item among sampled negatives with the
// private user vector.

import { rankAgainst, type RankResult } from '../shared/data/ranking.js';
import type { MfModel } from '../shared/model/mf-model.js';
import { scoreRows } from '../shared/model/mf-model.js';

export function rankHeldOut(model: MfModel, user: Float32Array, row: number, negatives: Int32Array, k = 10): RankResult {
  const rows = new Int32Array(negatives.length + 1);
  rows[0] = row;
  rows.set(negatives, 1);
  const s = scoreRows(model, user, rows);
  return rankAgainst(s[0], s.subarray(1), k);
}
