// Top-10 for the page, computed on the device from what the client core stored (the newest model
// it was sent, the private user vector, the catalogue rows) and the person's history, each with
// the reason: the history items nearest to it in the model's item space, and what drove its score.

import type { Interaction, InteractionKind } from '../../../shared/data/types.js';
import type { ItemInfo } from '../../../shared/model/catalogue-listing.js';
import type { MfModel } from '../../../shared/model/mf-model.js';
import { explainRecommendation } from '../../explain.js';
// Straight from their modules, not the client barrel: the page needs no wire codec or secure aggregation.
import { recommendTopK } from '../../recommend.js';
import type { ClientState } from '../../store.js';
import { displayTitle } from './search.js';

export interface ShownRecommendation {
  rank: number;
  item: number;
  title: string;
  genres: string[];
  score: number;
  /** History items nearest to this one, with how the person marked them. */
  because: { item: number; title: string; kind: InteractionKind }[];
  /** Shares of the score (adding to 1) from the person's taste and from the item's popularity. */
  factors: { name: 'taste' | 'popularity'; value: number }[];
}

export type Recommendations = { kind: 'ready'; modelVersion: number; items: ShownRecommendation[] } | { kind: 'no-model' };

export function recommendationsFor(client: ClientState | null, history: readonly Interaction[], listing: ReadonlyMap<number, ItemInfo>, k = 10): Recommendations {
  const m = client?.model;
  const cat = client?.catalogue;
  const user = client?.userVector;
  // The model and user vector come with the first round this device is picked for.
  if (!m || !cat || !user || m.items !== cat.itemIds.length || user.length !== m.dim) return { kind: 'no-model' };
  const model: MfModel = { kind: 'mf', items: m.items, dim: m.dim, params: m.params };
  const rowOf = new Map<number, number>();
  cat.itemIds.forEach((id, r) => rowOf.set(id, r));
  const kindOf = strongestMark(history);
  const historyRows = Int32Array.from([...kindOf.keys()].map((id) => rowOf.get(id) ?? -1).filter((r) => r >= 0));
  const top = recommendTopK(model, user, cat.itemIds, new Set(kindOf.keys()), k);
  const items = top.map((rec, i): ShownRecommendation => {
    const why = explainRecommendation(model, historyRows, rowOf.get(rec.item)!, 2, user);
    const info = listing.get(rec.item);
    return {
      rank: i + 1,
      item: rec.item,
      title: displayTitle(info, rec.item),
      genres: info?.genres ?? [],
      score: rec.score,
      because: why.because.map(({ row }) => {
        const id = cat.itemIds[row];
        return { item: id, title: displayTitle(listing.get(id), id), kind: kindOf.get(id)! };
      }),
      factors: why.factors,
    };
  });
  return { kind: 'ready', modelVersion: m.version, items };
}

/** Each history item once, as bought when it was bought (a stronger signal than a view). */
function strongestMark(history: readonly Interaction[]): Map<number, InteractionKind> {
  const m = new Map<number, InteractionKind>();
  for (const it of history) if (m.get(it.item) !== 'purchase') m.set(it.item, it.kind);
  return m;
}

/** "Because you viewed “A” and bought “B”" (null when no history item explains it). */
export function becauseText(because: ShownRecommendation['because']): string | null {
  if (because.length === 0) return null;
  const parts = because.map((b) => `${b.kind === 'purchase' ? 'bought' : 'viewed'} “${b.title}”`);
  // "viewed A and viewed B" reads better as "viewed A and B".
  const sameKind = because.every((b) => b.kind === because[0].kind);
  const tail = sameKind ? because.slice(1).map((b) => `“${b.title}”`) : parts.slice(1);
  return `Because you ${[parts[0], ...tail].join(' and ')}`;
}
