import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientLogger } from '../logger.js';
import { TF_BACKEND_ENV, selectTfBackend } from './tf-backend.js';

function recordingLogger(): ClientLogger & { lines: { obj: object; msg?: string }[] } {
  const lines: { obj: object; msg?: string }[] = [];
  const keep = (obj: object, msg?: string) => void lines.push({ obj, msg });
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

function tfjsNodeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

async function tinyOp(): Promise<number[]> {
  const y = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).add(tf.scalar(1)));
  const out = Array.from(await y.data());
  y.dispose();
  return out;
}

describe('selectTfBackend (Node)', () => {
  const saved = process.env[TF_BACKEND_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[TF_BACKEND_ENV];
    else process.env[TF_BACKEND_ENV] = saved;
  });

  it('without tfjs-node picks wasm, reports tfjs-node as tried and failed, and logs one info line', async () => {
    delete process.env[TF_BACKEND_ENV];
    const logger = recordingLogger();
    const sel = await selectTfBackend(logger);
    if (tfjsNodeInstalled()) {
      // not this environment (its install downloads a binary), but then it must win
      expect(sel.backend).toBe('tensorflow');
      return;
    }
    expect(sel.tried[0].name).toBe('tensorflow');
    expect(sel.tried[0].error).toMatch(/tfjs-node/);
    // wasm ships with the package; if it ever falls to cpu, say why
    const wasm = sel.tried.find((t) => t.name === 'wasm');
    expect(sel.backend, `wasm was skipped: ${wasm?.error}`).toBe('wasm');
    expect(sel.tried).toEqual([{ name: 'tensorflow', error: expect.any(String) }, { name: 'wasm' }]);
    expect(tf.getBackend()).toBe('wasm');
    expect(await tinyOp()).toEqual([12]);

    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0].msg).toMatch(/tfjs backend wasm \(skipped tensorflow: /);
  });

  it('FEDREC_TF_BACKEND forces a backend', async () => {
    process.env[TF_BACKEND_ENV] = 'cpu';
    const logger = recordingLogger();
    expect(await selectTfBackend(logger)).toEqual({ backend: 'cpu', tried: [{ name: 'cpu' }] });
    expect(tf.getBackend()).toBe('cpu');
    expect(await tinyOp()).toEqual([12]);
    expect(logger.lines[0].msg).toMatch(/forced by FEDREC_TF_BACKEND/);

    process.env[TF_BACKEND_ENV] = 'wasm';
    expect((await selectTfBackend()).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(await tinyOp()).toEqual([12]);

    if (!tfjsNodeInstalled()) {
      // forcing a backend that cannot run fails instead of silently falling back
      process.env[TF_BACKEND_ENV] = 'tensorflow';
      await expect(selectTfBackend()).rejects.toThrow(/tensorflow could not be used/);
    }
    process.env[TF_BACKEND_ENV] = 'gpu';
    await expect(selectTfBackend()).rejects.toThrow(RangeError);
    expect(await selectTfBackend(undefined, { force: 'cpu' })).toEqual({ backend: 'cpu', tried: [{ name: 'cpu' }] });
  });
});
