// The round engine: sample → offer → collect until everyone answered or the deadline → aggregate →
// commit (checkpoint, ledger) → optionally evaluate. It knows nothing of sockets: the server hands
// it validated messages and a Transport to answer through.

import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { float32ToBytes } from '../shared/protocol/binary.js';
import { encodeMessage } from '../shared/protocol/codec.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { DeclineMessage, MetricsMessage, Task, UpdateMessage, WaitMessage } from '../shared/protocol/messages.js';
import type { Curve, SecAggClientMessage, SecureOffer } from '../shared/protocol/secagg-messages.js';
import type { MfModel } from '../shared/model/mf-model.js';
import type { Catalogue } from '../shared/model/catalogue.js';
import type { CoordinatorConfig } from './config.js';
import { isComplete, openPhase, type Phase } from './phase.js';
import type { Admission } from './registry.js';
import { runSecureStages, type SecureOutcome } from './secagg/secure-phase.js';
import { SecureRound } from './secagg/secure-round.js';
import { plannedSkellamEvent } from './secagg/distributed-round.js';
import type { EngineDeps, RoundStatus, RoundSummary, Transport } from './engine-types.js';
import { commitDurably, type PrivacyEvents } from './round-commit.js';
import { describeRound, summarizeRound } from './round-summary.js';
import { Availability } from './availability.js';
import { PhaseDesk } from './phase-desk.js';
import type { JoinMode } from '../shared/protocol/messages.js';

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
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;
  /** Evaluation averages published so far: not noised and not in the ledger (GET /privacy says so). */
  evaluationsReleased = 0;
  /** The open phase and the answers to it. */
  private readonly desk: PhaseDesk;
  /** Who could take part now; rounds start only when it reaches minClients. */
  private readonly availability: Availability;

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
    this.wake?.();
    this.wakePause?.();
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
    this.wake?.();
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
      await this.waitForClients();
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
      if (config.interRoundDelayMs > 0 && !this.stopped) await this.pause(config.interRoundDelayMs);
    }
    if (this.state !== 'budget-exhausted') this.state = 'done';
    if (!this.stopped) {
      // Connected devices would otherwise wait for offers that never come.
      const frame = encodeMessage({ type: 'wait', reason: this.state, retryAfterMs: 0 } satisfies WaitMessage);
      for (const id of this.transport?.persistentClients() ?? []) this.transport?.send(id, frame);
      const eps = this.d.ledger.epsilon();
      const spent = Number.isFinite(eps) ? `ε ${eps.toPrecision(3)} at δ ${this.config.privacy.budget?.delta ?? this.config.privacy.delta}` : 'ε ∞ (no noise)';
      const why = this.state === 'done' ? 'all rounds done' : 'privacy budget exhausted';
      logger.info({ event: 'finished', state: this.state, round: this.committedRound, modelVersion: this.modelVersion, epsilon: eps, ...this.tally }, `${why}: model v${this.modelVersion} after round ${this.committedRound} (this run: ${this.tally.committed} committed, ${this.tally.abandoned} abandoned), ${spent}; no more training, still serving the model and GET /privacy, /round`);
    }
    this.emit('done');
  }

  private abandonedSinceCommit = 0;
  private wakePause: (() => void) | null = null;

  /** The pause between rounds, cut short by stop() (Ctrl-C must not wait it out). */
  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakePause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakePause = null;
  }
  /** Rounds this process ran, for the final summary line. */
  private readonly tally = { committed: 0, abandoned: 0 };

  private available(): number {
    return this.availability.count(this.transport?.persistentClients() ?? []);
  }

  /** Rounds start only when minClients devices are here: a round offered to absent ids only times out. */
  private async waitForClients(): Promise<void> {
    const { minClients } = this.config;
    let said = -1;
    while (!this.stopped) {
      const here = this.available();
      if (here >= minClients && this.d.registry.size >= minClients) return;
      if (here !== said) {
        said = here;
        this.d.logger.info({ event: 'waiting-for-clients', connected: here, minClients }, `waiting for clients: ${here} of ${minClients} connected`);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 1_000).unref();
      });
      this.wake = null;
    }
  }

  private async runRound(round: number, q: number): Promise<RoundSummary> {
    const started = Date.now();
    const { config, aggregator, logger } = this.d;
    const population = this.d.registry.size;
    aggregator.begin(this.model.params.length, { round, samplingRate: q, population });
    const { phase: train, secure } = await this.runPhase(round, 'train', q, config.roundDeadlineMs);
    let abandonedBy: string | null = null;
    let measurements: Record<string, number> = {};
    if (this.stopped) abandonedBy = ErrorCodes.SHUTTING_DOWN;
    else if (secure && !secure.ok) {
      abandonedBy = secure.code;
      logger.warn({ event: 'round-abandoned', round, code: secure.code }, `round ${round} abandoned: ${secure.reason}`);
    } else if (train.reported.size < config.minReports) {
      abandonedBy = ErrorCodes.TOO_FEW_REPORTS;
      logger.warn({ event: 'round-abandoned', round, code: abandonedBy, minReports: config.minReports }, `round ${round} abandoned: fewer than ${config.minReports} reports`);
    } else {
      try {
        if (secure?.ok) this.d.secureLeaf!.provide(secure.sum, secure.survivors, secure.scale, secure.distributed);
        const result = aggregator.finish();
        measurements = result.measurements;
        await this.commit(round, result.value, result.events);
      } catch (err) {
        // A bad sum or a failed checkpoint write abandons the round; the coordinator keeps serving.
        abandonedBy = err instanceof FedrecError ? err.code : ErrorCodes.INTERNAL;
        logger.error({ event: 'round-abandoned', round, code: abandonedBy, err: err instanceof FedrecError ? undefined : err }, `round ${round} abandoned: ${(err as Error).message}`);
      }
    }
    const committed = abandonedBy === null;
    if (!committed) this.abandonedSinceCommit++;
    this.broadcastResult(train, committed);
    let evaluation: RoundSummary['evaluation'] = null;
    const every = config.evaluation.every;
    if (committed && every > 0 && (round % every === 0 || round === config.rounds) && !this.stopped) {
      const qe = Math.min(1, config.evaluation.clientsPerRound / this.d.registry.size);
      const ev = (await this.runPhase(round, 'evaluate', qe, config.evaluation.deadlineMs)).phase;
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

  /** Opens a phase, offers it to connected persistent clients that were picked, waits for it to close. */
  private async runPhase(round: number, task: Task, q: number, deadlineMs: number): Promise<{ phase: Phase; secure: SecureOutcome | null }> {
    const secureOffer: SecureOffer | undefined = task === 'train' && this.secureMode ? { curve: 'x25519', session: randomBytes(16) } : undefined;
    const p = openPhase({
      round,
      task,
      samplingRate: q,
      samplingSeed: this.config.samplingSeed,
      registry: this.d.registry,
      deadlineMs,
      offer: {
        modelVersion: this.modelVersion,
        shape: { items: this.model.items, dim: this.model.dim },
        catalogueVersion: this.catalogue.version,
        params: float32ToBytes(this.model.params),
        config: { ...this.config.round, clipNorm: this.d.clipNorm.value },
      },
      secure: secureOffer ? (selected) => ({ ...secureOffer, curve: this.chooseCurve(selected) }) : undefined,
    });
    const { selected, seed } = p;
    this.desk.phase = p;
    const words = this.model.params.length + 1;
    const r = p.secure ? new SecureRound({ round, modelVersion: this.modelVersion, words, curve: p.secure.curve, send: (id, m) => this.transport?.send(id, encodeMessage(m)) ?? false }) : null;
    this.desk.secure = r;
    this.d.logger.info({ event: 'phase-open', round, task, samplingRate: q, population: p.population, selected: selected.size, modelVersion: this.modelVersion, deadlineMs, aggregation: r ? 'secure' : task === 'train' ? 'plaintext' : undefined }, `round ${round} ${task}: ${selected.size} of ${p.population} clients selected (q=${q.toPrecision(3)})`);
    this.emit('phase-open', { round, task, seed, samplingRate: q, selected: selected.size });
    // A persistent device (a browser, `fedrec client`) that is not connected is offline: count it as
    // dropped now rather than hold the key stage to its deadline for it. It rejoins a later round.
    for (const id of selected) if (this.availability.isPersistent(id) && this.transport?.tasksOf(id) === null) p.dropped.add(id);
    for (const id of this.transport?.persistentClients() ?? []) if (selected.has(id)) this.desk.offerIfSelected(id, false);
    let outcome: SecureOutcome | null = null;
    if (r) {
      outcome = await runSecureStages(r, {
        config: this.config,
        logger: this.d.logger,
        expander: this.d.expander,
        clipNorm: this.d.clipNorm.value,
        curve: p.secure!.curve,
        session: p.secure!.session,
        deadlineAt: p.deadlineAt,
        keysSettled: () => [...selected].every((id) => r.byClient.has(id) || p.dropped.has(id)),
        stopped: () => this.stopped,
      });
      r.close();
    } else if (selected.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.d.logger.info({ event: 'deadline', round, task, reported: p.reported.size, selected: selected.size }, `round ${round} ${task} deadline`);
          resolve();
        }, deadlineMs);
        this.desk.closePhase = () => {
          clearTimeout(timer);
          resolve();
        };
        // Offers at open may already have settled it (e.g. every selected device lacks the task).
        if (isComplete(p)) this.desk.closePhase();
      });
    }
    this.desk.closePhase = null;
    this.desk.phase = null;
    this.desk.secure = null;
    this.desk.lastClosed = { round, task };
    return { phase: p, secure: outcome };
  }

  /** x25519 unless a selected device that is connected has only p256 (older browsers). */
  private chooseCurve(selected: Set<string>): Curve {
    const c = this.config.secureAggregation.curve;
    if (c !== 'auto') return c;
    for (const id of selected) {
      const curves = this.transport?.curvesOf(id);
      if (curves && curves.length > 0 && !curves.includes('x25519')) return 'p256';
    }
    return 'x25519';
  }

  /** Tells every client offered the round how it ended (a secure client waits for it if never asked to unmask). */
  private broadcastResult(p: Phase, committed: boolean): void {
    const frame = encodeMessage({ type: 'roundResult', round: p.round, committed, modelVersion: this.modelVersion });
    for (const id of p.offered) this.transport?.send(id, frame);
  }
}


