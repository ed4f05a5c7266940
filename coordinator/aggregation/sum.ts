// The innermost stage: a Float64 running sum (Float32 would lose the small updates of late clients).

import { type AggregationStage, BLOCK, type StageResult, type UpdateInfo } from './stage.js';

export class SumStage implements AggregationStage {
  private sum = new Float64Array(0);
  private count = 0;
  /** Clients that said they had to clip (the adaptive-clipping bit), summed like everything else. */
  private clientClipped = 0;

  begin(length: number): void {
    if (this.sum.length !== length) this.sum = new Float64Array(length);
    else this.sum.fill(0);
    this.count = 0;
    this.clientClipped = 0;
  }

  accept(update: Float32Array, weight: number, info?: UpdateInfo): void {
    const s = this.sum;
    const nz = info?.nonZeroBlocks;
    if (nz) {
      // Only where the update is non-zero (the guard found the blocks): ~5% of a client's update.
      const n = s.length;
      for (let j = 0; j < nz.count; j++) {
        const b = nz.starts[j];
        const end = b + BLOCK < n ? b + BLOCK : n;
        for (let i = b; i < end; i++) s[i] += update[i] * weight;
      }
    } else {
      for (let i = 0; i < s.length; i++) s[i] += update[i] * weight;
    }
    this.count++;
    if (info?.clientClipped) this.clientClipped++;
  }

  finish(): StageResult {
    return { value: this.sum, count: this.count, measurements: { accepted: this.count, clientClipped: this.clientClipped }, events: [] };
  }
}
