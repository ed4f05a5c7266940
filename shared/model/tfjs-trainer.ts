// The straightforward tfjs version of the local training in sgd-kernel.ts: the same sub-table, loss,
// L2 penalty and mini-batch semantics, written with tfjs variables, autodiff and plain SGD. It is the
// reference the fast kernel is tested against and the path to measure against (on a model this small
// tfjs spends its time dispatching ops, so sgdTrain stays the default).
//
// Rows are picked out of the SUB-table with a one-hot matmul, never gathered from the full item
// table: tf.gather's gradient (UnsortedSegmentSum) over a 9k-row table costs seconds per step on
// cpu and has no wasm kernel at all, while a [batch × touchedRows] one-hot matmul is tiny and its
// gradient is another matmul that every backend has.
//
// Browser-safe: imports '@tensorflow/tfjs' only and runs on whichever backend is active.

import * as tf from '@tensorflow/tfjs';
import type { SgdConfig } from './sgd-kernel.js';
import type { SubTable } from './sub-table.js';

/**
 * Trains `sub` (embeddings and biases) and `user` in place on the examples (sub.local, labels), taking
 * them in `order` (identity when omitted; never shuffled here) for `cfg.epochs` epochs. Per-example
 * loss is sigmoid cross-entropy plus (l2 / 2)·(‖e_row‖² + ‖u‖²) (biases are not penalized); a step
 * follows the mean gradient over `cfg.batchSize` consecutive examples (1 = per-example SGD). When
 * `cfg.trainItems` is false only the user vector learns.
 *
 * Returns the last epoch's mean cross-entropy (without the penalty), each example scored with the
 * parameters at the start of its step, as sgdTrain does. Every tensor it creates is disposed.
 */
export async function tfjsTrain(
  sub: SubTable,
  user: Float32Array,
  labels: Float32Array,
  cfg: SgdConfig,
  order?: Int32Array,
): Promise<number> {
  const dim = user.length;
  const nRows = sub.biases.length;
  if (sub.embeddings.length !== nRows * dim) {
    throw new RangeError(`sub-table has ${sub.embeddings.length} embedding values, expected ${nRows} rows × dim ${dim}`);
  }
  if (sub.local.length !== labels.length) throw new RangeError(`${sub.local.length} example rows but ${labels.length} labels`);
  const ord = order ?? identity(labels.length);
  const n = ord.length;
  if (n === 0 || cfg.epochs <= 0) return 0;
  const batchSize = Math.max(1, Math.floor(cfg.batchSize));
  const { lr, l2, trainItems } = cfg;

  for (let i = 0; i < n; i++) {
    const ex = ord[i];
    if (!(ex >= 0 && ex < labels.length)) throw new RangeError(`order[${i}] = ${ex} is not an example index`);
    if (!(sub.local[ex] >= 0 && sub.local[ex] < nRows)) throw new RangeError(`example ${ex} points at local row ${sub.local[ex]} of ${nRows}`);
  }

  // Inputs per mini-batch, built once (the order is the same every epoch).
  const batches: { oneHot: tf.Tensor2D; y: tf.Tensor2D; size: number }[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(n, start + batchSize) - start;
    const oh = new Float32Array(size * nRows);
    const y = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const ex = ord[start + i];
      oh[i * nRows + sub.local[ex]] = 1;
      y[i] = labels[ex];
    }
    batches.push({
      oneHot: tf.tensor2d(oh, [size, nRows]),
      y: tf.tensor2d(y, [size, 1]),
      size,
    });
  }

  // (tidy disposes the initial-value tensors; the variables survive it)
  const E = tf.tidy(() => tf.variable(tf.tensor2d(sub.embeddings, [nRows, dim]), trainItems));
  const B = tf.tidy(() => tf.variable(tf.tensor2d(sub.biases, [nRows, 1]), trainItems));
  const U = tf.tidy(() => tf.variable(tf.tensor2d(user, [dim, 1]), true));
  const varList = trainItems ? [E, B, U] : [U];
  const optimizer = tf.train.sgd(lr);
  const lastEpochLoss: tf.Scalar[] = [];

  try {
    for (let epoch = 0; epoch < cfg.epochs; epoch++) {
      const last = epoch === cfg.epochs - 1;
      for (const batch of batches) {
        optimizer.minimize(
          () => {
            const rows = tf.matMul(batch.oneHot, E); // [b × dim], the batch's rows of the sub-table
            const bias = tf.matMul(batch.oneHot, B); // [b × 1]
            const s = tf.add(tf.matMul(rows, U), bias); // [b × 1] scores
            // Σ max(s,0) − s·y + log(1 + e^−|s|): its gradient is σ(s) − y, also at s = 0. (Not
            // tf.logSigmoid: in tfjs 4.22 its gradient reads a disposed tensor when its input is an
            // intermediate result, "Cannot read properties of undefined (reading 'backend')".)
            const ceSum = tf.losses.sigmoidCrossEntropy(batch.y, s, undefined, 0, tf.Reduction.SUM) as tf.Scalar;
            if (last) lastEpochLoss.push(tf.keep(ceSum));
            let loss: tf.Scalar = tf.div(ceSum, batch.size);
            if (l2 > 0) {
              // mean over the batch of (l2/2)(‖e_row‖² + ‖u‖²) = (l2/2)(Σ‖e_row‖² / b + ‖u‖²)
              const penalty = tf.add(tf.div(tf.sum(tf.square(rows)), batch.size), tf.sum(tf.square(U)));
              loss = tf.add(loss, tf.mul(penalty, l2 / 2));
            }
            return loss;
          },
          false,
          varList,
        );
      }
    }

    const [e, b, u] = await Promise.all([E.data(), B.data(), U.data()]);
    const total = lastEpochLoss.length ? tf.addN(lastEpochLoss) : tf.scalar(0);
    const lossSum = (await total.data())[0];
    total.dispose();
    sub.embeddings.set(e as Float32Array);
    sub.biases.set(b as Float32Array);
    user.set(u as Float32Array);
    return lossSum / n;
  } finally {
    for (const t of lastEpochLoss) t.dispose();
    for (const batch of batches) {
      batch.oneHot.dispose();
      batch.y.dispose();
    }
    optimizer.dispose();
    E.dispose();
    B.dispose();
    U.dispose();
  }
}

function identity(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** As a pluggable SubTableTrainer: one shuffled order (from the client's rng) for all epochs. */
export const tfjsSubTableTrainer = (sub: SubTable, user: Float32Array, labels: Float32Array, cfg: SgdConfig, rng: { shuffle(x: Int32Array): Int32Array }): Promise<number> =>
  tfjsTrain(sub, user, labels, cfg, rng.shuffle(identity(labels.length)));
