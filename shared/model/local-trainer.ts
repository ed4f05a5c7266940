// One client's local work on a model: train the rows it touches plus its private user vector and
// return the dense update, or (evaluation) fit only the user vector against a frozen model.

import type { SeededRandom } from '../random.js';
import { sampleExamples } from './examples.js';
import type { MfModel } from './mf-model.js';
import { type SgdConfig, sgdTrain } from './sgd-kernel.js';
import { denseDelta, gatherSubTable, type SubTable } from './sub-table.js';

/** Trains a sub-table and user vector in place; returns the last epoch's mean loss. */
export type SubTableTrainer = (sub: SubTable, user: Float32Array, labels: Float32Array, cfg: SgdConfig, rng: SeededRandom) => number | Promise<number>;

/** The default: the Float32Array SGD kernel. */
export const kernelTrainer: SubTableTrainer = (sub, user, labels, cfg, rng) => sgdTrain(sub, user, labels, cfg, rng);

export interface LocalTrainingConfig {
  epochs: number;
  lr: number;
  l2: number;
  negatives: number;
  batchSize: number;
}

export interface LocalTrainingResult {
  /** new − old over all global parameters (zeros where untouched); the user vector is NOT in it. */
  delta: Float32Array;
  examples: number;
  touchedRows: number;
  loss: number;
}

/** Trains in place on `user` (private) and returns the update of the global parameters. */
export function trainLocally(
  model: MfModel,
  user: Float32Array,
  positives: Int32Array,
  exclude: ReadonlySet<number>,
  cfg: LocalTrainingConfig,
  rng: SeededRandom,
): LocalTrainingResult {
  const ex = sampleExamples(positives, exclude, model.items, cfg.negatives, rng);
  const sub = gatherSubTable(model, ex.rows);
  const loss = sgdTrain(sub, user, ex.labels, { ...cfg, trainItems: true }, rng);
  return { delta: denseDelta(model, sub), examples: ex.rows.length, touchedRows: sub.rows.length, loss };
}

/** trainLocally with a pluggable trainer (e.g. the tfjs one, which is asynchronous). */
export async function trainLocallyWith(
  train: SubTableTrainer,
  model: MfModel,
  user: Float32Array,
  positives: Int32Array,
  exclude: ReadonlySet<number>,
  cfg: LocalTrainingConfig,
  rng: SeededRandom,
): Promise<LocalTrainingResult> {
  if (train === kernelTrainer) return trainLocally(model, user, positives, exclude, cfg, rng);
  const ex = sampleExamples(positives, exclude, model.items, cfg.negatives, rng);
  const sub = gatherSubTable(model, ex.rows);
  const loss = await train(sub, user, ex.labels, { ...cfg, trainItems: true }, rng);
  return { delta: denseDelta(model, sub), examples: ex.rows.length, touchedRows: sub.rows.length, loss };
}

/** Personalizes `user` to a new global model without changing the model (nothing is sent). */
export function fitUserVector(
  model: MfModel,
  user: Float32Array,
  positives: Int32Array,
  exclude: ReadonlySet<number>,
  cfg: LocalTrainingConfig,
  rng: SeededRandom,
): number {
  if (cfg.epochs <= 0 || positives.length === 0) return 0;
  const ex = sampleExamples(positives, exclude, model.items, cfg.negatives, rng);
  const sub = gatherSubTable(model, ex.rows);
  return sgdTrain(sub, user, ex.labels, { ...cfg, trainItems: false }, rng);
}
