// Checks a merged coordinator configuration: every bad value is refused with one sentence that names
// the parameter (and the flag or fix), before any socket opens.

import { validateAdaptive } from './aggregation/adaptive-clip.js';
import { type CoordinatorConfig, isLoopbackHost } from './config.js';

function need(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(what);
}

export function validateConfig(c: CoordinatorConfig): void {
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  const nonNegInt = (v: number) => Number.isInteger(v) && v >= 0;
  need(Number.isInteger(c.port) && c.port >= 0 && c.port < 65536, `port must be 0–65535, got ${c.port}`);
  need(posInt(c.model.dim) && c.model.dim <= 1024, `model.dim must be an integer in 1–1024, got ${c.model.dim}`);
  need(nonNegInt(c.rounds), `rounds must be an integer ≥ 0, got ${c.rounds}`);
  need(c.samplingRate === null || (c.samplingRate > 0 && c.samplingRate <= 1), `samplingRate must be in (0, 1], got ${c.samplingRate}`);
  need(posInt(c.clientsPerRound), `clientsPerRound must be a positive integer, got ${c.clientsPerRound}`);
  need(posInt(c.minClients), `minClients must be a positive integer, got ${c.minClients}`);
  need(['token', 'open', 'closed'].includes(c.registration), `registration must be "token", "open" or "closed", got ${c.registration}`);
  if (c.registration === 'token') {
    need(
      typeof c.enrollment.publicKeyFile === 'string' && c.enrollment.publicKeyFile !== '',
      `registration "token" needs the enrollment public key: give enrollment.publicKeyFile (--enrollment-key FILE.pub, made by \`fedrec keys\`)${c.host && !isLoopbackHost(c.host) ? `; host ${c.host} is not loopback, so token is the default (use --registration open only on a trusted network)` : ''}`,
    );
  }
  need(c.enrollment.audience === null || (typeof c.enrollment.audience === 'string' && c.enrollment.audience !== ''), `enrollment.audience must be null or a non-empty string, got ${c.enrollment.audience}`);
  need(Number.isSafeInteger(c.enrollment.idleExpiryMs) && c.enrollment.idleExpiryMs > 0, `enrollment.idleExpiryMs must be a positive integer, got ${c.enrollment.idleExpiryMs}`);
  need(posInt(c.minReports), `minReports must be a positive integer, got ${c.minReports}`);
  need(posInt(c.roundDeadlineMs), `roundDeadlineMs must be a positive integer, got ${c.roundDeadlineMs}`);
  need(nonNegInt(c.interRoundDelayMs), `interRoundDelayMs must be an integer ≥ 0, got ${c.interRoundDelayMs}`);
  need(nonNegInt(c.evaluation.every), `evaluation.every must be an integer ≥ 0, got ${c.evaluation.every}`);
  need(posInt(c.evaluation.clientsPerRound), `evaluation.clientsPerRound must be a positive integer, got ${c.evaluation.clientsPerRound}`);
  const r = c.round;
  need(posInt(r.localEpochs), `round.localEpochs must be a positive integer, got ${r.localEpochs}`);
  need(r.lr > 0 && Number.isFinite(r.lr), `round.lr must be > 0, got ${r.lr}`);
  need(r.l2 >= 0 && Number.isFinite(r.l2), `round.l2 must be ≥ 0, got ${r.l2}`);
  need(nonNegInt(r.negatives) && r.negatives <= 100, `round.negatives must be an integer in 0–100, got ${r.negatives}`);
  need(posInt(r.batchSize), `round.batchSize must be a positive integer, got ${r.batchSize}`);
  need(r.clipNorm > 0 && Number.isFinite(r.clipNorm), `round.clipNorm must be > 0, got ${r.clipNorm}`);
  need(nonNegInt(r.evalFitEpochs), `round.evalFitEpochs must be an integer ≥ 0, got ${r.evalFitEpochs}`);
  need(c.noiseMultiplier >= 0 && Number.isFinite(c.noiseMultiplier), `noiseMultiplier must be ≥ 0, got ${c.noiseMultiplier}`);
  if (c.adaptiveClipping) validateAdaptive(c.adaptiveClipping, c.noiseMultiplier);
  need(c.denominator === 'expected' || c.denominator === 'reported', `denominator must be "expected" or "reported", got ${c.denominator}`);
  // Dividing by the realized count makes the mean's sensitivity depend on who reported: the
  // accountant's ε (sensitivity C/(qN)) would not hold, so the two never go together.
  need(
    c.denominator === 'expected' || (c.noiseMultiplier === 0 && c.privacy.budget === null),
    'denominator "reported" cannot be combined with noise or a privacy budget: the accountant certifies ε only for the fixed denominator q·N ("expected"); use "expected", or train without noise (ε = ∞)',
  );
  need(c.aggregation === 'secure' || c.aggregation === 'plaintext', `aggregation must be "secure" or "plaintext", got ${c.aggregation}`);
  // A secure sum over one client is that client's update: insist on two.
  if (c.aggregation === 'secure') need(c.minClients >= 2, `secure aggregation needs at least 2 clients a round: set minClients ≥ 2 (got ${c.minClients}), or aggregation "plaintext" to see single updates`);
  need(c.dp === 'central' || c.dp === 'distributed', `dp must be "central" or "distributed", got ${c.dp}`);
  if (c.dp === 'distributed') {
    need(c.aggregation === 'secure', 'dp "distributed" needs aggregation "secure": the clients\' noise shares only add up inside the secure sum');
    // The clipped bit would have to travel without noise: adaptive clipping stays a central-DP feature.
    need(c.adaptiveClipping === null, 'dp "distributed" cannot be combined with adaptive clipping (its clipped-bit count is noised by the coordinator); use a fixed clip norm or dp "central"');
  }
  const sa = c.secureAggregation;
  need(['auto', 'x25519', 'p256'].includes(sa.curve), `secureAggregation.curve must be "auto", "x25519" or "p256", got ${sa.curve}`);
  need(sa.degree === null || (Number.isInteger(sa.degree) && sa.degree >= 2 && sa.degree <= 254 && sa.degree % 2 === 0), `secureAggregation.degree must be null or an even integer in 2–254 (neighbours on both sides of a ring; a share per neighbour, at most 255), got ${sa.degree}`);
  need(sa.threshold === null || (Number.isInteger(sa.threshold) && sa.threshold >= 2), `secureAggregation.threshold must be null or an integer ≥ 2, got ${sa.threshold}`);
  need((sa.degree === null) === (sa.threshold === null), 'secureAggregation.degree and threshold are set together (or both null for the automatic choice)');
  if (sa.degree !== null && sa.threshold !== null) need(sa.threshold <= sa.degree + 1 && 2 * sa.threshold > sa.degree + 1, `secureAggregation.threshold must be in (degree+1)/2 < t ≤ degree+1 (more than half the shares, so a coordinator cannot obtain both secrets of one client), got t=${sa.threshold}, degree=${sa.degree}`);
  need(sa.dropoutRate >= 0 && sa.dropoutRate < 0.5, `secureAggregation.dropoutRate must be in [0, 0.5), got ${sa.dropoutRate}`);
  need(sa.corruptRate >= 0 && sa.corruptRate < 0.5, `secureAggregation.corruptRate must be in [0, 0.5), got ${sa.corruptRate}`);
  need(posInt(sa.stageDeadlineMs), `secureAggregation.stageDeadlineMs must be a positive integer, got ${sa.stageDeadlineMs}`);
  need(c.serverOptimizer.name === 'fedavg' || c.serverOptimizer.name === 'fedadam', `serverOptimizer.name must be "fedavg" or "fedadam", got ${c.serverOptimizer.name}`);
  need(c.serverOptimizer.lr > 0, `serverOptimizer.lr must be > 0, got ${c.serverOptimizer.lr}`);
  need(nonNegInt(c.limits.maxPayloadBytes), `limits.maxPayloadBytes must be an integer ≥ 0, got ${c.limits.maxPayloadBytes}`);
  need(posInt(c.limits.maxClients), `limits.maxClients must be a positive integer, got ${c.limits.maxClients}`);
  need(posInt(c.limits.heartbeatIntervalMs), `limits.heartbeatIntervalMs must be a positive integer`);
  need(c.limits.heartbeatTimeoutMs > c.limits.heartbeatIntervalMs, `limits.heartbeatTimeoutMs must exceed heartbeatIntervalMs`);
  need(c.limits.messagesPerSecond > 0, `limits.messagesPerSecond must be > 0, got ${c.limits.messagesPerSecond}`);
  need(c.limits.messageBurst >= 1, `limits.messageBurst must be ≥ 1, got ${c.limits.messageBurst}`);
  validateAdmission(c);
  need(c.privacy.delta > 0 && c.privacy.delta < 1, `privacy.delta must be in (0, 1), got ${c.privacy.delta}`);
  if (c.privacy.budget) {
    // Fail at start, not at round 1: without noise every round costs ε = ∞.
    need(c.noiseMultiplier > 0, `a privacy budget (ε = ${c.privacy.budget.epsilon}) needs noiseMultiplier > 0: without noise a round costs ε = ∞`);
    need(c.privacy.budget.epsilon > 0, `privacy.budget.epsilon must be > 0, got ${c.privacy.budget.epsilon}`);
    need(c.privacy.budget.delta > 0 && c.privacy.budget.delta < 1, `privacy.budget.delta must be in (0, 1), got ${c.privacy.budget.delta}`);
  }
}

/** On loopback every peer has one address, so per-address limits would cap everyone; unless set, off. */
function validateAdmission(c: CoordinatorConfig): void {
  const l = c.limits;
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  need(posInt(l.handshakeTimeoutMs), `limits.handshakeTimeoutMs must be a positive integer, got ${l.handshakeTimeoutMs}`);
  need(posInt(l.joinTimeoutMs), `limits.joinTimeoutMs must be a positive integer, got ${l.joinTimeoutMs}`);
  need(Number.isInteger(l.maxConnectionsPerIp) && l.maxConnectionsPerIp >= 0, `limits.maxConnectionsPerIp must be an integer ≥ 0 (0: no limit), got ${l.maxConnectionsPerIp}`);
  need(l.registrationsPerIpPerMinute >= 0 && Number.isFinite(l.registrationsPerIpPerMinute), `limits.registrationsPerIpPerMinute must be ≥ 0 (0: no limit), got ${l.registrationsPerIpPerMinute}`);
  need(Array.isArray(l.allowedOrigins) && l.allowedOrigins.every((o) => typeof o === 'string' && (o === '*' || /^https?:\/\/[^/]+$/.test(o))), `limits.allowedOrigins must be a list of origins such as "https://app.example.org" (scheme and host, no path), or ["*"]; got ${JSON.stringify(l.allowedOrigins)}`);
  need(c.adminTokenFile === null || (typeof c.adminTokenFile === 'string' && c.adminTokenFile !== ''), `adminTokenFile must be null or the path of a file holding the operator token, got ${JSON.stringify(c.adminTokenFile)}`);
  if (c.tls !== null) {
    need(typeof c.tls === 'object' && typeof c.tls.certFile === 'string' && c.tls.certFile !== '' && typeof c.tls.keyFile === 'string' && c.tls.keyFile !== '', 'tls must be null or { certFile, keyFile } with both PEM file paths');
  }
}
