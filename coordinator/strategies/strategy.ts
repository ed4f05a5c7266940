// How the server turns the aggregated (mean) update into the next global model. Strategies are
// post-processing of the DP aggregate, so none of them changes the privacy guarantee.

export interface ServerStrategy {
  readonly name: string;
  /** Applies the mean client update to the global parameters in place. */
  apply(params: Float32Array, meanDelta: Float64Array): void;
  /** Optimizer state to checkpoint (empty for stateless strategies). */
  snapshot(): Record<string, Float32Array>;
  restore(state: Record<string, Float32Array>): void;
}
