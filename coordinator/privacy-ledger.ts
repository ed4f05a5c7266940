// What the coordinator has spent, read from the events its aggregation stages emitted, so the ε it
// reports is the ε of what it actually did. It also decides whether the next round fits the budget.

import { RdpAccountant } from '../shared/privacy/rdp.js';
import type { AggregationMode, PrivacySummary } from '../shared/protocol/messages.js';
import type { PrivacyEvent } from './aggregation/stage.js';

export interface BudgetRefusal {
  epsilonAfter: number;
  budgetEpsilon: number;
  budgetDelta: number;
}

export interface LedgerSettings {
  delta: number;
  budget: { epsilon: number; delta: number } | null;
  clipNorm: () => number;
  noiseMultiplier: number;
  samplingRate: () => number;
  aggregation: AggregationMode;
}

export class PrivacyLedger {
  private accountant: RdpAccountant;
  private rounds = 0;

  constructor(
    private readonly s: LedgerSettings,
    saved: unknown = null,
  ) {
    const snap = saved as { accountant?: unknown; rounds?: number } | null;
    this.accountant = snap?.accountant ? RdpAccountant.fromJSON(snap.accountant) : new RdpAccountant();
    this.rounds = snap?.rounds ?? 0;
  }

  record(events: PrivacyEvent[]): void {
    for (const e of events) this.accountant.compose({ q: e.samplingRate, sigma: e.noiseMultiplier, steps: e.steps });
    this.rounds++;
  }

  get roundsDone(): number {
    return this.rounds;
  }

  /** ε spent at the configured δ: 0 before any round, ∞ once a round ran without noise. */
  epsilon(delta = this.s.delta): number {
    return this.accountant.events.length === 0 ? 0 : this.accountant.epsilon(delta);
  }

  /** Why a round at rate q with multiplier z must not start, or null when it fits the budget. */
  refusal(q: number, z: number): BudgetRefusal | null {
    const b = this.s.budget;
    if (!b) return null;
    const after = z > 0 ? this.accountant.preview({ q, sigma: z, steps: 1 }, b.delta) : Infinity;
    return after > b.epsilon ? { epsilonAfter: after, budgetEpsilon: b.epsilon, budgetDelta: b.delta } : null;
  }

  /** Back to a snapshot (a round whose checkpoint could not be written was never published). */
  restore(saved: unknown): void {
    const snap = saved as { accountant: unknown; rounds: number };
    this.accountant = RdpAccountant.fromJSON(snap.accountant);
    this.rounds = snap.rounds;
  }

  snapshot(): unknown {
    return { accountant: this.accountant.toJSON(), rounds: this.rounds };
  }

  summary(): PrivacySummary {
    const b = this.s.budget;
    return {
      mechanism:
        this.s.aggregation === 'secure'
          ? 'DP-FedAvg over SecAgg+: clients clip and quantize, the coordinator sees only the masked sum, adds Gaussian noise once; Poisson sampling, RDP accounting'
          : 'DP-FedAvg: per-client L2 clipping, Gaussian noise on the sum, Poisson sampling, RDP accounting',
      aggregation: this.s.aggregation,
      clipNorm: this.s.clipNorm(),
      noiseMultiplier: this.s.noiseMultiplier,
      samplingRate: this.s.samplingRate(),
      roundsDone: this.rounds,
      epsilon: this.epsilon(b?.delta ?? this.s.delta),
      delta: b?.delta ?? this.s.delta,
      budget: b ? { ...b } : null,
    };
  }
}
