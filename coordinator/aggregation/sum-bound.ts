// In secure mode the coordinator cannot re-clip single updates; it checks instead that the unmasked
// sum is one that `count` clients clipped to C could have produced (norm ≤ count · sensitivity, plus
// under distributed DP a high-probability bound on the clients' noise; a clipped-bit count in
// [0, count]). A larger sum means a client cheated or the protocol broke: the
// round is abandoned with FEDREC_SECAGG_SUM_OUT_OF_BOUND and nothing is published.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { AggregationStage, StageResult } from './stage.js';
import { PostProcessStage } from './wrapper.js';

export class SumBoundStage extends PostProcessStage {
  constructor(
    inner: AggregationStage,
    /** Largest L2 norm the round's sum may have (count × per-client bound, plus any client noise). */
    private readonly bound: () => number,
  ) {
    super(inner);
  }

  finish(): StageResult {
    const r = this.inner.finish();
    const round = this.context?.round;
    let sq = 0;
    const v = r.value;
    for (let i = 0; i < v.length; i++) sq += v[i] * v[i];
    const norm = Math.sqrt(sq);
    const bound = this.bound() * (1 + 1e-9);
    if (!(norm <= bound)) {
      throw new FedrecError(ErrorCodes.SECAGG_SUM_OUT_OF_BOUND, `the unmasked sum has norm ${norm.toPrecision(6)}, more than ${r.count} clients clipped to their bound can produce (${bound.toPrecision(6)})`, { round });
    }
    const clipped = r.measurements.clientClipped ?? 0;
    if (!(clipped >= 0 && clipped <= r.count)) {
      throw new FedrecError(ErrorCodes.SECAGG_SUM_OUT_OF_BOUND, `the unmasked clipped-bit count ${clipped} is outside [0, ${r.count}]`, { round });
    }
    return r;
  }
}
