// What the coordinator has spent, read from the events its aggregation stages emitted, so the ε it
// reports is the ε of what it actually did. It also decides whether the next round fits the budget.
// Central rounds (sampled Gaussian) and distributed rounds (sampled Skellam) compose on one RDP
// curve: RDP at a fixed order adds up over mechanisms (Mironov 2017, Prop. 1).

import { RdpAccountant, rdpToEpsilon } from '../shared/privacy/rdp.js';
import { checkSkellamEvent, computeSkellamRdp, type SkellamEvent } from '../shared/privacy/skellam-rdp.js';
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
  /** central: the coordinator adds the noise; distributed: the clients do (default: central). */
  dp?: 'central' | 'distributed';
}

export class PrivacyLedger {
  private accountant: RdpAccountant;
  /** Distributed rounds, consecutive equal ones merged; their curve is kept beside the Gaussian one. */
  private skellam: SkellamEvent[] = [];
  private skellamCurve: number[];
  private rounds = 0;

  constructor(
    private readonly s: LedgerSettings,
    saved: unknown = null,
  ) {
    this.accountant = new RdpAccountant();
    this.skellamCurve = this.accountant.orders.map(() => 0);
    if (saved) this.restore(saved);
  }

  record(events: PrivacyEvent[]): void {
    for (const e of events) {
      if (e.mechanism === 'sampled-gaussian') this.accountant.compose({ q: e.samplingRate, sigma: e.noiseMultiplier, steps: e.steps });
      else this.composeSkellam({ q: e.samplingRate, l2: e.l2, l1: e.l1, mu: e.mu, steps: e.steps });
    }
    this.rounds++;
  }

  private composeSkellam(e: SkellamEvent): void {
    const r = computeSkellamRdp(e, this.accountant.orders); // validates
    if (e.steps === 0) return;
    for (let k = 0; k < r.length; k++) this.skellamCurve[k] += r[k];
    const last = this.skellam[this.skellam.length - 1];
    if (last && last.q === e.q && last.l2 === e.l2 && last.l1 === e.l1 && last.mu === e.mu) last.steps += e.steps;
    else this.skellam.push({ ...e });
  }

  /** Distributed rounds recorded so far (copies), oldest first. */
  get skellamEvents(): SkellamEvent[] {
    return this.skellam.map((e) => ({ ...e }));
  }

  private curve(extra: number[] | null = null): number[] {
    const g = this.accountant.rdp();
    return g.map((v, k) => v + this.skellamCurve[k] + (extra ? extra[k] : 0));
  }

  private epsilonOf(curve: number[], delta: number): number {
    return rdpToEpsilon(this.accountant.orders, curve, delta).epsilon;
  }

  get roundsDone(): number {
    return this.rounds;
  }

  /** ε spent at the configured δ: 0 before any round, ∞ once a round ran without noise. */
  epsilon(delta = this.s.delta): number {
    return this.accountant.events.length === 0 && this.skellam.length === 0 ? 0 : this.epsilonOf(this.curve(), delta);
  }

  /**
   * Why a round at rate q with multiplier z must not start, or null when it fits the budget. A
   * distributed round is previewed with `planned`: the Skellam noise expected from its survivors.
   */
  refusal(q: number, z: number, planned: SkellamEvent | null = null): BudgetRefusal | null {
    const b = this.s.budget;
    if (!b) return null;
    let after: number;
    if (planned) after = this.epsilonOf(this.curve(computeSkellamRdp(planned, this.accountant.orders)), b.delta);
    else after = z > 0 ? this.epsilonOf(this.curve(new RdpAccountant(this.accountant.orders).compose({ q, sigma: z, steps: 1 }).rdp()), b.delta) : Infinity;
    return after > b.epsilon ? { epsilonAfter: after, budgetEpsilon: b.epsilon, budgetDelta: b.delta } : null;
  }

  /** Back to a snapshot (a round whose checkpoint could not be written was never published). */
  restore(saved: unknown): void {
    const snap = saved as { accountant?: unknown; rounds?: number; skellam?: unknown };
    this.accountant = snap.accountant ? RdpAccountant.fromJSON(snap.accountant) : new RdpAccountant();
    this.rounds = snap.rounds ?? 0;
    // Recomputed from the events, like the Gaussian curve, so a checkpoint cannot forge it.
    this.skellam = [];
    this.skellamCurve = this.accountant.orders.map(() => 0);
    if (snap.skellam !== undefined) {
      if (!Array.isArray(snap.skellam)) throw new TypeError('privacy ledger: skellam must be a list of events');
      for (const e of snap.skellam as SkellamEvent[]) {
        checkSkellamEvent(e);
        this.composeSkellam({ q: e.q, l2: e.l2, l1: e.l1, mu: e.mu, steps: e.steps });
      }
    }
  }

  snapshot(): unknown {
    return { accountant: this.accountant.toJSON(), rounds: this.rounds, skellam: this.skellamEvents };
  }

  /** distributed once the configuration says so or a distributed round was recorded. */
  private get distributed(): boolean {
    return this.s.dp === 'distributed' || this.skellam.length > 0;
  }

  summary(): PrivacySummary {
    const b = this.s.budget;
    return {
      mechanism: this.distributed
        ? 'Distributed DP (Skellam, Agarwal et al. 2021) inside SecAgg+: each client clips, rotates, quantizes and adds its share of Skellam noise before masking, so the sum the coordinator unmasks is already noised; the coordinator adds none; Poisson sampling, RDP accounting (Zhu & Wang 2019 subsampling bound)'
        : this.s.aggregation === 'secure'
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
