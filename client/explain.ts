// Why an item was recommended, computed on the device from the model it already holds: the history
// items nearest to it in the model's item space ("because you watched X and Y"), and how much of its
// score b_i + e_i·u came from the person's taste (e_i·u) and how much from popularity (b_i).
// Browser-safe: no Node imports. Nothing here is sent anywhere.

import { biasesOf, type MfModel } from '../shared/model/mf-model.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';

export interface Because {
  /** A history item's model row. */
  row: number;
  /** Cosine similarity of its item embedding and the recommended item's, in (0, 1]. */
  similarity: number;
}

export interface Explanation {
  because: Because[];
  /** dot-product share of the score from the user vector vs item bias, for "factors that drove the score" */
  factors: { name: 'taste' | 'popularity'; value: number }[];
}

/**
 * `because`: up to `top` distinct history rows most similar to `itemRow` (cosine of embedding rows),
 * best first, ties by lower row. Only positive similarities count (an unrelated or opposite item is no
 * reason), and the item itself is never its own reason; an empty history gives none.
 * `factors` (when the private user vector is given): taste = |e_i·u| and popularity = |b_i|, each as a
 * share of their sum, so they add to 1 (both 0 for a zero score); without the vector, none.
 */
export function explainRecommendation(model: MfModel, historyRows: ArrayLike<number>, itemRow: number, top = 2, user?: Float32Array): Explanation {
  checkRow(model, itemRow, 'the recommended item');
  if (!Number.isInteger(top) || top < 1) throw new FedrecError(ErrorCodes.BAD_ARGUMENT, `top must be a positive integer, got ${top}`);
  if (user !== undefined && user.length !== model.dim) {
    throw new FedrecError(ErrorCodes.WRONG_SIZE, `the user vector has ${user.length} values, the model's dim is ${model.dim}`);
  }
  const item = rowNorm(model, itemRow);
  const because: Because[] = [];
  const seen = new Set<number>();
  for (let j = 0; j < historyRows.length; j++) {
    const row = historyRows[j];
    checkRow(model, row, `history entry ${j}`);
    if (row === itemRow || seen.has(row)) continue;
    seen.add(row);
    const similarity = cosine(model, itemRow, item, row);
    if (similarity > 0) because.push({ row, similarity });
  }
  because.sort((a, b) => b.similarity - a.similarity || a.row - b.row);
  because.length = Math.min(because.length, top);
  return { because, factors: user ? factors(model, itemRow, user) : [] };
}

function factors(model: MfModel, row: number, user: Float32Array): Explanation['factors'] {
  const e = model.params;
  let taste = 0;
  for (let k = 0, o = row * model.dim; k < model.dim; k++) taste += e[o + k] * user[k];
  const popularity = biasesOf(model)[row];
  const total = Math.abs(taste) + Math.abs(popularity);
  const share = (x: number) => (total > 0 && Number.isFinite(total) ? Math.abs(x) / total : 0);
  return [
    { name: 'taste', value: share(taste) },
    { name: 'popularity', value: share(popularity) },
  ];
}

/** Cosine in float64; 0 when either row is a zero vector. */
function cosine(model: MfModel, a: number, normA: number, b: number): number {
  const e = model.params;
  const d = model.dim;
  let dot = 0;
  for (let k = 0; k < d; k++) dot += e[a * d + k] * e[b * d + k];
  const denom = normA * rowNorm(model, b);
  return denom > 0 ? Math.min(1, dot / denom) : 0;
}

function rowNorm(model: MfModel, row: number): number {
  let s = 0;
  for (let k = 0, o = row * model.dim; k < model.dim; k++) s += model.params[o + k] * model.params[o + k];
  return Math.sqrt(s);
}

function checkRow(model: MfModel, row: number, what: string): void {
  if (!Number.isInteger(row) || row < 0 || row >= model.items) {
    throw new FedrecError(ErrorCodes.BAD_ROW, `${what} is row ${row}, outside the model's ${model.items} item rows`);
  }
}
