// W1 clientRound: one client's local round on the standard workload W1 (shared/bench), from the
// global model to an update ready to send — gather the touched rows, run the SGD kernel, build the
// dense delta over all items×(dim+1) parameters, clip it — against the arithmetic floor
// trainReference on the same examples. Interleaved A/B runs on fresh copies; medians reported.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clipUpdate } from '../client/middleware/clip.js';
import type { MfModel } from '../shared/model/mf-model.js';
import { sgdTrain } from '../shared/model/sgd-kernel.js';
import { denseDelta, gatherSubTable } from '../shared/model/sub-table.js';
import type { RoundConfig } from '../shared/protocol/messages.js';
import { Child, median, progress, quantile, repoRoot, round, siblingScript } from './util.js';

export const W1 = { epochs: 5, lr: 0.05, clipNorm: 10 } as const;

export interface W1Workload {
  items: Float32Array;
  bias: Float32Array;
  user: Float32Array;
  rows: Int32Array;
  labels: Float32Array;
  dim: number;
  nItems: number;
}

type Reference = {
  trainReference(a: { items: Float32Array; bias: Float32Array; user: Float32Array; rows: Int32Array; labels: Float32Array; dim: number; epochs: number; lr: number }): void;
  workloadW1(o?: object): W1Workload;
};

export function referencePath(): string {
  return join(repoRoot(), '..', 'shared', 'bench', 'mf-sgd-reference.mjs');
}

export async function loadReference(): Promise<Reference | null> {
  const path = referencePath();
  if (!existsSync(path)) return null;
  return (await import(pathToFileURL(path).href)) as Reference;
}

/** Copy of workloadW1's generator, used ONLY when the shared reference file is absent. */
export function workloadW1Fallback(): W1Workload {
  const nItems = 9066, dim = 32, positives = 100, negatives = 4;
  let x = 1;
  const rand = () => (x = (x * 1664525 + 1013904223) >>> 0) / 4294967296;
  const n = positives * (1 + negatives);
  const rows = new Int32Array(n), labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = Math.floor(rand() * nItems);
    labels[i] = i % (1 + negatives) === 0 ? 1 : 0;
  }
  const items = new Float32Array(nItems * dim).map(() => (rand() - 0.5) * 0.1);
  const bias = new Float32Array(nItems);
  const user = new Float32Array(dim).map(() => (rand() - 0.5) * 0.1);
  return { items, bias, user, rows, labels, dim, nItems };
}

export const roundConfig: RoundConfig = { localEpochs: W1.epochs, lr: W1.lr, l2: 0, negatives: 4, batchSize: 1, clipNorm: W1.clipNorm, evalFitEpochs: 0 };

/** The global model [items×dim | biases] of the workload, as the project lays it out. */
export function modelOf(w: W1Workload): MfModel {
  const params = new Float32Array(w.nItems * w.dim + w.nItems);
  params.set(w.items);
  params.set(w.bias, w.nItems * w.dim);
  return { kind: 'mf', items: w.nItems, dim: w.dim, params };
}

/** The project's client round on W1's exact examples: plain SGD in the given order (no shuffle). */
export function projectClientRound(model: MfModel, user: Float32Array, w: W1Workload) {
  const sub = gatherSubTable(model, w.rows);
  sgdTrain(sub, user, w.labels, { epochs: W1.epochs, lr: W1.lr, l2: 0, batchSize: 1, trainItems: true }); // no rng: no shuffle
  const delta = denseDelta(model, sub);
  const update = clipUpdate({ round: 1, modelVersion: 0, delta, norm: 0, clipped: false, localNoiseStddev: 0, support: { rows: sub.rows, dim: model.dim, items: model.items } }, { config: roundConfig, maxPayloadBytes: Infinity });
  return { sub, update };
}

export interface W1Options {
  pairs: number;
  warmup: number;
  tfjs: boolean;
  /** No result line (W1 run only to supply W4's bound). */
  quiet?: boolean;
}

export async function runW1(o: W1Options = { pairs: 300, warmup: 40, tfjs: true }): Promise<Record<string, unknown>> {
  const ref = await loadReference();
  if (!ref) progress('w1', `reference ${referencePath()} not found: skipping W1's reference (msReference/ratio = null); the project side runs on a copy of workloadW1's generator`);
  const w = ref ? ref.workloadW1() : workloadW1Fallback();
  const base = modelOf(w);

  // Correctness first: same inputs, same arithmetic → the same trained rows and user vector.
  let matchesReference: boolean | null = null;
  let maxAbsDiff: number | null = null;
  let updateNorm = 0;
  let clipped = false;
  {
    const user = Float32Array.from(w.user);
    const { sub, update } = projectClientRound({ ...base, params: Float32Array.from(base.params) }, user, w);
    updateNorm = update.norm;
    clipped = update.clipped;
    if (ref) {
      const items = Float32Array.from(w.items), bias = Float32Array.from(w.bias), refUser = Float32Array.from(w.user);
      ref.trainReference({ items, bias, user: refUser, rows: w.rows, labels: w.labels, dim: w.dim, epochs: W1.epochs, lr: W1.lr });
      let d = 0;
      for (let j = 0; j < sub.rows.length; j++) {
        const r = sub.rows[j];
        for (let k = 0; k < w.dim; k++) d = Math.max(d, Math.abs(sub.embeddings[j * w.dim + k] - items[r * w.dim + k]));
        d = Math.max(d, Math.abs(sub.biases[j] - bias[r]));
      }
      for (let k = 0; k < w.dim; k++) d = Math.max(d, Math.abs(user[k] - refUser[k]));
      maxAbsDiff = d;
      matchesReference = d < 1e-6;
    }
  }

  const runProject = (): number => {
    const params = Float32Array.from(base.params);
    const user = Float32Array.from(w.user);
    const model: MfModel = { ...base, params };
    const t = performance.now();
    const { update } = projectClientRound(model, user, w);
    const ms = performance.now() - t;
    if (update.delta.length !== params.length) throw new Error('W1: delta is not dense');
    return ms;
  };
  const runReference = (): number => {
    const items = Float32Array.from(w.items), bias = Float32Array.from(w.bias), user = Float32Array.from(w.user);
    const t = performance.now();
    ref!.trainReference({ items, bias, user, rows: w.rows, labels: w.labels, dim: w.dim, epochs: W1.epochs, lr: W1.lr });
    return performance.now() - t;
  };

  for (let i = 0; i < o.warmup; i++) {
    runProject();
    if (ref) runReference();
  }
  const project: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < o.pairs; i++) {
    // ABAB… then BABA…: neither side always runs first (cache, GC, frequency effects).
    if (i % 2 === 0 || !ref) {
      project.push(runProject());
      if (ref) reference.push(runReference());
    } else {
      reference.push(runReference());
      project.push(runProject());
    }
    if ((i + 1) % 100 === 0) progress('w1', `${i + 1}/${o.pairs} A/B pairs`);
  }
  const msProject = median(project);
  const msReference = ref ? median(reference) : null;

  let msTfjsWasm: number | null = null;
  let tfjs: Record<string, unknown> | null = null;
  if (o.tfjs) {
    progress('w1', 'tfjs trainer on the wasm backend (one warm-up epoch, then one timed run), in a child process so tfjs never loads into the bench process');
    const child = new Child<{ type: 'exit' }, { type: 'tfjs'; ms: number; warmupMs: number; backend: string; maxAbsDiffVsKernel: number } | { type: 'fatal'; message: string }>(siblingScript('w1-tfjs-child'), [ref ? referencePath() : '']);
    try {
      const r = await child.wait('tfjs', 600_000);
      msTfjsWasm = round(r.ms, 1);
      tfjs = { backend: r.backend, warmupOneEpochMs: round(r.warmupMs, 1), maxAbsDiffVsKernel: r.maxAbsDiffVsKernel };
    } catch (err) {
      progress('w1', `tfjs measurement failed: ${(err as Error).message}`);
      tfjs = { error: (err as Error).message };
    } finally {
      await child.stop();
    }
  }

  const ratio = msReference ? msProject / msReference : null;
  const out = {
    backend: 'kernel',
    examples: w.rows.length,
    items: w.nItems,
    dim: w.dim,
    epochs: W1.epochs,
    lr: W1.lr,
    updateParams: base.params.length,
    updateNorm: round(updateNorm, 4),
    clipped,
    matchesReference,
    maxAbsDiff,
    pairs: o.pairs,
    msProject: round(msProject, 4),
    msProjectP90: round(quantile(project, 0.9), 4),
    msReference: msReference === null ? null : round(msReference, 4),
    msReferenceP90: ref ? round(quantile(reference, 0.9), 4) : null,
    ratio: ratio === null ? null : round(ratio, 3),
    target: 'ratio ≤ 5',
    met: ratio === null ? null : ratio <= 5,
    msTfjsWasm,
    tfjs,
  };
  if (!o.quiet) console.log(
    `W1 clientRound: project ${out.msProject} ms vs reference ${out.msReference ?? 'n/a'} ms → ratio ${out.ratio ?? 'n/a'} (target ≤ 5${out.met === null ? '' : out.met ? ', met' : ', NOT met'}); tfjs/wasm ${msTfjsWasm ?? 'n/a'} ms; same result as the reference: ${matchesReference}`,
  );
  return out;
}
