// Matrix factorization with item biases: score(u, i) = b_i + e_i · u.
// The item table e and biases b are global and public; the user vector u is private to its client.
// All global parameters live in ONE flat Float32Array ([e row-major | b]) so that a model, an update
// and a noise vector are the same shape and travel as one binary buffer.

import { SeededRandom } from '../random.js';

export interface MfShape {
  items: number;
  dim: number;
}

export interface MfModel extends MfShape {
  kind: 'mf';
  /** [items × dim embeddings | items biases] */
  params: Float32Array;
}

export function parameterCount(shape: MfShape): number {
  return shape.items * shape.dim + shape.items;
}

export function embeddingsOf(model: MfModel): Float32Array {
  return model.params.subarray(0, model.items * model.dim);
}

export function biasesOf(model: MfModel): Float32Array {
  return model.params.subarray(model.items * model.dim);
}

/** Small random embeddings, zero biases: the usual MF start. */
export function initModel(shape: MfShape, seed: number, scale = 0.1): MfModel {
  if (!Number.isInteger(shape.items) || shape.items < 1) throw new RangeError(`items must be a positive integer, got ${shape.items}`);
  if (!Number.isInteger(shape.dim) || shape.dim < 1) throw new RangeError(`dim must be a positive integer, got ${shape.dim}`);
  const rng = new SeededRandom(seed);
  const params = new Float32Array(parameterCount(shape));
  const n = shape.items * shape.dim;
  for (let i = 0; i < n; i++) params[i] = rng.normal() * scale;
  return { kind: 'mf', items: shape.items, dim: shape.dim, params };
}

/** A private user vector, initialised like the item rows. */
export function initUserVector(dim: number, seed: number | string, scale = 0.1): Float32Array {
  const rng = new SeededRandom(seed);
  const u = new Float32Array(dim);
  for (let k = 0; k < dim; k++) u[k] = rng.normal() * scale;
  return u;
}

/** Scores of the given rows (all rows when omitted) for user vector u. */
export function scoreRows(model: MfModel, user: Float32Array, rows?: ArrayLike<number>): Float32Array {
  const { dim } = model;
  const e = model.params;
  const b = biasesOf(model);
  const n = rows ? rows.length : model.items;
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const r = rows ? rows[j] : j;
    const o = r * dim;
    let s = b[r];
    for (let k = 0; k < dim; k++) s += e[o + k] * user[k];
    out[j] = s;
  }
  return out;
}
