import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadReference, modelOf, projectClientRound, referencePath, W1, workloadW1Fallback } from './w1-client-round.js';
import { median, quantile } from './util.js';

// The reference lives in ../shared/bench beside the checkout; without it the comparisons are skipped
// (and say so), the project's own round is still checked on the fallback workload.
const noReference = !existsSync(referencePath());
const skipReason = noReference ? ` (skipped: ${referencePath()} is absent)` : '';

describe('bench W1', () => {
  it.skipIf(noReference)(`the fallback generator is workloadW1 itself${skipReason}`, async () => {
    const ref = (await loadReference())!;
    const a = ref.workloadW1(), b = workloadW1Fallback();
    expect(b.rows).toEqual(a.rows);
    expect(b.labels).toEqual(a.labels);
    expect(b.items).toEqual(a.items);
    expect(b.user).toEqual(a.user);
  });

  it('the project round yields a dense update clipped to the bound', async () => {
    const w = workloadW1Fallback();
    const { update } = projectClientRound(modelOf(w), Float32Array.from(w.user), w);
    expect(update.delta.length).toBe(w.nItems * (w.dim + 1));
    expect(update.norm).toBeLessThanOrEqual(W1.clipNorm * (1 + 1e-6));
  });

  it.skipIf(noReference)(`the project round trains exactly what the reference trains${skipReason}`, async () => {
    const ref = (await loadReference())!;
    const w = ref.workloadW1();
    const user = Float32Array.from(w.user);
    const { sub } = projectClientRound(modelOf(w), user, w);
    const items = Float32Array.from(w.items), bias = Float32Array.from(w.bias), refUser = Float32Array.from(w.user);
    ref.trainReference({ items, bias, user: refUser, rows: w.rows, labels: w.labels, dim: w.dim, epochs: W1.epochs, lr: W1.lr });
    for (let j = 0; j < sub.rows.length; j++) {
      const r = sub.rows[j];
      expect(sub.embeddings.subarray(j * w.dim, (j + 1) * w.dim)).toEqual(items.subarray(r * w.dim, (r + 1) * w.dim));
      expect(sub.biases[j]).toBe(bias[r]);
    }
    expect(user).toEqual(refUser);
  });

  it('median and quantile', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBe(5);
  });
});
