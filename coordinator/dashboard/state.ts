// The coordinator's side of the dashboard: a bounded history of the round summaries it released, the
// phase it announced last, and rejections by code with a recent window, assembled on demand into the
// snapshot GET /dashboard/state serves (and `fedrec status` prints).

import type { PrivacySummary } from '../../shared/protocol/messages.js';
import type { RoundStatus, RoundSummary } from '../engine-types.js';
import type { DashboardSnapshot, RoundPoint } from './snapshot.js';

export interface DashboardSources {
  status(): RoundStatus;
  privacy(): PrivacySummary;
  /** Joined clients, and rejections by code since start (a map that only grows). */
  sessions: { readonly joined: number; readonly rejections: ReadonlyMap<string, number> };
  plannedRounds: number;
}

/** Rounds kept for the charts: at a round a minute, more than three hours. */
export const HISTORY_LIMIT = 200;
const RECENT_MINUTES = 10;
/** How often the rejection counts are sampled, so "recent" is right to a few seconds. */
const SAMPLE_EVERY_MS = 5_000;

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export class DashboardState {
  private readonly history: RoundPoint[] = [];
  private phase: DashboardSnapshot['openPhase'] = null;
  private readonly seen = new Map<string, number>();
  /** Increments of the rejection counts, with when they were first seen. */
  private readonly recent: { at: number; code: string; n: number }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly src: DashboardSources,
    private readonly limit = HISTORY_LIMIT,
  ) {
    this.timer = setInterval(() => this.sampleRejections(), SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  onPhaseOpen(e: { round: number; task: 'train' | 'evaluate'; selected: number }): void {
    this.phase = { round: e.round, task: e.task, selected: e.selected, openedAt: Date.now() };
  }

  onRound(s: RoundSummary): void {
    this.history.push({
      round: s.round,
      committed: s.committed,
      abandonedBy: s.abandonedBy,
      sampled: s.sampled,
      reported: s.reported,
      dropped: s.dropped,
      late: s.late,
      declined: s.declined,
      seconds: s.seconds,
      epsilon: finite(s.epsilon),
      clipNorm: s.clipNorm,
      noiseStddev: s.noiseStddev,
      evaluation: s.evaluation ? { ...s.evaluation } : null,
      endedAt: Date.now(),
    });
    if (this.history.length > this.limit) this.history.splice(0, this.history.length - this.limit);
  }

  snapshot(): DashboardSnapshot {
    this.sampleRejections();
    const st = this.src.status();
    const p = this.src.privacy();
    const cutoff = Date.now() - RECENT_MINUTES * 60_000;
    const recent = new Map<string, number>();
    for (const e of this.recent) if (e.at >= cutoff) recent.set(e.code, (recent.get(e.code) ?? 0) + e.n);
    return {
      at: Date.now(),
      status: { round: st.round, phase: st.phase, open: st.open, modelVersion: st.modelVersion, samplingRate: st.samplingRate },
      openPhase: st.open && this.phase?.round === st.round && this.phase.task === st.phase ? { ...this.phase } : null,
      plannedRounds: this.src.plannedRounds,
      clients: { connected: this.src.sessions.joined, enrolled: st.registered, available: st.available, minClients: st.minClients },
      privacy: { aggregation: p.aggregation, epsilon: finite(p.epsilon), delta: p.delta, budget: p.budget, clipNorm: p.clipNorm, noiseMultiplier: p.noiseMultiplier },
      rounds: this.history.map((r) => ({ ...r })),
      rejections: [...this.seen].map(([code, total]) => ({ code, total, recent: recent.get(code) ?? 0 })).sort((a, b) => b.recent - a.recent || b.total - a.total),
      recentMinutes: RECENT_MINUTES,
    };
  }

  close(): void {
    clearInterval(this.timer);
  }

  private sampleRejections(): void {
    const now = Date.now();
    for (const [code, total] of this.src.sessions.rejections) {
      const n = total - (this.seen.get(code) ?? 0);
      if (n > 0) this.recent.push({ at: now, code, n });
      this.seen.set(code, total);
    }
    const cutoff = now - RECENT_MINUTES * 60_000;
    while (this.recent.length > 0 && this.recent[0].at < cutoff) this.recent.shift();
  }
}
