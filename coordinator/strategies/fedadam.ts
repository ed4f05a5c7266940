// FedAdam (Reddi et al. 2021, "Adaptive Federated Optimization"): Adam on the server with the mean
// client update as the pseudo-gradient. Its per-coordinate step normalizes away the rarity of item
// rows that plain FedAvg has to fix with a large server learning rate.

import type { ServerStrategy } from './strategy.js';

export interface FedAdamOptions {
  serverLr: number;
  beta1: number;
  beta2: number;
  /** Adaptivity τ: larger is closer to momentum SGD. */
  tau: number;
}

export class FedAdam implements ServerStrategy {
  readonly name = 'fedadam';
  private m: Float32Array = new Float32Array(0);
  private v: Float32Array = new Float32Array(0);

  constructor(private readonly o: FedAdamOptions) {
    for (const k of ['serverLr', 'tau'] as const) if (!(o[k] > 0)) throw new RangeError(`${k} must be > 0, got ${o[k]}`);
    for (const k of ['beta1', 'beta2'] as const) if (!(o[k] >= 0 && o[k] < 1)) throw new RangeError(`${k} must be in [0, 1), got ${o[k]}`);
  }

  apply(params: Float32Array, meanDelta: Float64Array): void {
    if (this.m.length !== params.length) {
      this.m = new Float32Array(params.length);
      this.v = new Float32Array(params.length);
    }
    const { serverLr, beta1, beta2, tau } = this.o;
    const { m, v } = this;
    for (let i = 0; i < params.length; i++) {
      const g = meanDelta[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] += (serverLr * m[i]) / (Math.sqrt(v[i]) + tau);
    }
  }

  snapshot(): Record<string, Float32Array> {
    return { m: this.m, v: this.v };
  }

  restore(state: Record<string, Float32Array>): void {
    if (state.m && state.v) {
      this.m = state.m;
      this.v = state.v;
    }
  }
}
