// Turns the (noised) sum into a mean. 'expected' divides by q·N, the fixed denominator of McMahan et
// al. 2018: the sensitivity of the mean is then C/(qN) whatever the realized count, which is what
// the accountant assumes. 'reported' divides by the realized count (plain FedAvg).

import type { AggregationStage, StageResult } from './stage.js';
import { PostProcessStage } from './wrapper.js';

export type MeanDenominator = 'expected' | 'reported';

export class MeanStage extends PostProcessStage {
  constructor(
    inner: AggregationStage,
    private readonly denominator: MeanDenominator,
  ) {
    super(inner);
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
