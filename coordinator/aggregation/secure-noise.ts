// The noise step of the secure chain. Central DP: the coordinator adds N(0, (z·S)²) once to the
// unmasked sum (S: clip norm plus rounding) and emits a sampled-Gaussian event. Distributed DP: the
// clients already put Skellam noise into their inputs, so nothing is added here — the stage only
// emits a sampled-Skellam event for the noise really in the sum (μ_i × the inputs summed), which
// is what the ledger charges.

import { addGaussianNoise } from '../../shared/privacy/gaussian-noise.js';
import type { SecureSumStage } from './secure-sum.js';
import type { AggregationStage, PrivacyEvent, StageResult } from './stage.js';
import { PostProcessStage } from './wrapper.js';

export class SecureNoiseStage extends PostProcessStage {
  constructor(
    inner: AggregationStage,
    private readonly leaf: SecureSumStage,
    private readonly noiseMultiplier: number,
    /** L2 sensitivity of one client's input (clip norm plus rounding). */
    private readonly sensitivity: () => number,
  ) {
    super(inner);
    if (!(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) throw new RangeError(`noiseMultiplier must be a finite number ≥ 0, got ${noiseMultiplier}`);
  }

  finish(): StageResult {
    const r = this.inner.finish();
    const ctx = this.context;
    const distributed = this.leaf.distributedNoise();
    if (distributed) {
      const event: PrivacyEvent = { mechanism: 'sampled-skellam', samplingRate: ctx?.samplingRate ?? 1, l2: distributed.l2, l1: distributed.l1, mu: distributed.mu, steps: 1 };
      return { ...r, events: ctx ? [...r.events, event] : r.events, measurements: { ...r.measurements, noiseStddev: Math.sqrt(distributed.mu) / distributed.scale } };
    }
    const stddev = this.noiseMultiplier * this.sensitivity();
    if (stddev > 0) addGaussianNoise(r.value, stddev);
    // Emitted with z = 0 too: a noise-free round is a release without a guarantee (ε = ∞).
    const event: PrivacyEvent = { mechanism: 'sampled-gaussian', samplingRate: ctx?.samplingRate ?? 1, noiseMultiplier: this.noiseMultiplier, steps: 1 };
    return { ...r, events: ctx ? [...r.events, event] : r.events, measurements: { ...r.measurements, noiseStddev: stddev } };
  }
}
