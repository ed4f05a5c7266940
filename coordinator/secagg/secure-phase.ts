// Runs the stages of one secure train phase in order, each with its deadline, and decides when a
// round cannot go on: too few clients at any stage abandons it before anything is unmasked, so an
// abandoned round publishes nothing and spends no privacy. Under distributed DP it also plans the
// clients' noise shares and the rotation (distributed-round.ts) once it knows who takes part.

import type { Logger } from 'pino';
import { type ErrorCode, ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { Curve } from '../../shared/protocol/secagg-messages.js';
import type { SecAggCrypto } from '../../shared/secagg/crypto-suite.js';
import { quantizationScale } from '../../shared/secagg/quantize.js';
import type { DistributedSum } from '../aggregation/secure-sum.js';
import { planDistributedRound, rotationOf } from './distributed-round.js';
import type { CoordinatorConfig } from '../config.js';
import { drawNeighbourhoods } from './neighbourhoods.js';
import type { SecureRound } from './secure-round.js';
import { unmask } from './unmask.js';

export interface SecurePhaseDeps {
  config: CoordinatorConfig;
  logger: Logger;
  crypto: SecAggCrypto;
  clipNorm: number;
  curve: Curve;
  session: Uint8Array;
  /** When the phase's own deadline (roundDeadlineMs from the offer) passes. */
  deadlineAt: number;
  /** The key stage is settled when every selected client advertised keys or is known gone. */
  keysSettled: () => boolean;
  stopped: () => boolean;
}

export type SecureOutcome =
  | { ok: true; sum: Uint32Array; survivors: number; dropped: number; scale: number; distributed: DistributedSum | null; degree: number; threshold: number; unmaskMs: number; stageMs: StageTimes }
  | { ok: false; code: ErrorCode; reason: string };

/** Milliseconds each stage took (where a secure round's time goes). */
export interface StageTimes {
  keys: number;
  shares: number;
  masked: number;
  unmask: number;
}

export async function runSecureStages(r: SecureRound, d: SecurePhaseDeps): Promise<SecureOutcome> {
  const { config, logger } = d;
  const round = r.spec.round;
  const stageDeadline = config.secureAggregation.stageDeadlineMs;
  const abandon = (code: ErrorCode, reason: string): SecureOutcome => ({ ok: false, code, reason });
  const need = Math.max(2, config.minReports);
  let mark = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
  const stageMs: StageTimes = { keys: 0, shares: 0, masked: 0, unmask: 0 };

  await r.waitForStage(d.deadlineAt - Date.now(), d.keysSettled);
  stageMs.keys = lap();
  if (d.stopped()) return abandon(ErrorCodes.SHUTTING_DOWN, 'the coordinator is stopping');
  r.dropGoneAdvertisers();
  const n = r.advertised().length;
  if (n < need) return abandon(ErrorCodes.SECAGG_BELOW_THRESHOLD, `${n} clients advertised keys; secure aggregation needs at least ${need}`);
  const graph = drawNeighbourhoods(n, config.secureAggregation);
  const dp = config.dp === 'distributed' ? planDistributedRound(config, d.clipNorm, n, r.spec.words - 1) : null;
  const scale = dp ? dp.plan.scale : quantizationScale(d.clipNorm, n);
  if (dp) logger.info({ event: 'secagg-distributed-dp', round, clients: n, scale, noisePerClient: dp.plan.noisePerClient, normBound: dp.plan.normBound }, `round ${round}: distributed DP, each client adds Skellam noise of variance ${dp.plan.noisePerClient.toPrecision(4)} (scale 2^${Math.log2(scale)})`);
  logger.info({ event: 'secagg-neighbourhoods', round, clients: n, degree: graph.degree, threshold: graph.threshold, full: graph.full, curve: d.curve }, `round ${round}: ${n} clients in secure aggregation, ${graph.degree} neighbour${graph.degree === 1 ? '' : 's'} each, ${graph.threshold} shares to unmask`);
  r.assignNeighbourhoods(graph, scale, dp?.params ?? null);

  await r.waitForStage(stageDeadline);
  stageMs.shares = lap();
  if (d.stopped()) return abandon(ErrorCodes.SHUTTING_DOWN, 'the coordinator is stopping');
  const shared = r.shared().length;
  if (shared < need) return abandon(ErrorCodes.SECAGG_BELOW_THRESHOLD, `${shared} clients shared their keys; at least ${need} are needed`);
  r.relayShares();

  await r.waitForStage(Math.max(stageDeadline, d.deadlineAt - Date.now()));
  stageMs.masked = lap();
  if (d.stopped()) return abandon(ErrorCodes.SHUTTING_DOWN, 'the coordinator is stopping');
  const survivors = r.survivors().length;
  if (survivors < Math.max(need, graph.threshold)) {
    return abandon(ErrorCodes.SECAGG_BELOW_THRESHOLD, `${survivors} masked inputs arrived; at least ${Math.max(need, graph.threshold)} are needed (minReports, threshold)`);
  }
  r.requestShares();

  await r.waitForStage(stageDeadline);
  stageMs.unmask = lap();
  if (d.stopped()) return abandon(ErrorCodes.SHUTTING_DOWN, 'the coordinator is stopping');
  r.close();
  const started = performance.now();
  try {
    const u = await unmask(r, { threshold: graph.threshold, curve: d.curve, session: d.session, crypto: d.crypto });
    if (u.badShares.dropped > 0 || u.badShares.retried > 0) {
      d.logger.warn(
        { event: 'secagg-bad-shares', round: r.spec.round, droppedShares: u.badShares.dropped, retriedSecrets: u.badShares.retried },
        `round ${r.spec.round}: ${u.badShares.dropped} malformed or disputed share(s) dropped and ${u.badShares.retried} secret(s) rebuilt only from other holders (some holder lied or broke); the masks came off all the same`,
      );
    }
    const distributed = dp ? { ...(await rotationOf(dp, r.spec.words - 1, d.crypto.expander)), noisePerClient: dp.plan.noisePerClient, normBound: dp.plan.normBound, l1Bound: dp.plan.l1Bound } : null;
    return { ok: true, sum: u.sum, survivors: u.survivors, dropped: u.dropped, scale, distributed, degree: graph.degree, threshold: graph.threshold, unmaskMs: performance.now() - started, stageMs };
  } catch (err) {
    if (err instanceof FedrecError) return abandon(err.code, err.message);
    throw err;
  }
}
