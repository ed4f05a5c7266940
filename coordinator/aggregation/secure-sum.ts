// The leaf of the secure chain: instead of folding updates one by one it is handed the unmasked
// sum of a round's quantized inputs (coordinator/secagg/unmask.ts) and turns it back into real
// numbers. The last word is the count of clients that had to clip (the adaptive-clipping bit).
// Under distributed DP the sum is of rotated, noised inputs: it is unrotated here, and the noise
// the clients put in is recorded for the accountant (the coordinator adds none).

import { dequantize } from '../../shared/secagg/quantize.js';
import { type RotationSigns, unrotate } from '../../shared/secagg/rotation.js';
import type { AggregationStage, StageResult } from './stage.js';

/** What a distributed-DP round's clients were told, as the coordinator's secure phase planned it. */
export interface DistributedSum {
  signs: RotationSigns;
  /** μ_i: Skellam variance each client added per coordinate (integer units). */
  noisePerClient: number;
  /** Δ2 and Δ1 of one client's quantized input (integer units). */
  normBound: number;
  l1Bound: number;
}

/** The noise really in this round's sum: μ_i × the inputs that were summed. */
export interface DistributedNoise {
  mu: number;
  l2: number;
  l1: number;
  scale: number;
}

export class SecureSumStage implements AggregationStage {
  private value = new Float64Array(0);
  private count = 0;
  private clipped = 0;
  private length = 0;
  /** Fixed-point scale of the round's inputs: the noise covers the rounding it adds (sensitivity()). */
  private scale = 0;
  private noise: DistributedNoise | null = null;

  begin(length: number): void {
    this.length = length;
    if (this.value.length !== length) this.value = new Float64Array(length);
    else this.value.fill(0);
    this.count = 0;
    this.clipped = 0;
    this.scale = 0;
    this.noise = null;
  }

  accept(): void {
    throw new Error('SecureSumStage takes the unmasked sum through provide(), never single updates');
  }

  /** The unmasked sum of `count` inputs: `length` model words then the clipped-bit count. */
  provide(sum: Uint32Array, count: number, scale: number, distributed: DistributedSum | null = null): void {
    dequantize(sum, scale, this.value, this.length);
    this.count = count;
    this.clipped = sum[this.length] | 0;
    this.scale = scale;
    if (distributed) {
      unrotate(this.value, distributed.signs);
      this.noise = { mu: distributed.noisePerClient * count, l2: distributed.normBound, l1: distributed.l1Bound, scale };
    }
  }

  /** Non-null when the clients noised the sum themselves (distributed DP) — then nothing may be added. */
  distributedNoise(): DistributedNoise | null {
    return this.noise;
  }

  /**
   * L2 sensitivity of one client's input: its clipped update (≤ C) plus stochastic rounding, which
   * moves each of the `length` coordinates by less than 1/scale; under distributed DP the
   * conditional-rounding bound Δ2/scale the clients enforced.
   */
  sensitivity(clipNorm: number): number {
    if (this.noise) return this.noise.l2 / this.scale;
    return this.scale > 0 ? clipNorm + Math.sqrt(this.length) / this.scale : clipNorm;
  }

  /**
   * Largest norm an honest round's sum can have: count × sensitivity, plus (distributed DP) a bound
   * on the noise vector's norm, ‖Z‖² ≤ dV + 2V√(dL) + 2VL with L = 40·ln 2 (Laurent & Massart 2000,
   * Lemma 1, for the Gaussian that Sk(V) with V ≫ 1 matches to its fourth moment; Var Z_j² = 2V² + V).
   */
  sumBound(clipNorm: number): number {
    const signal = this.count * this.sensitivity(clipNorm);
    if (!this.noise) return signal;
    const v = this.noise.mu + 1; // +1 covers the Skellam fourth-moment excess (V vs V + 1/2)
    const d = this.length;
    const l = 40 * Math.LN2;
    return signal + Math.sqrt(d * v + 2 * v * Math.sqrt(d * l) + 2 * v * l) / this.scale;
  }

  finish(): StageResult {
    return { value: this.value, count: this.count, measurements: { accepted: this.count, clientClipped: this.clipped, scale: this.scale }, events: [] };
  }
}
