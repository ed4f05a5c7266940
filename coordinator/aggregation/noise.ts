// Adds Gaussian noise N(0, (z·C)²) once to the clipped sum (DP-FedAvg, McMahan et al. 2018) from a
// CSPRNG, and emits the event the accountant composes.

import { addGaussianNoise } from '../../shared/privacy/gaussian-noise.js';
import type { AggregationStage, StageResult } from './stage.js';
import { PostProcessStage } from './wrapper.js';

export class GaussianNoiseStage extends PostProcessStage {
  constructor(
    inner: AggregationStage,
    private readonly noiseMultiplier: number,
    /** L2 sensitivity of one client's contribution (the clip norm; plus rounding in secure mode). */
    private readonly clipNorm: () => number,
  ) {
    super(inner);
    if (!(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) throw new RangeError(`noiseMultiplier must be a finite number ≥ 0, got ${noiseMultiplier}`);
  }

  finish(): StageResult {
    const r = this.inner.finish();
    const stddev = this.noiseMultiplier * this.clipNorm();
    if (stddev > 0) addGaussianNoise(r.value, stddev);
    // Emitted with z = 0 too: a noise-free round is a release without a guarantee (ε = ∞), and the
    // ledger must say so rather than report nothing.
    const events = this.context
      ? [...r.events, { mechanism: 'sampled-gaussian' as const, samplingRate: this.context.samplingRate, noiseMultiplier: this.noiseMultiplier, steps: 1 }]
      : r.events;
    return { ...r, events, measurements: { ...r.measurements, noiseStddev: stddev } };
  }
}
