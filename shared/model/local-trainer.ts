// One client's local work on a model: train the rows it touches plus its private user vector and
// return the dense update, or (evaluation) fit only the user vector against a frozen model.

import type { SeededRandom } from '../random.js';
import { type Examples, sampleExamples } from './examples.js';
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

/** What one client trains on: the global model, its private user vector and its own rows. */
export interface LocalTask {
  model: MfModel;
  /** Private; updated in place by training. */
  user: Float32Array;
  positives: Int32Array;
  /** Rows never drawn as negatives (everything the user touched). */
  exclude: ReadonlySet<number>;
}

export interface LocalTrainingResult {
  /** new − old over all global parameters (zeros where untouched); the user vector is NOT in it. */
  delta: Float32Array;
  examples: number;
  /** The rows the update can be non-zero on (ascending). */
  rows: Int32Array;
  touchedRows: number;
  loss: number;
}

function prepare(t: LocalTask, cfg: LocalTrainingConfig, rng: SeededRandom): { ex: Examples; sub: SubTable } {
  const ex = sampleExamples(t.positives, t.exclude, t.model.items, cfg.negatives, rng);
  return { ex, sub: gatherSubTable(t.model, ex.rows) };
}

function result(t: LocalTask, ex: Examples, sub: SubTable, loss: number): LocalTrainingResult {
  return { delta: denseDelta(t.model, sub), examples: ex.rows.length, rows: sub.rows, touchedRows: sub.rows.length, loss };
}

/** Trains with the kernel, in place on `t.user`, and returns the update of the global parameters. */
export function trainLocally(t: LocalTask, cfg: LocalTrainingConfig, rng: SeededRandom): LocalTrainingResult {
  const { ex, sub } = prepare(t, cfg, rng);
  return result(t, ex, sub, sgdTrain(sub, t.user, ex.labels, { ...cfg, trainItems: true }, rng));
}

/** trainLocally with a pluggable trainer (e.g. the tfjs one, which is asynchronous). */
export async function trainLocallyWith(train: SubTableTrainer, t: LocalTask, cfg: LocalTrainingConfig, rng: SeededRandom): Promise<LocalTrainingResult> {
  if (train === kernelTrainer) return trainLocally(t, cfg, rng);
  const { ex, sub } = prepare(t, cfg, rng);
  return result(t, ex, sub, await train(sub, t.user, ex.labels, { ...cfg, trainItems: true }, rng));
}

/** Personalizes `t.user` to a new global model without changing the model (nothing is sent). */
export function fitUserVector(t: LocalTask, cfg: LocalTrainingConfig, rng: SeededRandom): number {
  if (cfg.epochs <= 0 || t.positives.length === 0) return 0;
  const { ex, sub } = prepare(t, cfg, rng);
  return sgdTrain(sub, t.user, ex.labels, { ...cfg, trainItems: false }, rng);
}
