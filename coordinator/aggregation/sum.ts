// The innermost stage: a Float64 running sum (Float32 would lose the small updates of late clients).

import type { AggregationStage, StageResult } from './stage.js';

export class SumStage implements AggregationStage {
  private sum = new Float64Array(0);
  private count = 0;

  begin(length: number): void {
    if (this.sum.length !== length) this.sum = new Float64Array(length);
    else this.sum.fill(0);
    this.count = 0;
  }

  accept(update: Float32Array, weight: number): void {
    const s = this.sum;
    if (weight === 1) for (let i = 0; i < s.length; i++) s[i] += update[i];
    else for (let i = 0; i < s.length; i++) s[i] += update[i] * weight;
    this.count++;
  }

  finish(): StageResult {
    return { value: this.sum, count: this.count, measurements: { accepted: this.count }, events: [] };
  }
}
