// What `fedrec recommend` shows: the top-k unseen items with why each was picked (explain.ts), as a
// table a person reads or as JSON for programs. Raw scores mean little to people (a noisy model's run
// to 1e7), so the table shows `match`: the score placed between the worst (0 %) and best (100 %) unseen item.

import type { Interaction } from '../../shared/data/types.js';
import { RowIndex } from '../../shared/model/catalogue.js';
import type { ItemMetadata } from '../../shared/model/catalogue-listing.js';
import { type MfModel, scoreRows } from '../../shared/model/mf-model.js';
import { explainRecommendation } from '../explain.js';
import { recommendTopK } from '../recommend.js';

export interface ExplainedItem {
  rank: number;
  id: number;
  score: number;
  /** (score − worst unseen) / (best unseen − worst unseen), in [0, 1]. */
  match: number;
  because: { id: number; similarity: number; kind: 'view' | 'purchase' }[];
  /** Shares of the score from taste (e_i·u) and popularity (b_i), adding to 1. */
  factors: { taste: number; popularity: number };
}

export function explainedTopK(model: MfModel, user: Float32Array, catalogue: { version: string; itemIds: Int32Array }, history: readonly Interaction[], k: number): ExplainedItem[] {
  const rows = new RowIndex(catalogue);
  const kinds = new Map<number, 'view' | 'purchase'>();
  for (const h of history) if (kinds.get(h.item) !== 'purchase') kinds.set(h.item, h.kind);
  const historyRows = [...kinds.keys()].map((id) => rows.rowOf(id)).filter((r) => r >= 0);
  const seen = new Set(kinds.keys());
  let best = -Infinity;
  let worst = Infinity;
  const scores = scoreRows(model, user);
  for (let r = 0; r < scores.length; r++) {
    if (seen.has(catalogue.itemIds[r])) continue;
    best = Math.max(best, scores[r]);
    worst = Math.min(worst, scores[r]);
  }
  return recommendTopK(model, user, catalogue.itemIds, seen, k).map((rec, i) => {
    const why = explainRecommendation(model, historyRows, rows.rowOf(rec.item), 2, user);
    const share = (name: string) => why.factors.find((f) => f.name === name)?.value ?? 0;
    return {
      rank: i + 1,
      id: rec.item,
      score: rec.score,
      match: best > worst ? (rec.score - worst) / (best - worst) : 1,
      because: why.because.map((b) => ({ id: catalogue.itemIds[b.row], similarity: b.similarity, kind: kinds.get(catalogue.itemIds[b.row])! })),
      factors: { taste: share('taste'), popularity: share('popularity') },
    };
  });
}

/** The --json form: ids always, titles and genres when known. */
export function recommendationsJson(items: readonly ExplainedItem[], metadata: ItemMetadata | null, modelVersion: number, catalogueVersion: string) {
  const title = (id: number) => metadata?.get(id)?.title;
  return {
    modelVersion,
    catalogueVersion,
    items: items.map((it) => ({
      rank: it.rank,
      id: it.id,
      title: title(it.id),
      genres: metadata?.get(it.id)?.genres,
      score: it.score,
      match: round(it.match, 4),
      because: it.because.map((b) => ({ id: b.id, title: title(b.id), similarity: round(b.similarity, 4) })),
      factors: { taste: round(it.factors.taste, 4), popularity: round(it.factors.popularity, 4) },
    })),
  };
}

const MAX_TITLE = 48;

/** The table: rank, title (or "item ID"), match, and why, one line each. */
export function recommendationsTable(items: readonly ExplainedItem[], metadata: ItemMetadata | null, modelVersion: number): string {
  const name = (id: number) => metadata?.get(id)?.title ?? `item ${id}`;
  const titles = items.map((it) => clip(name(it.id), MAX_TITLE));
  const width = Math.max('title'.length, ...titles.map((t) => t.length));
  const rankWidth = Math.max(1, String(items.length).length);
  const line = (rank: string, title: string, match: string, why: string) => `${rank.padStart(rankWidth)}  ${title.padEnd(width)}  ${match.padStart(5)}  ${why}`.trimEnd();
  return [
    `Top ${items.length} for you, ranked on this device from model version ${modelVersion} (nothing was sent):`,
    '',
    line('#', 'title', 'match', 'why'),
    ...items.map((it, i) => line(String(it.rank), titles[i], `${Math.round(it.match * 100)}%`, whyText(it, name))),
    '',
    'match: 100% is the best-scoring item you have not seen, 0% the worst.',
  ].join('\n');
}

/** "because you watched X and Y", or what drove the score when no history item is close. */
export function whyText(it: ExplainedItem, name: (id: number) => string): string {
  if (it.because.length === 0) return it.factors.popularity >= 0.5 ? 'popular overall' : 'fits your taste overall';
  const verb = (kind: 'view' | 'purchase') => (kind === 'purchase' ? 'bought' : 'watched');
  const kinds = new Set(it.because.map((b) => b.kind));
  if (kinds.size === 1) return `because you ${verb(it.because[0].kind)} ${it.because.map((b) => name(b.id)).join(' and ')}`;
  return `because you ${it.because.map((b) => `${verb(b.kind)} ${name(b.id)}`).join(' and ')}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
