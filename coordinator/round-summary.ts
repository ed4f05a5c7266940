// The round summary logged, emitted and written to result files. It holds no per-client value (norms,
// the exact clipped count; with one reporter they would be that client's): only what the noised
// aggregate released, and round-level counts for the operator.

import type { Phase } from './phase.js';
import type { SecureOutcome } from './secagg/secure-phase.js';
import type { RoundSummary } from './engine-types.js';

export interface SummaryInputs {
  round: number;
  train: Phase;
  secure: SecureOutcome | null;
  measurements: Record<string, number>;
  abandonedBy: string | null;
  evaluation: RoundSummary['evaluation'];
  started: number;
  clipNorm: number;
  modelVersion: number;
  epsilon: number;
}

/** One line a person can follow: round, reports of selected, who is missing, ε so far, time, outcome. */
export function describeRound(s: RoundSummary): string {
  const missing = [s.dropped ? `${s.dropped} dropped` : '', s.declined ? `${s.declined} could not train` : '', s.late ? `${s.late} late` : ''].filter(Boolean);
  const eps = Number.isFinite(s.epsilon) ? `ε ${s.epsilon.toPrecision(3)} so far` : 'ε ∞ (no noise)';
  const evaluation = s.evaluation ? `, HR@10 ${s.evaluation.hr10.toFixed(3)}` : '';
  const outcome = s.committed ? `committed (model v${s.modelVersion})` : `abandoned (${s.abandonedBy})`;
  return `round ${s.round} ${outcome}: ${s.reported}/${s.sampled} reports${missing.length ? ` (${missing.join(', ')})` : ''}, ${eps}${evaluation}, ${s.seconds.toFixed(1)} s`;
}

export function summarizeRound(i: SummaryInputs): RoundSummary {
  const { train, secure, measurements: m } = i;
  const reported = train.reported.size;
  const noisedUnclipped = m.unclippedFractionNoised;
  return {
    round: i.round,
    committed: i.abandonedBy === null,
    sampled: train.selected.size,
    reported,
    dropped: secure ? train.selected.size - reported : train.dropped.size,
    late: train.late,
    declined: train.declined,
    rejected: train.rejected,
    // Only what a noised mechanism released: the exact clipped count and mean norm stay inside.
    clippedFraction: noisedUnclipped === undefined ? null : 1 - noisedUnclipped,
    meanUpdateNorm: null,
    clipNorm: m.clipNorm ?? i.clipNorm,
    noiseStddev: m.noiseStddev ?? 0,
    seconds: (Date.now() - i.started) / 1000,
    modelVersion: i.modelVersion,
    epsilon: i.epsilon,
    evaluation: i.evaluation,
    aggregation: secure ? 'secure' : 'plaintext',
    secure: secure?.ok ? { degree: secure.degree, threshold: secure.threshold, dropped: secure.dropped, unmaskMs: secure.unmaskMs, stageMs: secure.stageMs } : null,
    abandonedBy: i.abandonedBy,
  };
}
