// The round engine: sample → offer → collect until everyone answered or the deadline → aggregate →
// commit (checkpoint, ledger) → optionally evaluate. It knows nothing of sockets: the server hands
// it validated messages and a Transport to answer through. It holds the round and model version and
// coordinates the parts: phase-runner.ts runs each phase, phase-desk.ts settles the answers to the
// open one, round-outcome.ts commits or abandons a round, round-pacing.ts says when the next may start.

import { EventEmitter } from 'node:events';
import { encodeMessage } from '../shared/protocol/codec.js';
import type { DeclineMessage, JoinMode, MetricsMessage, UpdateMessage, WaitMessage } from '../shared/protocol/messages.js';
import type { SecAggClientMessage } from '../shared/protocol/secagg-messages.js';
import type { MfModel } from '../shared/model/mf-model.js';
import type { Catalogue } from '../shared/model/catalogue.js';
import type { CoordinatorConfig } from './config.js';
import type { Phase } from './phase.js';
import type { Admission } from './registry.js';
import { plannedSkellamEvent } from './secagg/distributed-round.js';
import type { EngineDeps, RoundStatus, RoundSummary, Transport } from './engine-types.js';
import { commitDurably, type PrivacyEvents } from './round-commit.js';
import { describeRound, summarizeRound } from './round-summary.js';
import { Availability } from './availability.js';
import { PhaseDesk } from './phase-desk.js';
import { PhaseRunner } from './phase-runner.js';
import { RoundPacing } from './round-pacing.js';
import { settleRound, type OutcomeDeps } from './round-outcome.js';
import { announceFinished } from './finished.js';

export type { EngineDeps, RoundStatus, RoundSummary, Transport };

export class RoundEngine extends EventEmitter {
  readonly config: CoordinatorConfig;
  readonly model: MfModel;
  readonly catalogue: Catalogue;
  private readonly d: EngineDeps;
  private transport: Transport | null = null;
  private committedRound: number;
  private modelVersion: number;
  private state: RoundStatus['phase'] = 'idle';
  private stopped = false;
  private running: Promise<void> | null = null;
  /** Rounds abandoned since the last commit: the next round number skips past them. */
  private abandonedSinceCommit = 0;
  /** Rounds this process ran, for the final summary line. */
  private readonly tally = { committed: 0, abandoned: 0 };
  /** Evaluation averages published so far: not noised and not in the ledger (GET /privacy says so). */
  evaluationsReleased = 0;
  /** The open phase and the answers to it. */
  private readonly desk: PhaseDesk;
  /** Who could take part now; rounds start only when it reaches minClients. */
  private readonly availability: Availability;
  /** Opens, offers, collects and closes one phase. */
  private readonly phases: PhaseRunner;
  /** Waits for enough devices, and between rounds. */
  private readonly pacing: RoundPacing;
  /** What settleRound needs to commit a round or say why it was abandoned. */
  private readonly outcomeDeps: OutcomeDeps;

  constructor(deps: EngineDeps) {
    super();
    this.d = deps;
    this.config = deps.config;
    this.model = deps.model;
    this.catalogue = deps.catalogue;
    this.committedRound = deps.round;
    this.modelVersion = deps.modelVersion;
    this.desk = new PhaseDesk({ logger: deps.logger, aggregator: deps.aggregator, transport: () => this.transport, committedRound: () => this.committedRound, scratch: new Float32Array(deps.model.params.length) });
    this.availability = Availability.forRounds(deps.config.roundDeadlineMs);
    this.phases = new PhaseRunner({
      engine: deps,
      desk: this.desk,
      availability: this.availability,
      transport: () => this.transport,
      modelVersion: () => this.modelVersion,
      stopped: () => this.stopped,
      onOpen: (e) => this.emit('phase-open', e),
    });
    this.outcomeDeps = { engine: deps, stopped: () => this.stopped, commit: (round, mean, events) => this.commit(round, mean, events) };
    this.pacing = new RoundPacing({ config: deps.config, logger: deps.logger, available: () => this.available(), registered: () => this.d.registry.size, stopped: () => this.stopped });
  }

  attach(transport: Transport): void {
    this.transport = transport;
  }

  get currentModelVersion(): number {
    return this.modelVersion;
  }

  get lastCommittedRound(): number {
    return this.committedRound;
  }

  status(): RoundStatus {
    const p = this.desk.phase;
    return {
      round: p?.round ?? this.committedRound,
      phase: p?.task ?? this.state,
      open: p !== null,
      seed: p?.seed ?? null,
      samplingRate: p?.samplingRate ?? 0,
      modelVersion: this.modelVersion,
      registered: this.d.registry.size,
      available: this.available(),
      minClients: this.config.minClients,
    };
  }

  private available(): number {
    return this.availability.count(this.transport?.persistentClients() ?? []);
  }

  /** Starts the round loop; resolves when the configured rounds are done or stop() is called. */
  start(): Promise<void> {
    this.running ??= this.loop().catch((err) => {
      this.d.logger.error({ err, event: 'engine-failed' }, 'round engine stopped on an error');
      this.emit('error', err);
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pacing.interrupt();
    this.desk.closePhase?.();
    this.desk.secure?.interrupt();
    await this.running;
  }

  get secureMode(): boolean {
    return this.config.aggregation === 'secure';
  }

  // ---- messages from the server ------------------------------------------------------------

  /**
   * Whether a client id may join: any id when registration is open, known ids when closed, and in
   * token mode a new id only with a valid, unused token (which registers it). Throws a coded refusal.
   */
  admits(clientId: string, token?: string): Admission {
    return this.d.registry.admit(clientId, token);
  }

  /** A client joined (or checked in): register it and offer it the open phase if it was picked. */
  onJoin(clientId: string, mode: JoinMode = 'persistent'): void {
    this.d.registry.add(clientId); // registers (open mode) or refreshes its last-seen time
    if (mode === 'checkin') this.availability.noteCheckIn(clientId);
    else this.availability.notePersistent(clientId);
    this.pacing.nudge();
    if (this.state === 'done' || this.state === 'budget-exhausted') {
      // Nothing more will run: say so, so the device can stop instead of waiting forever.
      this.transport?.send(clientId, encodeMessage({ type: 'wait', reason: this.state, retryAfterMs: 0 } satisfies WaitMessage));
      return;
    }
    this.desk.offerIfSelected(clientId, true);
  }

  onLeave(clientId: string, forget: boolean): void {
    this.onDisconnect(clientId);
    if (forget) this.availability.forget(clientId);
    // Forgetting is a promise to the user: off the disk now, not at the next checkpoint.
    if (forget && this.d.registry.remove(clientId)) {
      this.d.registry.saveNow().catch((err: Error) => this.d.logger.error({ event: 'registry-write-failed', err: err.message }, 'could not write registry.json after a forget; retried at the next checkpoint'));
    }
  }

  onDisconnect(clientId: string): void {
    this.desk.onDisconnect(clientId);
  }

  onUpdate(clientId: string, msg: UpdateMessage): void {
    this.desk.onUpdate(clientId, msg);
  }

  onMetrics(clientId: string, msg: MetricsMessage): void {
    this.desk.onMetrics(clientId, msg);
  }

  /** A device that cannot do its task: stop waiting for it (as for a drop, but it stays connected). */
  onDecline(clientId: string, msg: DeclineMessage): void {
    this.desk.onDecline(clientId, msg);
  }

  /** A secure-aggregation message: routed to the open secure round's stage, or refused with a code. */
  onSecAgg(clientId: string, msg: SecAggClientMessage): void {
    this.desk.onSecAgg(clientId, msg);
  }

  /** Counts a rejection against the open phase (for the round summary). */
  noteRejected(): void {
    this.desk.noteRejected();
  }

  // ---- the loop ----------------------------------------------------------------------------

  private async loop(): Promise<void> {
    const { config, logger } = this.d;
    while (!this.stopped) {
      const round = this.committedRound + 1 + this.abandonedSinceCommit;
      if (config.rounds > 0 && round > config.rounds) break;
      await this.pacing.waitForClients();
      if (this.stopped) break;
      const q = config.samplingRate ?? Math.min(1, config.clientsPerRound / this.d.registry.size);
      const planned = config.dp === 'distributed' && config.noiseMultiplier > 0 ? plannedSkellamEvent(config, this.d.clipNorm.value, q, this.d.registry.size, this.model.params.length) : null;
      const refusal = this.d.ledger.refusal(q, config.noiseMultiplier, planned);
      if (refusal) {
        this.state = 'budget-exhausted';
        logger.warn({ event: 'budget-exhausted', round, ...refusal }, `privacy budget exhausted: round ${round} would spend ε=${refusal.epsilonAfter.toFixed(4)} > ${refusal.budgetEpsilon}`);
        this.emit('budget-exhausted', refusal);
        break;
      }
      const summary = await this.runRound(round, q);
      this.tally[summary.committed ? 'committed' : 'abandoned']++;
      this.emit('round', summary);
      logger.info({ event: 'round-summary', ...summary }, describeRound(summary));
      if (config.interRoundDelayMs > 0 && !this.stopped) await this.pacing.pause(config.interRoundDelayMs);
    }
    if (this.state !== 'budget-exhausted') this.state = 'done';
    if (!this.stopped) announceFinished(this.d, this.transport, { state: this.state, round: this.committedRound, modelVersion: this.modelVersion, tally: this.tally });
    this.emit('done');
  }

  private async runRound(round: number, q: number): Promise<RoundSummary> {
    const started = Date.now();
    const { config, aggregator } = this.d;
    const population = this.d.registry.size;
    aggregator.begin(this.model.params.length, { round, samplingRate: q, population });
    const { phase: train, secure } = await this.phases.run(round, 'train', q, config.roundDeadlineMs);
    const { abandonedBy, measurements } = await settleRound(this.outcomeDeps, round, train, secure);
    const committed = abandonedBy === null;
    if (!committed) this.abandonedSinceCommit++;
    this.broadcastResult(train, committed);
    let evaluation: RoundSummary['evaluation'] = null;
    const every = config.evaluation.every;
    if (committed && every > 0 && (round % every === 0 || round === config.rounds) && !this.stopped) {
      const qe = Math.min(1, config.evaluation.clientsPerRound / this.d.registry.size);
      const ev = (await this.phases.run(round, 'evaluate', qe, config.evaluation.deadlineMs)).phase;
      const n = ev.metrics.n;
      // No answer (no selected device could evaluate) is no measurement, not a score of 0.
      evaluation = n ? { clients: n, hr10: ev.metrics.hr10 / n, ndcg10: ev.metrics.ndcg10 / n } : null;
      if (n) this.evaluationsReleased++;
    }
    return summarizeRound({ round, train, secure, measurements, abandonedBy, evaluation, started, clipNorm: this.d.clipNorm.value, modelVersion: this.modelVersion, epsilon: this.d.ledger.epsilon() });
  }

  /** Commits durably (or throws, rolled back), then moves the round and version on. */
  private async commit(round: number, mean: Float64Array, events: PrivacyEvents): Promise<void> {
    await commitDurably(this.d, round, this.modelVersion + 1, mean, events);
    this.committedRound = round;
    this.abandonedSinceCommit = 0;
    this.modelVersion++;
  }

  /** Tells every client offered the round how it ended (a secure client waits for it if never asked to unmask). */
  private broadcastResult(p: Phase, committed: boolean): void {
    const frame = encodeMessage({ type: 'roundResult', round: p.round, committed, modelVersion: this.modelVersion });
    for (const id of p.offered) this.transport?.send(id, frame);
  }
}
