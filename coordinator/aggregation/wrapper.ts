// Base of a stage that wraps an inner one and only post-processes its result: updates pass
// straight through, the round's context is kept for finish().

import type { AggregationStage, RoundContext, StageResult, UpdateInfo } from './stage.js';

export abstract class PostProcessStage implements AggregationStage {
  protected context: RoundContext | null = null;

  constructor(protected readonly inner: AggregationStage) {}

  begin(length: number, context: RoundContext): void {
    this.context = context;
    this.inner.begin(length, context);
  }

  accept(update: Float32Array, weight: number, info: UpdateInfo): void {
    this.inner.accept(update, weight, info);
  }

  abstract finish(): StageResult;
}
