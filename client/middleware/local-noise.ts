// Local DP for a user who does not trust the coordinator: Gaussian noise N(0, (z·C)²) on every
// coordinate of the clipped update, added on the device from a CSPRNG. Must run after clipUpdate.
// Cost: the update is released to the coordinator as is, so each one is a Gaussian mechanism with
// L2 sensitivity 2C (any two clipped updates differ by at most 2C); see client/local-privacy.ts.

import { addGaussianNoise } from '../../shared/privacy/gaussian-noise.js';
import { l2Norm, type UpdateMiddleware } from './types.js';

export function localGaussianNoise(noiseMultiplier: number): UpdateMiddleware {
  if (!(noiseMultiplier > 0) || !Number.isFinite(noiseMultiplier)) throw new RangeError(`local noiseMultiplier must be a finite number > 0, got ${noiseMultiplier}`);
  return (u, ctx) => {
    const stddev = noiseMultiplier * ctx.config.clipNorm;
    addGaussianNoise(u.delta, stddev);
    return { ...u, norm: l2Norm(u.delta), localNoiseStddev: stddev, support: undefined };
  };
}
