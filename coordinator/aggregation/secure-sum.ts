// The leaf of the secure chain: instead of folding updates one by one it is handed the unmasked
// sum of a round's quantized inputs (coordinator/secagg/unmask.ts) and turns it back into real
// numbers. The last word is the count of clients that had to clip (the adaptive-clipping bit).

import { dequantize } from '../../shared/secagg/quantize.js';
import type { AggregationStage, StageResult } from './stage.js';

export class SecureSumStage implements AggregationStage {
  private value = new Float64Array(0);
  private count = 0;
  private clipped = 0;
  private length = 0;
  /** Fixed-point scale of the round's inputs: the noise covers the rounding it adds (sensitivity()). */
  private scale = 0;

  begin(length: number): void {
    this.length = length;
    if (this.value.length !== length) this.value = new Float64Array(length);
    else this.value.fill(0);
    this.count = 0;
    this.clipped = 0;
    this.scale = 0;
  }

  accept(): void {
    throw new Error('SecureSumStage takes the unmasked sum through provide(), never single updates');
  }

  /** The unmasked sum of `count` inputs: `length` model words then the clipped-bit count. */
  provide(sum: Uint32Array, count: number, scale: number): void {
    dequantize(sum, scale, this.value, this.length);
    this.count = count;
    this.clipped = sum[this.length] | 0;
    this.scale = scale;
  }

  /**
   * L2 sensitivity of one client's input: its clipped update (≤ C) plus stochastic rounding, which
   * moves each of the `length` coordinates by less than 1/scale.
   */
  sensitivity(clipNorm: number): number {
    return this.scale > 0 ? clipNorm + Math.sqrt(this.length) / this.scale : clipNorm;
  }

  finish(): StageResult {
    return { value: this.value, count: this.count, measurements: { accepted: this.count, clientClipped: this.clipped, scale: this.scale }, events: [] };
  }
}
