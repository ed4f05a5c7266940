// Walker's alias method: O(n) setup, O(1) per draw from a fixed discrete distribution. The
// synthetic generator draws millions of items, so per-draw cost matters more than setup.

import type { SeededRandom } from '../../shared/random.js';

export class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  /** `weights` need not be normalized but must be non-negative with a positive sum. */
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i];
    if (!(n > 0 && total > 0 && Number.isFinite(total))) throw new Error('AliasTable needs positive finite weights');
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large[large.length - 1];
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] -= 1 - scaled[s];
      if (scaled[l] < 1) small.push(large.pop()!);
    }
    // Leftovers are 1 up to rounding error.
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  get size(): number {
    return this.prob.length;
  }

  /** One index drawn with probability proportional to its weight. */
  sample(rng: SeededRandom): number {
    const i = rng.int(this.prob.length);
    return rng.next() < this.prob[i] ? i : this.alias[i];
  }
}
