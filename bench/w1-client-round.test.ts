import { describe, expect, it } from 'vitest';
import { loadReference, modelOf, projectClientRound, W1, workloadW1Fallback } from './w1-client-round.js';
import { median, quantile } from './util.js';

describe('bench W1', () => {
  it('the fallback generator is workloadW1 itself', async () => {
    const ref = await loadReference();
    if (!ref) return; // shared/bench absent: nothing to compare with
    const a = ref.workloadW1(), b = workloadW1Fallback();
    expect(b.rows).toEqual(a.rows);
    expect(b.labels).toEqual(a.labels);
    expect(b.items).toEqual(a.items);
    expect(b.user).toEqual(a.user);
  });

  it('the project round trains exactly what the reference trains and yields a dense clipped update', async () => {
    const ref = await loadReference();
    const w = ref ? ref.workloadW1() : workloadW1Fallback();
    const model = modelOf(w);
    const user = Float32Array.from(w.user);
    const { sub, update } = projectClientRound(model, user, w);
    expect(update.delta.length).toBe(w.nItems * (w.dim + 1));
    expect(update.norm).toBeLessThanOrEqual(W1.clipNorm * (1 + 1e-6));
    if (!ref) return;
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
