// 'fedrec/client/browser/tfjs' is the only way into tfjs for a browser app: choosing it must still
// give a trainer that trains as the default kernel does. Run in Node, where webgl cannot start, so
// the selection falls to cpu (or to wasm when its files are given) exactly as a GPU-less browser would.

import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type LocalTrainingConfig, trainLocally, trainLocallyWith } from '../../shared/model/local-trainer.js';
import { initModel, initUserVector } from '../../shared/model/mf-model.js';
import { SeededRandom } from '../../shared/random.js';
import { browserTfjsTrainer, selectBrowserTfBackend } from './tfjs.js';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('the tfjs trainer entry point', () => {
  it('without webgl starts cpu, and its trainer makes the same update as the kernel', async () => {
    const selection = await browserTfjsTrainer();
    expect(selection.backend).toBe('cpu');
    expect(selection.tried).toEqual([{ name: 'webgl', error: expect.any(String) }, { name: 'cpu' }]);
    expect(tf.getBackend()).toBe('cpu');

    const model = initModel({ items: 40, dim: 8 }, 3, 0.3);
    const positives = Int32Array.from([1, 5, 9, 13, 21, 30]);
    const task = () => ({ model, user: initUserVector(8, 4, 0.3), positives, exclude: new Set(positives) });
    // One epoch: the kernel and the tfjs trainer then draw the same shuffled order from the rng.
    const cfg: LocalTrainingConfig = { epochs: 1, lr: 0.2, l2: 0.01, negatives: 3, batchSize: 4 };
    const kernel = trainLocally(task(), cfg, new SeededRandom(5));
    const viaTfjs = await trainLocallyWith(selection.trainer, task(), cfg, new SeededRandom(5));

    expect(viaTfjs.rows).toEqual(kernel.rows);
    expect(maxAbsDiff(kernel.delta, new Float32Array(kernel.delta.length))).toBeGreaterThan(1e-3); // it trained
    expect(maxAbsDiff(viaTfjs.delta, kernel.delta)).toBeLessThan(1e-5);
    expect(viaTfjs.loss).toBeCloseTo(kernel.loss, 5);
  });

  it('loads the wasm backend on demand when the app serves its files', async () => {
    const wasmFile = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    const selection = await selectBrowserTfBackend({ wasmPath: path.dirname(wasmFile) + '/' });
    expect(selection).toEqual({ backend: 'wasm', tried: [{ name: 'wasm' }] });
  });

  it('refuses a wasmPath that is not a prefix ending in "/" (FEDREC_USAGE)', async () => {
    await expect(selectBrowserTfBackend({ wasmPath: '/wasm' })).rejects.toMatchObject({ code: 'FEDREC_USAGE', message: expect.stringMatching(/wasmPath/) });
  });
});
