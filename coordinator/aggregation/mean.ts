// Turns the (noised) sum into a mean. 'expected' divides by q·N, the fixed denominator of McMahan et
// al. 2018: the sensitivity of the mean is then C/(qN) whatever the realized count, which is what
// the accountant assumes. 'reported' divides by the realized count (plain FedAvg).

import type { AggregationStage, RoundContext, StageResult, UpdateInfo } from './stage.js';

export type MeanDenominator = 'expected' | 'reported';

export class MeanStage implements AggregationStage {
  private context: RoundContext | null = null;

  constructor(
    private readonly inner: AggregationStage,
    private readonly denominator: MeanDenominator,
  ) {}

  begin(length: number, context: RoundContext): void {
    this.context = context;
    this.inner.begin(length, context);
  }

  accept(update: Float32Array, weight: number, info: UpdateInfo): void {
    this.inner.accept(update, weight, info);
  }

  finish(): StageResult {
    const r = this.inner.finish();
    const ctx = this.context!;
    const d = this.denominator === 'expected' ? Math.max(1e-12, ctx.samplingRate * ctx.population) : Math.max(1, r.count);
    const v = r.value;
    for (let i = 0; i < v.length; i++) v[i] /= d;
    return { ...r, measurements: { ...r.measurements, denominator: d } };
  }
}
