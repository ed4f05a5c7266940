import { describe, expect, it } from 'vitest';
import { FedAdam } from './fedadam.js';
import { FedAvg } from './fedavg.js';

describe('server strategies', () => {
  it('FedAvg adds the server learning rate times the mean update', () => {
    const p = Float32Array.from([1, -2, 0.5]);
    new FedAvg(80).apply(p, Float64Array.from([0.01, 0, -0.001]));
    expect(Array.from(p)).toEqual([Math.fround(1 + 0.8), -2, Math.fround(0.5 - 0.08)]);
    expect(() => new FedAvg(0)).toThrow(/serverLr/);
  });

  it('FedAdam follows Reddi et al. 2021 (Algorithm 2, no bias correction) step by step', () => {
    const o = { serverLr: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3 };
    const s = new FedAdam(o);
    const p = Float32Array.from([0, 0]);
    const g1 = [0.5, -0.2], g2 = [0.1, 0.3];
    s.apply(p, Float64Array.from(g1));
    s.apply(p, Float64Array.from(g2));
    // By hand: m1 = 0.1 g1, v1 = 0.01 g1²; m2 = 0.9 m1 + 0.1 g2, v2 = 0.99 v1 + 0.01 g2²;
    // x2 = η (m1/(√v1+τ) + m2/(√v2+τ)).
    for (let i = 0; i < 2; i++) {
      const m1 = 0.1 * g1[i], v1 = 0.01 * g1[i] ** 2;
      const m2 = 0.9 * m1 + 0.1 * g2[i], v2 = 0.99 * v1 + 0.01 * g2[i] ** 2;
      expect(p[i]).toBeCloseTo(0.1 * (m1 / (Math.sqrt(v1) + 1e-3) + m2 / (Math.sqrt(v2) + 1e-3)), 5);
    }
    // Its state survives a checkpoint: a restored optimizer takes the same next step.
    const restored = new FedAdam(o);
    restored.restore(Object.fromEntries(Object.entries(s.snapshot()).map(([k, v]) => [k, Float32Array.from(v)])));
    const a = Float32Array.from(p), b = Float32Array.from(p);
    s.apply(a, Float64Array.from([0.2, 0.2]));
    restored.apply(b, Float64Array.from([0.2, 0.2]));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(() => new FedAdam({ ...o, beta1: 1 })).toThrow(/beta1/);
  });
});
