// First line of defence for an update: right length, every value finite. Computes the norm the
// clip stage needs and where the update is non-zero in the same pass, so each update is read once
// in full; the sum then reads only its non-zero blocks.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import { type AggregationStage, BLOCK, type RoundContext, type StageResult, type UpdateInfo } from './stage.js';
import { nonZeroBlocks } from './zero-blocks.js';

export class GuardStage implements AggregationStage {
  private length = 0;
  private starts = new Int32Array(0);
  constructor(private readonly inner: AggregationStage) {}

  begin(length: number, context: RoundContext): void {
    this.length = length;
    if (this.starts.length !== Math.ceil(length / BLOCK)) this.starts = new Int32Array(Math.ceil(length / BLOCK));
    this.inner.begin(length, context);
  }

  accept(update: Float32Array, weight: number, info: UpdateInfo): void {
    if (update.length !== this.length) {
      throw new FedrecError(ErrorCodes.WRONG_SIZE, `update has ${update.length} values; the model has ${this.length}`);
    }
    const n = update.length;
    const starts = this.starts;
    // Zero blocks are found on the bit patterns (zero-blocks.ts, no float work): most of a client's
    // dense update is untouched rows. NaN and ±Infinity are non-zero words, so every value that
    // could be non-finite is in a block that gets the float pass.
    const count = nonZeroBlocks(new Int32Array(update.buffer, update.byteOffset, n), starts);
    let sq = 0;
    for (let k = 0; k < count; k++) {
      const b = starts[k];
      const end = Math.min(b + BLOCK, n);
      // Four partial sums: one accumulator is latency-bound (each add waits for the last).
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let i = b;
      for (; i + 3 < end; i += 4) {
        const v0 = update[i], v1 = update[i + 1], v2 = update[i + 2], v3 = update[i + 3];
        s0 += v0 * v0;
        s1 += v1 * v1;
        s2 += v2 * v2;
        s3 += v3 * v3;
      }
      for (; i < end; i++) s0 += update[i] * update[i];
      sq += s0 + s1 + s2 + s3;
    }
    // NaN or ±Infinity anywhere makes the sum non-finite; so does an overflowing magnitude.
    if (!Number.isFinite(sq)) throw new FedrecError(ErrorCodes.NON_FINITE, 'update holds NaN, Infinity or values too large to sum');
    this.inner.accept(update, weight, { ...info, norm: Math.sqrt(sq), nonZeroBlocks: { starts, count } });
  }

  finish(): StageResult {
    return this.inner.finish();
  }
}

