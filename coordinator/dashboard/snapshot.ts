// What the dashboard and `fedrec status` show, as one JSON document (GET /dashboard/state), and the
// sentences both say about it. Only what the coordinator already releases: its status, the privacy
// summary of GET /privacy, counts, and the round summaries it logs. No Node or DOM imports: the page
// bundles this file and the status command runs it.

export interface RoundPoint {
  round: number;
  committed: boolean;
  /** A FEDREC_* code for an abandoned round. */
  abandonedBy: string | null;
  sampled: number;
  reported: number;
  dropped: number;
  late: number;
  declined: number;
  seconds: number;
  /** ε spent after this round; null: ∞ (no noise). */
  epsilon: number | null;
  clipNorm: number;
  noiseStddev: number;
  evaluation: { clients: number; hr10: number; ndcg10: number } | null;
  /** When the round ended (ms since the epoch). */
  endedAt: number;
}

export type PhaseName = 'train' | 'evaluate' | 'idle' | 'done' | 'budget-exhausted';

export interface DashboardSnapshot {
  /** When this snapshot was taken (ms since the epoch). */
  at: number;
  status: { round: number; phase: PhaseName; open: boolean; modelVersion: number; samplingRate: number };
  /** The open phase as announced when it opened (null between phases). */
  openPhase: { round: number; task: 'train' | 'evaluate'; selected: number; openedAt: number } | null;
  /** Rounds the coordinator is configured for (0: until stopped). */
  plannedRounds: number;
  clients: { connected: number; enrolled: number; available: number; minClients: number };
  privacy: {
    aggregation: 'secure' | 'plaintext';
    /** null: ∞ (a round ran without noise). */
    epsilon: number | null;
    delta: number;
    budget: { epsilon: number; delta: number } | null;
    clipNorm: number;
    noiseMultiplier: number;
  };
  /** The last released round summaries, oldest first (bounded). */
  rounds: RoundPoint[];
  /** Rejections by code since start, and how many of them in the last recentMinutes. */
  rejections: { code: string; total: number; recent: number }[];
  recentMinutes: number;
}

/** The phase and what it waits for, in one sentence. */
export function waitingFor(s: DashboardSnapshot): string {
  const { status, openPhase, clients } = s;
  switch (status.phase) {
    case 'done':
      return `finished: all rounds done (last round ${status.round}, model v${status.modelVersion})`;
    case 'budget-exhausted':
      return `finished: the privacy budget is spent (last round ${status.round}, model v${status.modelVersion})`;
    case 'train':
    case 'evaluate': {
      const n = openPhase?.round === status.round ? openPhase.selected : null;
      const who = n === null ? 'the selected clients' : `${n} selected client${n === 1 ? '' : 's'}`;
      return status.phase === 'train' ? `round ${status.round} training: waiting for updates from ${who}` : `round ${status.round} evaluation: waiting for metrics from ${who}`;
    }
    default:
      return clients.available < clients.minClients
        ? `waiting for clients: ${clients.available} of ${clients.minClients} connected`
        : `between rounds: ${clients.available} clients available, the next round opens shortly`;
  }
}

/** Three significant digits without trailing zeros: 10, 1.23, 0.0457. */
export function num3(x: number): string {
  return String(Number(x.toPrecision(3)));
}

export function formatEpsilon(epsilon: number | null): string {
  return epsilon === null ? '∞ (no noise)' : num3(epsilon);
}

/** δ as people write it: 1e-5, not 0.00001. */
export function formatDelta(delta: number): string {
  return delta < 1e-3 ? delta.toExponential() : String(delta);
}

/** ε spent against the budget, e.g. "ε 1.23 of 4 at δ 1e-5" or "ε ∞ (no noise), no budget". */
export function describePrivacy(p: DashboardSnapshot['privacy']): string {
  const spent = `ε ${formatEpsilon(p.epsilon)}`;
  if (!p.budget) return `${spent} at δ ${formatDelta(p.delta)}, no budget`;
  const share = p.epsilon === null ? '' : ` (${Math.round((100 * p.epsilon) / p.budget.epsilon)} %)`;
  return `${spent} of ${p.budget.epsilon}${share} at δ ${formatDelta(p.budget.delta)}`;
}

/** The last round that released an evaluation, if any. */
export function lastEvaluation(s: DashboardSnapshot): RoundPoint | null {
  for (let i = s.rounds.length - 1; i >= 0; i--) if (s.rounds[i].evaluation) return s.rounds[i];
  return null;
}
