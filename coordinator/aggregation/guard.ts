// First line of defence for an update: right length, every value finite. Computes the norm the
// clip stage needs in the same pass, so each update is read once before it is summed.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { AggregationStage, RoundContext, StageResult, UpdateInfo } from './stage.js';

export class GuardStage implements AggregationStage {
  private length = 0;
  constructor(private readonly inner: AggregationStage) {}

  begin(length: number, context: RoundContext): void {
    this.length = length;
    this.inner.begin(length, context);
  }

  accept(update: Float32Array, weight: number, info: UpdateInfo): void {
    if (update.length !== this.length) {
      throw new FedrecError(ErrorCodes.WRONG_SIZE, `update has ${update.length} values; the model has ${this.length}`);
    }
    let sq = 0;
    for (let i = 0; i < update.length; i++) sq += update[i] * update[i];
    // NaN or ±Infinity anywhere makes the sum non-finite; so does an overflowing magnitude.
    if (!Number.isFinite(sq)) throw new FedrecError(ErrorCodes.NON_FINITE, 'update holds NaN, Infinity or values too large to sum');
    this.inner.accept(update, weight, { ...info, norm: Math.sqrt(sq) });
  }

  finish(): StageResult {
    return this.inner.finish();
  }
}
