import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../random.js';
import { initModel, initUserVector } from './mf-model.js';
import { type SgdConfig, sgdTrain } from './sgd-kernel.js';
import { type SubTable, gatherSubTable } from './sub-table.js';
import { tfjsTrain } from './tfjs-trainer.js';

const ITEMS = 30;
const DIM = 8;
const EXAMPLES = 40;

interface Case {
  sub: SubTable;
  user: Float32Array;
  labels: Float32Array;
}

/** 40 examples over 30 items (so rows repeat, also inside one mini-batch), 1 positive : 3 negatives. */
function makeCase(seed: number): Case {
  const model = initModel({ items: ITEMS, dim: DIM }, seed, 0.3);
  const rng = new SeededRandom(seed + 1);
  for (let r = 0; r < ITEMS; r++) model.params[ITEMS * DIM + r] = rng.normal() * 0.2; // non-zero biases
  const rows = new Int32Array(EXAMPLES);
  const labels = new Float32Array(EXAMPLES);
  for (let e = 0; e < EXAMPLES; e++) {
    rows[e] = rng.int(ITEMS);
    labels[e] = e % 4 === 0 ? 1 : 0;
  }
  rows[3] = rows[1]; // a guaranteed repeat of a row inside the first mini-batch of 8
  labels[3] = 1;
  return { sub: gatherSubTable(model, rows), user: initUserVector(DIM, seed + 2, 0.3), labels };
}

function cloneCase(c: Case): Case {
  return {
    sub: { rows: c.sub.rows.slice(), local: c.sub.local.slice(), embeddings: c.sub.embeddings.slice(), biases: c.sub.biases.slice() },
    user: c.user.slice(),
    labels: c.labels,
  };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function expectSameTraining(fast: Case, ref: Case, tol: number): void {
  expect(maxAbsDiff(fast.sub.embeddings, ref.sub.embeddings)).toBeLessThan(tol);
  expect(maxAbsDiff(fast.sub.biases, ref.sub.biases)).toBeLessThan(tol);
  expect(maxAbsDiff(fast.user, ref.user)).toBeLessThan(tol);
}

describe('tfjsTrain matches the sgd kernel', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  const grid: { batchSize: number; l2: number }[] = [];
  for (const batchSize of [1, 8]) for (const l2 of [0, 0.01]) grid.push({ batchSize, l2 });

  it.each(grid)('batchSize $batchSize, l2 $l2, 3 epochs', async ({ batchSize, l2 }) => {
    const base = makeCase(7);
    const cfg: SgdConfig = { epochs: 3, lr: 0.2, l2, batchSize, trainItems: true };
    const fast = cloneCase(base);
    const ref = cloneCase(base);
    const fastLoss = sgdTrain(fast.sub, fast.user, fast.labels, cfg); // no rng: identity order
    const before = tf.memory().numTensors;
    const refLoss = await tfjsTrain(ref.sub, ref.user, ref.labels, cfg);
    expect(tf.memory().numTensors).toBe(before);

    // training actually moved every kind of parameter
    expect(maxAbsDiff(ref.sub.embeddings, base.sub.embeddings)).toBeGreaterThan(1e-2);
    expect(maxAbsDiff(ref.sub.biases, base.sub.biases)).toBeGreaterThan(1e-2);
    expect(maxAbsDiff(ref.user, base.user)).toBeGreaterThan(1e-2);

    expectSameTraining(fast, ref, 1e-5);
    expect(refLoss).toBeCloseTo(fastLoss, 5);
  });

  it('user-vector-only training (trainItems false) leaves the sub-table alone and matches', async () => {
    for (const batchSize of [1, 8]) {
      const base = makeCase(11);
      const cfg: SgdConfig = { epochs: 3, lr: 0.2, l2: 0.01, batchSize, trainItems: false };
      const fast = cloneCase(base);
      const ref = cloneCase(base);
      const fastLoss = sgdTrain(fast.sub, fast.user, fast.labels, cfg);
      const before = tf.memory().numTensors;
      const refLoss = await tfjsTrain(ref.sub, ref.user, ref.labels, cfg);
      expect(tf.memory().numTensors).toBe(before);
      expect(ref.sub.embeddings).toEqual(base.sub.embeddings);
      expect(ref.sub.biases).toEqual(base.sub.biases);
      expectSameTraining(fast, ref, 1e-5);
      expect(refLoss).toBeCloseTo(fastLoss, 5);
    }
  });

  it('takes the examples in the given order (one shuffled epoch, as sgdTrain shuffles it)', async () => {
    for (const batchSize of [1, 8]) {
      const base = makeCase(13);
      const cfg: SgdConfig = { epochs: 1, lr: 0.2, l2: 0.01, batchSize, trainItems: true };
      const order = new Int32Array(EXAMPLES).map((_, i) => i);
      new SeededRandom(99).shuffle(order); // the permutation sgdTrain draws first with the same seed
      const fast = cloneCase(base);
      const ref = cloneCase(base);
      sgdTrain(fast.sub, fast.user, fast.labels, cfg, new SeededRandom(99));
      await tfjsTrain(ref.sub, ref.user, ref.labels, cfg, order);
      expectSameTraining(fast, ref, 1e-5);

      const identity = cloneCase(base);
      await tfjsTrain(identity.sub, identity.user, identity.labels, cfg);
      expect(maxAbsDiff(identity.user, ref.user)).toBeGreaterThan(1e-4); // the order mattered
    }
  });

  it('does nothing for no examples or no epochs', async () => {
    const base = makeCase(17);
    const ref = cloneCase(base);
    expect(await tfjsTrain(ref.sub, ref.user, ref.labels, { epochs: 0, lr: 0.2, l2: 0, batchSize: 1, trainItems: true })).toBe(0);
    expect(await tfjsTrain(ref.sub, ref.user, ref.labels, { epochs: 2, lr: 0.2, l2: 0, batchSize: 1, trainItems: true }, new Int32Array(0))).toBe(0);
    expect(ref.user).toEqual(base.user);
    expect(ref.sub.embeddings).toEqual(base.sub.embeddings);
  });
});

describe('sgd kernel batch mode, a zero first coordinate and a saturated prediction', () => {
  it('still applies the L2 step and resets the row gradient (regression)', async () => {
    const { sgdTrain } = await import('./sgd-kernel.js');
    const sub = { rows: Int32Array.from([0, 1]), local: Int32Array.from([0, 1]), embeddings: Float32Array.from([0, 1, 0.5, -0.5]), biases: Float32Array.from([100, 0]) };
    const user = Float32Array.from([0.3, 0.2]);
    sgdTrain(sub, user, Float32Array.from([1, 0]), { epochs: 1, lr: 0.5, l2: 0.1, batchSize: 2, trainItems: true });
    // Mean-gradient rule: e[0][1] ← 1 − 0.5·(0.1·1/2) = 0.975 (the prediction gradient is ~0).
    expect(sub.embeddings[1]).toBeCloseTo(0.975, 6);
  });
});
