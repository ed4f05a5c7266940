// The preset chain: guard → clip → sum → noise → [adaptive clip] → mean. Read inside out: updates
// are validated, clipped to C and summed; the sum is noised once with stddev z·C; with adaptive
// clipping C then moves toward a quantile of the norms; the result is averaged.

import { type AdaptiveClippingOptions, AdaptiveClipStage, type ClipNormController, updateNoiseMultiplier } from './adaptive-clip.js';
import { ClipStage } from './clip.js';
import { GuardStage } from './guard.js';
import { type MeanDenominator, MeanStage } from './mean.js';
import { GaussianNoiseStage } from './noise.js';
import type { AggregationStage } from './stage.js';
import { SumStage } from './sum.js';

export interface DpFedAvgOptions {
  clipNorm: ClipNormController;
  noiseMultiplier: number;
  denominator: MeanDenominator;
  adaptiveClipping: AdaptiveClippingOptions | null;
}

export function dpFedAvgAggregator(o: DpFedAvgOptions): AggregationStage {
  const c = () => o.clipNorm.value;
  const a = o.adaptiveClipping;
  const zSum = a ? updateNoiseMultiplier(o.noiseMultiplier, a.countNoiseStddev) : o.noiseMultiplier;
  const noised: AggregationStage = new GaussianNoiseStage(new ClipStage(new SumStage(), c), zSum, c);
  const private_ = a ? new AdaptiveClipStage(noised, o.clipNorm, a, o.noiseMultiplier) : noised;
  return new GuardStage(new MeanStage(private_, o.denominator));
}
