// Whether a round's closed train phase commits or is abandoned, and why: the coordinator stopping,
// a secure round that could not finish, too few reports, or a bad sum or failed checkpoint write.
// An abandoned round publishes nothing and spends no privacy; the coordinator keeps serving.

import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { EngineDeps } from './engine-types.js';
import type { Phase } from './phase.js';
import type { PrivacyEvents } from './round-commit.js';
import type { SecureOutcome } from './secagg/secure-phase.js';

export interface OutcomeDeps {
  engine: Pick<EngineDeps, 'config' | 'aggregator' | 'logger' | 'secureLeaf'>;
  stopped: () => boolean;
  /** Commits the mean durably, or throws (rolled back). */
  commit: (round: number, mean: Float64Array, events: PrivacyEvents) => Promise<void>;
}

export interface RoundOutcome {
  /** The FEDREC_* code that abandoned the round; null when it committed. */
  abandonedBy: string | null;
  measurements: Record<string, number>;
}

/** Aggregates and commits the round's train phase, or says which code abandoned it (logged once). */
export async function settleRound(d: OutcomeDeps, round: number, train: Phase, secure: SecureOutcome | null): Promise<RoundOutcome> {
  const { config, aggregator, logger } = d.engine;
  let abandonedBy: string | null = null;
  let measurements: Record<string, number> = {};
  if (d.stopped()) abandonedBy = ErrorCodes.SHUTTING_DOWN;
  else if (secure && !secure.ok) {
    abandonedBy = secure.code;
    logger.warn({ event: 'round-abandoned', round, code: secure.code }, `round ${round} abandoned: ${secure.reason}`);
  } else if (train.reported.size < config.minReports) {
    abandonedBy = ErrorCodes.TOO_FEW_REPORTS;
    logger.warn({ event: 'round-abandoned', round, code: abandonedBy, minReports: config.minReports }, `round ${round} abandoned: fewer than ${config.minReports} reports`);
  } else {
    try {
      if (secure?.ok) d.engine.secureLeaf!.provide(secure.sum, secure.survivors, secure.scale, secure.distributed);
      const result = aggregator.finish();
      measurements = result.measurements;
      await d.commit(round, result.value, result.events);
    } catch (err) {
      // A bad sum or a failed checkpoint write abandons the round; the coordinator keeps serving.
      abandonedBy = err instanceof FedrecError ? err.code : ErrorCodes.INTERNAL;
      logger.error({ event: 'round-abandoned', round, code: abandonedBy, err: err instanceof FedrecError ? undefined : err }, `round ${round} abandoned: ${(err as Error).message}`);
    }
  }
  return { abandonedBy, measurements };
}
