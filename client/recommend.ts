// Top-k recommendations on the device: the global model, the private user vector, minus what the
// user has already seen. Nothing is sent anywhere.

import type { MfModel } from '../shared/model/mf-model.js';
import { scoreRows } from '../shared/model/mf-model.js';

export interface Recommendation {
  item: number;
  score: number;
}

export function recommendTopK(model: MfModel, user: Float32Array, itemIds: Int32Array, seen: ReadonlySet<number>, k: number): Recommendation[] {
  const scores = scoreRows(model, user);
  const out: Recommendation[] = [];
  for (let r = 0; r < scores.length; r++) {
    if (seen.has(itemIds[r])) continue;
    out.push({ item: itemIds[r], score: scores[r] });
  }
  out.sort((a, b) => b.score - a.score || a.item - b.item);
  return out.slice(0, k);
}
