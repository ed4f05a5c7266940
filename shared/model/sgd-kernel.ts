// The local training kernel: SGD on sigmoid cross-entropy over a sub-table, in plain Float32Array
// loops. Per-example SGD is the arithmetic floor (shared/bench/mf-sgd-reference.mjs); tfjs spends
// more time dispatching ops than computing on a model this small, so this path is the default and
// tfjs-trainer.ts is the straightforward reference it is tested against.

import type { SeededRandom } from '../random.js';
import type { SubTable } from './sub-table.js';

export interface SgdConfig {
  epochs: number;
  lr: number;
  /** L2 penalty on the parameters an example touches. */
  l2: number;
  /** 1 = per-example SGD; B > 1 averages the gradients of B examples before a step. */
  batchSize: number;
  /** When false only the user vector learns (evaluation-time personalization). */
  trainItems: boolean;
}

/** Trains `sub` and `user` in place on examples (sub.local, labels); returns the last epoch's mean loss. */
export function sgdTrain(sub: SubTable, user: Float32Array, labels: Float32Array, cfg: SgdConfig, rng?: SeededRandom): number {
  const n = labels.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let loss = 0;
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    if (rng) rng.shuffle(order);
    loss = cfg.batchSize <= 1 ? exampleEpoch(sub, user, labels, order, cfg) : batchEpoch(sub, user, labels, order, cfg);
  }
  return n ? loss / n : 0;
}

function exampleEpoch(sub: SubTable, user: Float32Array, labels: Float32Array, order: Int32Array, cfg: SgdConfig): number {
  const dim = user.length;
  const { embeddings: e, biases: b, local } = sub;
  const { lr, l2, trainItems } = cfg;
  const decay = 1 - lr * l2;
  let loss = 0;
  for (let i = 0; i < order.length; i++) {
    const ex = order[i];
    const row = local[ex];
    const o = row * dim;
    let s = b[row];
    for (let k = 0; k < dim; k++) s += e[o + k] * user[k];
    const p = 1 / (1 + Math.exp(-s));
    const y = labels[ex];
    loss -= y > 0 ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12);
    const g = lr * (p - y);
    if (trainItems) {
      b[row] -= g;
      for (let k = 0; k < dim; k++) {
        const it = e[o + k];
        e[o + k] = decay * it - g * user[k];
        user[k] = decay * user[k] - g * it;
      }
    } else {
      for (let k = 0; k < dim; k++) user[k] = decay * user[k] - g * e[o + k];
    }
  }
  return loss;
}

function batchEpoch(sub: SubTable, user: Float32Array, labels: Float32Array, order: Int32Array, cfg: SgdConfig): number {
  const dim = user.length;
  const { embeddings: e, biases: b, local } = sub;
  const { lr, l2, trainItems, batchSize } = cfg;
  const gE = new Float32Array(e.length);
  const gB = new Float32Array(b.length);
  const gU = new Float32Array(dim);
  const touched = new Int32Array(batchSize);
  // Batch id that last applied each row: a row repeated within a batch is stepped once.
  const appliedIn = new Int32Array(b.length).fill(-1);
  let loss = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = start / batchSize;
    const end = Math.min(order.length, start + batchSize);
    const scale = 1 / (end - start);
    gU.fill(0);
    let t = 0;
    for (let i = start; i < end; i++) {
      const ex = order[i];
      const row = local[ex];
      const o = row * dim;
      let s = b[row];
      for (let k = 0; k < dim; k++) s += e[o + k] * user[k];
      const p = 1 / (1 + Math.exp(-s));
      const y = labels[ex];
      loss -= y > 0 ? Math.log(p + 1e-12) : Math.log(1 - p + 1e-12);
      const g = (p - y) * scale;
      gB[row] += g;
      for (let k = 0; k < dim; k++) {
        gE[o + k] += g * user[k] + l2 * scale * e[o + k];
        gU[k] += g * e[o + k] + l2 * scale * user[k];
      }
      touched[t++] = row;
    }
    for (let k = 0; k < dim; k++) user[k] -= lr * gU[k];
    for (let j = 0; j < t; j++) {
      const row = touched[j];
      if (appliedIn[row] === batch) continue;
      appliedIn[row] = batch;
      const o = row * dim;
      if (trainItems) {
        b[row] -= lr * gB[row];
        for (let k = 0; k < dim; k++) e[o + k] -= lr * gE[o + k];
      }
      gB[row] = 0;
      for (let k = 0; k < dim; k++) gE[o + k] = 0;
    }
  }
  return loss;
}
