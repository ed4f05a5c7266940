// The rows of the item table a client touches, copied out so that training never walks (or takes
// gradients through) the full table: the measured trap of tf.gather's gradient on a 9k-row table.

import { type MfModel, biasesOf } from './mf-model.js';

export interface SubTable {
  /** Global row of each local row, ascending. */
  rows: Int32Array;
  /** Local row index of each example. */
  local: Int32Array;
  embeddings: Float32Array;
  biases: Float32Array;
}

export function gatherSubTable(model: MfModel, exampleRows: Int32Array): SubTable {
  const { dim } = model;
  const unique = Int32Array.from(new Set(exampleRows)).sort();
  const position = new Map<number, number>();
  for (let j = 0; j < unique.length; j++) position.set(unique[j], j);
  const local = new Int32Array(exampleRows.length);
  for (let e = 0; e < exampleRows.length; e++) local[e] = position.get(exampleRows[e])!;
  const embeddings = new Float32Array(unique.length * dim);
  const biases = new Float32Array(unique.length);
  const b = biasesOf(model);
  for (let j = 0; j < unique.length; j++) {
    const r = unique[j];
    embeddings.set(model.params.subarray(r * dim, (r + 1) * dim), j * dim);
    biases[j] = b[r];
  }
  return { rows: unique, local, embeddings, biases };
}

/** Dense delta (new − old) over all global parameters: zero on rows the client did not touch. */
export function denseDelta(model: MfModel, sub: SubTable): Float32Array {
  const { dim, items } = model;
  const delta = new Float32Array(model.params.length);
  const base = items * dim;
  const e = model.params;
  for (let j = 0; j < sub.rows.length; j++) {
    const r = sub.rows[j];
    const o = r * dim;
    const lo = j * dim;
    for (let k = 0; k < dim; k++) delta[o + k] = sub.embeddings[lo + k] - e[o + k];
    delta[base + r] = sub.biases[j] - e[base + r];
  }
  return delta;
}
