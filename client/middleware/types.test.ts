import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../shared/random.js';
import { forEachRange, l2Norm, type OutgoingUpdate, updateNorm } from './types.js';

describe('updateNorm', () => {
  const items = 50;
  const dim = 4;
  const rows = Int32Array.from([0, 7, 8, 49]);
  const rng = new SeededRandom(3);
  const delta = new Float32Array(items * dim + items);
  // Non-zero only where the support says: the trained rows' embeddings and their biases.
  for (const r of rows) {
    for (let i = r * dim; i < (r + 1) * dim; i++) delta[i] = rng.next() - 0.5;
    delta[items * dim + r] = rng.next() - 0.5;
  }
  const u: OutgoingUpdate = { round: 1, modelVersion: 0, delta, norm: 0, clipped: false, localNoiseStddev: 0, support: { rows, dim, items } };

  it('reads only the support, and equals the dense norm when the rest is zero', () => {
    expect(updateNorm(u)).toBeCloseTo(l2Norm(delta), 5);
    const outside = Float32Array.from(delta);
    outside[5 * dim] = 100; // row 5 is not in the support
    expect(updateNorm({ ...u, delta: outside })).toBeCloseTo(l2Norm(delta), 5);
    expect(updateNorm({ ...u, delta: outside, support: undefined })).toBeCloseTo(l2Norm(outside), 5);
  });

  it('covers exactly the coordinates forEachRange visits', () => {
    let sq = 0;
    forEachRange(u, (a, b) => {
      for (let i = a; i < b; i++) sq += delta[i] * delta[i];
    });
    expect(updateNorm(u)).toBeCloseTo(Math.sqrt(sq), 6);
  });
});
