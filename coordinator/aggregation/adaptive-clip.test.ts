import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../shared/random.js';
import { AdaptiveClipStage, ClipNormController, updateNoiseMultiplier } from './adaptive-clip.js';
import { dpFedAvgAggregator } from './dp-fedavg.js';
import { SumStage } from './sum.js';

const ctx = (population: number, samplingRate = 1) => ({ round: 1, samplingRate, population });

describe('adaptive clipping (Andrew et al. 2021)', () => {
  it('moves C geometrically by the unclipped fraction minus the target quantile', () => {
    const c = new ClipNormController(2);
    const stage = new AdaptiveClipStage(new SumStage(), c, { targetQuantile: 0.5, learningRate: 0.2, countNoiseStddev: 0 }, 0);
    stage.begin(3, ctx(10));
    for (let i = 0; i < 10; i++) stage.accept(new Float32Array(3), 1, { clientId: `c${i}`, norm: 1, clientClipped: i < 2 });
    const r = stage.finish();
    // 8 of 10 unclipped: b̄ = 0.8, C ← 2·exp(−0.2·(0.8 − 0.5))
    expect(c.value).toBeCloseTo(2 * Math.exp(-0.2 * 0.3), 12);
    expect(r.measurements.unclippedFractionNoised).toBeCloseTo(0.8, 12);
  });

  it('converges to the target quantile of the update norms', () => {
    // Norms ~ lognormal(0, 0.5): median e^0 = 1, 80th percentile e^(0.5·0.8416) ≈ 1.523.
    for (const [gamma, quantile] of [[0.5, 1], [0.8, Math.exp(0.5 * 0.8416212335729143)]] as const) {
      const rng = new SeededRandom(7);
      const c = new ClipNormController(0.1);
      const stage = new AdaptiveClipStage(new SumStage(), c, { targetQuantile: gamma, learningRate: 0.2, countNoiseStddev: 5 }, 0);
      const tail: number[] = [];
      for (let round = 0; round < 400; round++) {
        stage.begin(1, ctx(200));
        for (let i = 0; i < 200; i++) {
          const norm = Math.exp(0.5 * rng.normal());
          stage.accept(new Float32Array(1), 1, { clientId: `c${i}`, norm, clientClipped: norm > c.value });
        }
        stage.finish();
        if (round >= 300) tail.push(c.value);
      }
      const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
      expect(Math.abs(mean - quantile) / quantile).toBeLessThan(0.05);
    }
  });

  it('splits the noise so sum and count together are one Gaussian mechanism with multiplier z', () => {
    const z = 1, sb = 10;
    const zSum = updateNoiseMultiplier(z, sb);
    expect(1 / Math.sqrt(zSum ** -2 + (2 * sb) ** -2)).toBeCloseTo(z, 12);
    const c = new ClipNormController(3);
    const agg = dpFedAvgAggregator({ clipNorm: c, noiseMultiplier: z, denominator: 'expected', adaptiveClipping: { targetQuantile: 0.5, learningRate: 0.2, countNoiseStddev: sb } });
    agg.begin(10, ctx(4));
    for (let i = 0; i < 4; i++) agg.accept(new Float32Array(10), 1, { clientId: `c${i}`, norm: 0, clientClipped: false });
    const r = agg.finish();
    expect(r.measurements.noiseStddev).toBeCloseTo(zSum * 3, 12); // noised with the C of this round
    expect(r.events).toEqual([{ mechanism: 'sampled-gaussian', samplingRate: 1, noiseMultiplier: z, steps: 1 }]);
  });

  it('rejects a count noise too small to leave room for the update noise', () => {
    const c = new ClipNormController(1);
    expect(() => new AdaptiveClipStage(new SumStage(), c, { targetQuantile: 0.5, learningRate: 0.2, countNoiseStddev: 0.4 }, 1)).toThrow(/countNoiseStddev/);
    expect(() => new AdaptiveClipStage(new SumStage(), c, { targetQuantile: 1.5, learningRate: 0.2, countNoiseStddev: 5 }, 1)).toThrow(/targetQuantile/);
  });
});
