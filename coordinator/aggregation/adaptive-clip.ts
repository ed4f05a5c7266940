// Adaptive clipping (Andrew, Thakkar, McMahan, Ramaswamy 2021, "Differentially Private Learning with
// Adaptive Clipping"): the clip norm C follows a target quantile γ of the update norms. Each client
// reports one bit b = [‖Δ‖ ≤ C] (the `clipped` flag, inverted); the coordinator releases the noised
// count Σ(b − ½) + N(0, σ_b²), estimates the unclipped fraction with the fixed denominator q·N and
// moves C geometrically: C ← C · exp(−η (b̄ − γ)).
// Privacy: the noised sum (noise z_Δ·C) and the noised count are one Gaussian mechanism with
// effective multiplier z = (z_Δ⁻² + (2σ_b)⁻²)^(−½) (ibid., Sec. 3.2). So for a target z the sum gets
// z_Δ = (z⁻² − (2σ_b)⁻²)^(−½), and this stage reports the round as ONE event with multiplier z.

import { gaussianSamples } from '../../shared/privacy/gaussian-noise.js';
import type { AggregationStage, RoundContext, StageResult, UpdateInfo } from './stage.js';

export interface AdaptiveClippingOptions {
  targetQuantile: number;
  learningRate: number;
  /** σ_b: stddev of the noise on the clipped-bit count (Andrew et al. suggest expected clients / 20). */
  countNoiseStddev: number;
}

/** The current clip norm, shared by the stages, the offers and the checkpoint. */
export class ClipNormController {
  constructor(public value: number) {
    if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`clip norm must be a finite number > 0, got ${value}`);
  }
}

export function validateAdaptive(o: AdaptiveClippingOptions, noiseMultiplier: number): void {
  if (!(o.targetQuantile > 0 && o.targetQuantile < 1)) throw new RangeError(`adaptiveClipping.targetQuantile must be in (0, 1), got ${o.targetQuantile}`);
  if (!(o.learningRate > 0)) throw new RangeError(`adaptiveClipping.learningRate must be > 0, got ${o.learningRate}`);
  if (!(o.countNoiseStddev >= 0)) throw new RangeError(`adaptiveClipping.countNoiseStddev must be ≥ 0, got ${o.countNoiseStddev}`);
  if (noiseMultiplier > 0 && !(2 * o.countNoiseStddev > noiseMultiplier)) {
    throw new RangeError(`adaptiveClipping.countNoiseStddev must exceed noiseMultiplier/2 (${noiseMultiplier / 2}) so the update noise can make up the rest`);
  }
}

/** z_Δ for the sum so that sum and count together are a Gaussian mechanism with multiplier z. */
export function updateNoiseMultiplier(z: number, countNoiseStddev: number): number {
  if (z === 0) return 0;
  if (countNoiseStddev === 0) return z; // count released without noise: not private; see validate
  return 1 / Math.sqrt(z ** -2 - (2 * countNoiseStddev) ** -2);
}

export class AdaptiveClipStage implements AggregationStage {
  private context: RoundContext | null = null;

  constructor(
    private readonly inner: AggregationStage,
    private readonly controller: ClipNormController,
    private readonly o: AdaptiveClippingOptions,
    /** The round's overall multiplier z (what the accountant must see). */
    private readonly noiseMultiplier: number,
  ) {
    validateAdaptive(o, noiseMultiplier);
  }

  begin(length: number, context: RoundContext): void {
    this.context = context;
    this.inner.begin(length, context);
  }

  accept(update: Float32Array, weight: number, info: UpdateInfo): void {
    this.inner.accept(update, weight, info);
  }

  finish(): StageResult {
    const r = this.inner.finish(); // noised with the current C: C changes only after
    const ctx = this.context!;
    const expected = Math.max(1e-12, ctx.samplingRate * ctx.population);
    const noise = this.o.countNoiseStddev > 0 ? gaussianSamples(1, this.o.countNoiseStddev)[0] : 0;
    // The counts come from the sum (plaintext: counted as updates arrived; secure: the clipped-bit
    // word of the unmasked sum), so this stage sees only what the sum shows.
    const reported = r.count;
    const unclipped = reported - (r.measurements.clientClipped ?? 0);
    const fraction = (unclipped - reported / 2 + noise) / expected + 0.5;
    const before = this.controller.value;
    this.controller.value = before * Math.exp(-this.o.learningRate * (fraction - this.o.targetQuantile));
    const events = r.events.map((e) => (e.mechanism === 'sampled-gaussian' ? { ...e, noiseMultiplier: this.noiseMultiplier } : e));
    return { ...r, events, measurements: { ...r.measurements, unclippedFractionNoised: fraction, clipNormNext: this.controller.value } };
  }
}
