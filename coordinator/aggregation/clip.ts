// Enforces the L2 bound C on every update (clients clip too; the coordinator does not trust them).
// This bound is the sensitivity the Gaussian noise is calibrated to.

import type { AggregationStage, RoundContext, StageResult, UpdateInfo } from './stage.js';

export class ClipStage implements AggregationStage {
  private clipped = 0;
  private seen = 0;
  private normSum = 0;

  constructor(
    private readonly inner: AggregationStage,
    private readonly clipNorm: () => number,
  ) {}

  begin(length: number, context: RoundContext): void {
    this.clipped = 0;
    this.seen = 0;
    this.normSum = 0;
    this.inner.begin(length, context);
  }

  accept(update: Float32Array, weight: number, info: UpdateInfo): void {
    const c = this.clipNorm();
    // Float32 rounding on the client can leave a clipped norm a hair above C; scale anyway.
    const scale = info.norm > c ? c / info.norm : 1;
    this.inner.accept(update, weight * scale, info);
    this.seen++;
    this.normSum += info.norm;
    if (info.norm > c * (1 + 1e-5)) this.clipped++;
  }

  finish(): StageResult {
    const r = this.inner.finish();
    return {
      ...r,
      measurements: {
        ...r.measurements,
        clipNorm: this.clipNorm(),
        clippedByCoordinator: this.clipped,
        meanUpdateNorm: this.seen ? this.normSum / this.seen : 0,
      },
    };
  }
}
