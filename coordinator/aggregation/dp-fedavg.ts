// The preset chain: guard → clip → sum → noise → mean. Read inside out: updates are validated,
// clipped to C and summed; the sum is noised once with stddev z·C; the result is averaged.

import { ClipStage } from './clip.js';
import { GuardStage } from './guard.js';
import { type MeanDenominator, MeanStage } from './mean.js';
import { GaussianNoiseStage } from './noise.js';
import type { AggregationStage } from './stage.js';
import { SumStage } from './sum.js';

export interface DpFedAvgOptions {
  clipNorm: () => number;
  noiseMultiplier: number;
  denominator: MeanDenominator;
}

export function dpFedAvgAggregator(o: DpFedAvgOptions): AggregationStage {
  return new GuardStage(new MeanStage(new GaussianNoiseStage(new ClipStage(new SumStage(), o.clipNorm), o.noiseMultiplier, o.clipNorm), o.denominator));
}
