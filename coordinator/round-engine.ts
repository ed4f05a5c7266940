// The round engine: sample → offer → collect until everyone answered or the deadline → aggregate →
// commit (checkpoint, ledger) → optionally evaluate. It knows nothing of sockets: the server hands
// it validated messages and a Transport to answer through.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { float32ToBytes } from '../shared/protocol/binary.js';
import { decodeUpdate } from '../shared/protocol/update-encoding.js';
import { encodeMessage } from '../shared/protocol/codec.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { MetricsMessage, Task, UpdateMessage, WaitMessage } from '../shared/protocol/messages.js';
import type { MfModel } from '../shared/model/mf-model.js';
import type { Catalogue } from '../shared/model/catalogue.js';
import type { ClipNormController } from './aggregation/adaptive-clip.js';
import type { AggregationStage } from './aggregation/stage.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { CoordinatorConfig } from './config.js';
import { isComplete, openPhase, type Phase } from './phase.js';
import { admitAnswer } from './round-check.js';
import type { PrivacyLedger } from './privacy-ledger.js';
import type { ClientRegistry } from './registry.js';
import type { ServerStrategy } from './strategies/strategy.js';

export interface Transport {
  /** Sends a frame to a connected client; false when it is not connected. */
  send(clientId: string, frame: Uint8Array): boolean;
  /** Ids of connected clients that joined in persistent mode. */
  persistentClients(): Iterable<string>;
  /** Tasks a connected client said it can do (null when it is not connected). */
  tasksOf(clientId: string): readonly Task[] | null;
}

export interface RoundSummary {
  round: number;
  committed: boolean;
  sampled: number;
  reported: number;
  dropped: number;
  late: number;
  rejected: number;
  clippedFraction: number;
  meanUpdateNorm: number;
  /** Clip norm this round used (it moves under adaptive clipping). */
  clipNorm: number;
  noiseStddev: number;
  seconds: number;
  modelVersion: number;
  epsilon: number;
  evaluation: { clients: number; hr10: number; ndcg10: number } | null;
}

export interface RoundStatus {
  round: number;
  phase: Task | 'idle' | 'done' | 'budget-exhausted';
  open: boolean;
  seed: string | null;
  samplingRate: number;
  modelVersion: number;
  registered: number;
}

export interface EngineDeps {
  config: CoordinatorConfig;
  model: MfModel;
  catalogue: Catalogue;
  strategy: ServerStrategy;
  aggregator: AggregationStage;
  registry: ClientRegistry;
  store: CheckpointStore | null;
  ledger: PrivacyLedger;
  /** The current clip norm (fixed, or moved by adaptive clipping); checkpointed. */
  clipNorm: ClipNormController;
  logger: Logger;
  /** Last committed round and model version (from a checkpoint, or 0). */
  round: number;
  modelVersion: number;
}

const RETRY_NO_ROUND_MS = 1_000;

export class RoundEngine extends EventEmitter {
  readonly config: CoordinatorConfig;
  readonly model: MfModel;
  readonly catalogue: Catalogue;
  private readonly d: EngineDeps;
  private transport: Transport | null = null;
  private phase: Phase | null = null;
  private lastClosed: { round: number; task: Task } | null = null;
  private committedRound: number;
  private modelVersion: number;
  private state: RoundStatus['phase'] = 'idle';
  private stopped = false;
  private wake: (() => void) | null = null;
  private closePhase: (() => void) | null = null;
  private running: Promise<void> | null = null;
  /** Evaluation averages published so far: not noised and not in the ledger (GET /privacy says so). */
  evaluationsReleased = 0;
  /** One aligned buffer for decoding updates; the aggregator consumes each update synchronously. */
  private readonly scratch: Float32Array;

  constructor(deps: EngineDeps) {
    super();
    this.d = deps;
    this.config = deps.config;
    this.model = deps.model;
    this.catalogue = deps.catalogue;
    this.committedRound = deps.round;
    this.modelVersion = deps.modelVersion;
    this.scratch = new Float32Array(deps.model.params.length);
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
    const p = this.phase;
    return {
      round: p?.round ?? this.committedRound,
      phase: p?.task ?? this.state,
      open: p !== null,
      seed: p?.seed ?? null,
      samplingRate: p?.samplingRate ?? 0,
      modelVersion: this.modelVersion,
      registered: this.d.registry.size,
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
    this.closePhase?.();
    await this.running;
  }

  // ---- messages from the server ------------------------------------------------------------

  /** Whether a client id may join: always with open registration, else only enrolled ids. */
  admits(clientId: string): boolean {
    return this.config.registration === 'open' || this.d.registry.has(clientId);
  }

  /** A client joined (or checked in): register it and offer it the open phase if it was picked. */
  onJoin(clientId: string): void {
    if (this.d.registry.add(clientId)) this.wake?.();
    this.offerIfSelected(clientId, true);
  }

  onLeave(clientId: string, forget: boolean): void {
    this.onDisconnect(clientId);
    if (forget) this.d.registry.remove(clientId);
  }

  onDisconnect(clientId: string): void {
    const p = this.phase;
    if (p && p.offered.has(clientId) && !p.reported.has(clientId)) {
      p.dropped.add(clientId);
      this.d.logger.info({ event: 'client-dropped', round: p.round, task: p.task, clientId }, 'selected client disconnected mid-round');
      if (isComplete(p)) this.closePhase?.();
    }
  }

  onUpdate(clientId: string, msg: UpdateMessage): void {
    const p = admitAnswer({ phase: this.phase, lastClosed: this.lastClosed, committedRound: this.committedRound }, clientId, msg.round, 'train');
    try {
      if (msg.modelVersion !== p.modelVersion) {
        throw new FedrecError(ErrorCodes.MODEL_VERSION_MISMATCH, `update is for model version ${msg.modelVersion}; round ${p.round} trains version ${p.modelVersion}`, { round: p.round });
      }
      let delta: Float32Array;
      const encoding = msg.encoding ?? 'f32';
      try {
        delta = decodeUpdate(msg.delta, encoding, msg.scale ?? 1, this.scratch);
      } catch {
        throw new FedrecError(ErrorCodes.WRONG_SIZE, `update.delta has ${msg.delta.byteLength} bytes, not a whole number of ${encoding} values`, { round: p.round });
      }
      this.d.aggregator.accept(delta, 1, { clientId, norm: 0, clientClipped: msg.clipped }); // throws before any state change
    } catch (err) {
      // Counted against the round like admitAnswer's refusals; the aggregator's errors (wrong size,
      // non-finite) do not know the round, so tag them with it as every other update error is.
      p.rejected++;
      if (err instanceof FedrecError && err.round === undefined) throw new FedrecError(err.code, err.message, { round: p.round, cause: err });
      throw err;
    }
    p.reported.add(clientId);
    if (msg.clipped) p.clientClipped++;
    this.transport?.send(clientId, encodeMessage({ type: 'ack', round: p.round }));
    if (isComplete(p)) this.closePhase?.();
  }

  onMetrics(clientId: string, msg: MetricsMessage): void {
    const p = admitAnswer({ phase: this.phase, lastClosed: this.lastClosed, committedRound: this.committedRound }, clientId, msg.round, 'evaluate');
    if (msg.modelVersion !== p.modelVersion) {
      p.rejected++;
      throw new FedrecError(ErrorCodes.MODEL_VERSION_MISMATCH, `metrics are for model version ${msg.modelVersion}; the evaluation is of version ${p.modelVersion}`, { round: p.round });
    }
    p.reported.add(clientId);
    p.metrics.hr10 += msg.hr10;
    p.metrics.ndcg10 += msg.ndcg10;
    p.metrics.n++;
    this.transport?.send(clientId, encodeMessage({ type: 'ack', round: p.round }));
    if (isComplete(p)) this.closePhase?.();
  }

  /** Counts a rejection against the open phase (for the round summary). */
  noteRejected(): void {
    if (this.phase) this.phase.rejected++;
  }

  private offerIfSelected(clientId: string, answerWhenNot: boolean): void {
    const p = this.phase;
    let wait: WaitMessage | null = null;
    if (!p) wait = { type: 'wait', reason: 'no-open-round', retryAfterMs: RETRY_NO_ROUND_MS };
    else if (p.reported.has(clientId)) wait = { type: 'wait', reason: 'already-reported', retryAfterMs: Math.max(0, p.deadlineAt - Date.now()) };
    else if (!p.selected.has(clientId)) wait = { type: 'wait', reason: 'not-selected', retryAfterMs: Math.max(0, p.deadlineAt - Date.now()) };
    else if (this.transport && !this.transport.tasksOf(clientId)?.includes(p.task)) {
      // e.g. a real user's device that keeps no held-out item cannot evaluate: do not wait for it.
      p.dropped.add(clientId);
      wait = { type: 'wait', reason: 'unsupported-task', retryAfterMs: Math.max(0, p.deadlineAt - Date.now()) };
      if (isComplete(p)) this.closePhase?.();
    }
    if (wait) {
      if (answerWhenNot) this.transport?.send(clientId, encodeMessage(wait));
      return;
    }
    if (this.transport?.send(clientId, p!.offerFrame)) {
      p!.offered.add(clientId);
      p!.dropped.delete(clientId); // a reconnecting client gets another chance within the deadline
    }
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
      const refusal = this.d.ledger.refusal(q, config.noiseMultiplier);
      if (refusal) {
        this.state = 'budget-exhausted';
        logger.warn({ event: 'budget-exhausted', round, ...refusal }, `privacy budget exhausted: round ${round} would spend ε=${refusal.epsilonAfter.toFixed(4)} > ${refusal.budgetEpsilon}`);
        this.emit('budget-exhausted', refusal);
        break;
      }
      const summary = await this.runRound(round, q);
      this.emit('round', summary);
      logger.info({ event: 'round-summary', ...summary }, `round ${round} ${summary.committed ? 'committed' : 'abandoned'}`);
      if (config.interRoundDelayMs > 0 && !this.stopped) await sleep(config.interRoundDelayMs);
    }
    if (this.state !== 'budget-exhausted') this.state = 'done';
    this.emit('done');
  }

  private abandonedSinceCommit = 0;

  private async waitForClients(): Promise<void> {
    while (!this.stopped && this.d.registry.size < this.config.minClients) {
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
    const train = await this.runPhase(round, 'train', q, config.roundDeadlineMs);
    const committed = train.reported.size >= config.minReports && !this.stopped;
    let measurements: Record<string, number> = {};
    if (committed) {
      const result = aggregator.finish();
      measurements = result.measurements;
      this.d.strategy.apply(this.model.params, result.value);
      this.d.ledger.record(result.events);
      // Committed means durable: the new round and version become visible only once on disk.
      await this.checkpoint(round, this.modelVersion + 1);
      this.committedRound = round;
      this.abandonedSinceCommit = 0;
      this.modelVersion++;
    } else {
      this.abandonedSinceCommit++;
      logger.warn({ event: 'round-abandoned', round, reported: train.reported.size, minReports: config.minReports }, `round ${round} abandoned: ${train.reported.size} of ${config.minReports} needed reports`);
    }
    this.broadcastResult(train, committed);
    let evaluation: RoundSummary['evaluation'] = null;
    const every = config.evaluation.every;
    if (committed && every > 0 && (round % every === 0 || round === config.rounds) && !this.stopped) {
      const qe = Math.min(1, config.evaluation.clientsPerRound / this.d.registry.size);
      const ev = await this.runPhase(round, 'evaluate', qe, config.evaluation.deadlineMs);
      const n = ev.metrics.n;
      // No answer (no selected device could evaluate) is no measurement, not a score of 0.
      evaluation = n ? { clients: n, hr10: ev.metrics.hr10 / n, ndcg10: ev.metrics.ndcg10 / n } : null;
      if (n) this.evaluationsReleased++;
    }
    const reported = train.reported.size;
    return {
      round,
      committed,
      sampled: train.selected.size,
      reported,
      dropped: train.dropped.size,
      late: train.late,
      rejected: train.rejected,
      clippedFraction: reported ? Math.max(train.clientClipped, measurements.clippedByCoordinator ?? 0) / reported : 0,
      meanUpdateNorm: measurements.meanUpdateNorm ?? 0,
      clipNorm: measurements.clipNorm ?? this.d.clipNorm.value,
      noiseStddev: measurements.noiseStddev ?? 0,
      seconds: (Date.now() - started) / 1000,
      modelVersion: this.modelVersion,
      epsilon: this.d.ledger.epsilon(),
      evaluation,
    };
  }

  /** Opens a phase, offers it to connected persistent clients that were picked, waits for it to close. */
  private async runPhase(round: number, task: Task, q: number, deadlineMs: number): Promise<Phase> {
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
    });
    const { selected, seed } = p;
    this.phase = p;
    this.d.logger.info({ event: 'phase-open', round, task, samplingRate: q, population: p.population, selected: selected.size, modelVersion: this.modelVersion, deadlineMs }, `round ${round} ${task}: ${selected.size} of ${p.population} clients selected (q=${q.toPrecision(3)})`);
    this.emit('phase-open', { round, task, seed, samplingRate: q, selected: selected.size });
    for (const id of this.transport?.persistentClients() ?? []) if (selected.has(id)) this.offerIfSelected(id, false);
    if (selected.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.d.logger.info({ event: 'deadline', round, task, reported: p.reported.size, selected: selected.size }, `round ${round} ${task} deadline`);
          resolve();
        }, deadlineMs);
        this.closePhase = () => {
          clearTimeout(timer);
          resolve();
        };
        // Offers at open may already have settled it (e.g. every selected device lacks the task).
        if (isComplete(p)) this.closePhase();
      });
    }
    this.closePhase = null;
    this.phase = null;
    this.lastClosed = { round, task };
    return p;
  }

  private broadcastResult(p: Phase, committed: boolean): void {
    const frame = encodeMessage({ type: 'roundResult', round: p.round, committed, modelVersion: this.modelVersion, participants: p.reported.size });
    for (const id of p.reported) this.transport?.send(id, frame);
  }

  private async checkpoint(round: number, modelVersion: number): Promise<void> {
    const { store, registry } = this.d;
    if (!store) return;
    await store.save({
      round,
      modelVersion,
      model: this.model,
      itemIds: this.catalogue.itemIds,
      strategy: { name: this.d.strategy.name, state: this.d.strategy.snapshot() },
      privacy: this.d.ledger.snapshot(),
      clipNorm: this.d.clipNorm.value,
      savedAt: new Date().toISOString(),
    });
    await registry.save();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
