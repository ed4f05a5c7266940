// Aggregation as composed streaming stages (in the manner of TFF's aggregation factories): each
// stage sees every update once, keeps O(model) state, and wraps an inner stage. Memory never grows
// with the number of clients: updates are folded into a Float64 sum as they arrive.

/** Computed once per update by the guard stage and handed down the chain. */
export interface UpdateInfo {
  clientId: string;
  /** L2 norm of the update as received. */
  norm: number;
  /** The client's own report that it had to clip (the adaptive-clipping bit, inverted). */
  clientClipped: boolean;
  /**
   * Set by the guard: start offsets of the BLOCK-sized blocks holding any non-zero value. A client
   * trains ~5% of the item rows, so later stages touch only these instead of the whole update.
   * Like the update itself, valid only during accept() (the guard reuses the array).
   */
  nonZeroBlocks?: { starts: Int32Array; count: number };
}

/** Granularity of UpdateInfo.nonZeroBlocks, in values. */
export const BLOCK = 32;

/** Something a stage did that costs privacy; the accountant composes these after a commit. */
export type PrivacyEvent = GaussianPrivacyEvent | SkellamPrivacyEvent;

/** Central DP: Gaussian noise of multiplier z added by the coordinator to a Poisson-sampled sum. */
export interface GaussianPrivacyEvent {
  mechanism: 'sampled-gaussian';
  samplingRate: number;
  noiseMultiplier: number;
  steps: number;
}

/** Distributed DP: Skellam noise of variance mu already in the sum (integer units, like l2 and l1). */
export interface SkellamPrivacyEvent {
  mechanism: 'sampled-skellam';
  samplingRate: number;
  l2: number;
  l1: number;
  mu: number;
  steps: number;
}

export interface StageResult {
  value: Float64Array;
  /** Updates accepted into the aggregate. */
  count: number;
  measurements: Record<string, number>;
  events: PrivacyEvent[];
}

export interface RoundContext {
  round: number;
  /** Poisson rate the round's clients were sampled at. */
  samplingRate: number;
  /** Registered population the rate applies to (q·N is the expected participant count). */
  population: number;
}

export interface AggregationStage {
  begin(length: number, context: RoundContext): void;
  /**
   * Folds `update × weight` into the aggregate. Must throw (a FedrecError) BEFORE changing any state
   * when it rejects the update, so a bad update never leaves a trace.
   */
  accept(update: Float32Array, weight: number, info: UpdateInfo): void;
  finish(): StageResult;
}
