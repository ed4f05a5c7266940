// The preset chain under secure aggregation: secure sum → bound check → noise → [adaptive clip] →
// mean. Clients clip and quantize; the coordinator sees only the unmasked sum, checks it is one
// clipped clients could have sent, adds N(0, (z·S)²) once (S: clip norm plus rounding) — or, when
// the round ran distributed DP, adds nothing because the clients' Skellam shares are already in it —
// and from there on it is the same DP-FedAvg as in plaintext mode.

import { type AdaptiveClippingOptions, AdaptiveClipStage, type ClipNormController, updateNoiseMultiplier } from './adaptive-clip.js';
import { type MeanDenominator, MeanStage } from './mean.js';
import { SecureNoiseStage } from './secure-noise.js';
import { SecureSumStage } from './secure-sum.js';
import type { AggregationStage } from './stage.js';
import { SumBoundStage } from './sum-bound.js';

export interface SecureDpFedAvgOptions {
  clipNorm: ClipNormController;
  noiseMultiplier: number;
  denominator: MeanDenominator;
  adaptiveClipping: AdaptiveClippingOptions | null;
}

export interface SecureAggregator {
  chain: AggregationStage;
  /** Where the unmasked sum goes in. */
  leaf: SecureSumStage;
}

export function secureDpFedAvgAggregator(o: SecureDpFedAvgOptions): SecureAggregator {
  const leaf = new SecureSumStage();
  const sensitivity = () => leaf.sensitivity(o.clipNorm.value);
  const a = o.adaptiveClipping;
  const zSum = a ? updateNoiseMultiplier(o.noiseMultiplier, a.countNoiseStddev) : o.noiseMultiplier;
  const bounded = new SumBoundStage(leaf, () => leaf.sumBound(o.clipNorm.value));
  const noised: AggregationStage = new SecureNoiseStage(bounded, leaf, zSum, sensitivity);
  const private_ = a ? new AdaptiveClipStage(noised, o.clipNorm, a, o.noiseMultiplier) : noised;
  return { chain: new MeanStage(private_, o.denominator), leaf };
}
