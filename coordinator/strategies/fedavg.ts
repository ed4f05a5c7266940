// FedAvg with a server learning rate η: w ← w + η·mean(Δ). η ≫ 1 matters for recommenders: an item
// row is touched by few clients, so averaging over all participants shrinks its step (measured:
// η = 1 stalls near ItemPop on MovieLens, η = 80 reaches central quality).

import type { ServerStrategy } from './strategy.js';

export class FedAvg implements ServerStrategy {
  readonly name = 'fedavg';
  constructor(private readonly serverLr: number) {
    if (!(serverLr > 0) || !Number.isFinite(serverLr)) throw new RangeError(`serverLr must be a finite number > 0, got ${serverLr}`);
  }
  apply(params: Float32Array, meanDelta: Float64Array): void {
    const lr = this.serverLr;
    for (let i = 0; i < params.length; i++) params[i] += lr * meanDelta[i];
  }
  snapshot(): Record<string, Float32Array> {
    return {};
  }
  restore(): void {}
}
