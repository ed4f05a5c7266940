// Runs one phase of a round (train or evaluate): open it (Poisson sample, the secure offer and its
// curve), offer it to the picked devices that are connected, collect until every one answered or
// the deadline, then close it. The secure path runs its stages in secagg/secure-phase.ts; the
// answers themselves are settled by the desk (phase-desk.ts) while the phase is open.

import { randomBytes } from 'node:crypto';
import { float32ToBytes } from '../shared/protocol/binary.js';
import { encodeMessage } from '../shared/protocol/codec.js';
import type { Task } from '../shared/protocol/messages.js';
import type { Curve, SecureOffer } from '../shared/protocol/secagg-messages.js';
import type { Availability } from './availability.js';
import type { EngineDeps, Transport } from './engine-types.js';
import { isComplete, openPhase, type Phase } from './phase.js';
import type { PhaseDesk } from './phase-desk.js';
import { runSecureStages, type SecureOutcome } from './secagg/secure-phase.js';
import { SecureRound } from './secagg/secure-round.js';

/** What the engine publishes as 'phase-open' (the dashboard and metrics listen). */
export interface PhaseOpened {
  round: number;
  task: Task;
  seed: string;
  samplingRate: number;
  selected: number;
}

export interface PhaseRunnerDeps {
  engine: Pick<EngineDeps, 'config' | 'registry' | 'model' | 'catalogue' | 'clipNorm' | 'logger' | 'secaggCrypto'>;
  desk: PhaseDesk;
  availability: Availability;
  transport: () => Transport | null;
  modelVersion: () => number;
  stopped: () => boolean;
  /** Called once the phase is open and logged, before anything is offered. */
  onOpen: (e: PhaseOpened) => void;
}

export interface PhaseRun {
  phase: Phase;
  secure: SecureOutcome | null;
}

export class PhaseRunner {
  constructor(private readonly d: PhaseRunnerDeps) {}

  /** Opens a phase, offers it to connected persistent clients that were picked, waits for it to close. */
  async run(round: number, task: Task, q: number, deadlineMs: number): Promise<PhaseRun> {
    const { config, model, logger } = this.d.engine;
    const { desk } = this.d;
    const transport = () => this.d.transport();
    const modelVersion = this.d.modelVersion();
    const secureOffer: SecureOffer | undefined = task === 'train' && config.aggregation === 'secure' ? { curve: 'x25519', session: randomBytes(16) } : undefined;
    const p = openPhase({
      round,
      task,
      samplingRate: q,
      samplingSeed: config.samplingSeed,
      registry: this.d.engine.registry,
      deadlineMs,
      offer: {
        modelVersion,
        shape: { items: model.items, dim: model.dim },
        catalogueVersion: this.d.engine.catalogue.version,
        params: float32ToBytes(model.params),
        config: { ...config.round, clipNorm: this.d.engine.clipNorm.value },
      },
      secure: secureOffer ? (selected) => ({ ...secureOffer, curve: this.chooseCurve(selected) }) : undefined,
    });
    const { selected, seed } = p;
    desk.phase = p;
    const words = model.params.length + 1;
    const r = p.secure ? new SecureRound({ round, modelVersion, words, curve: p.secure.curve, send: (id, m) => transport()?.send(id, encodeMessage(m)) ?? false, checkKey: this.d.engine.secaggCrypto.checkPublicKey }) : null;
    desk.secure = r;
    logger.info({ event: 'phase-open', round, task, samplingRate: q, population: p.population, selected: selected.size, modelVersion, deadlineMs, aggregation: r ? 'secure' : task === 'train' ? 'plaintext' : undefined }, `round ${round} ${task}: ${selected.size} of ${p.population} clients selected (q=${q.toPrecision(3)})`);
    this.d.onOpen({ round, task, seed, samplingRate: q, selected: selected.size });
    // A persistent device (a browser, `fedrec client`) that is not connected is offline: count it as
    // dropped now rather than hold the key stage to its deadline for it. It rejoins a later round.
    for (const id of selected) if (this.d.availability.isPersistent(id) && transport()?.tasksOf(id) === null) p.dropped.add(id);
    for (const id of transport()?.persistentClients() ?? []) if (selected.has(id)) desk.offerIfSelected(id, false);
    let outcome: SecureOutcome | null = null;
    if (r) {
      outcome = await runSecureStages(r, {
        config,
        logger,
        crypto: this.d.engine.secaggCrypto,
        clipNorm: this.d.engine.clipNorm.value,
        curve: p.secure!.curve,
        session: p.secure!.session,
        deadlineAt: p.deadlineAt,
        keysSettled: () => [...selected].every((id) => r.byClient.has(id) || p.dropped.has(id)),
        stopped: this.d.stopped,
      });
      r.close();
    } else if (selected.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.info({ event: 'deadline', round, task, reported: p.reported.size, selected: selected.size }, `round ${round} ${task} deadline`);
          resolve();
        }, deadlineMs);
        desk.closePhase = () => {
          clearTimeout(timer);
          resolve();
        };
        // Offers at open may already have settled it (e.g. every selected device lacks the task).
        if (isComplete(p)) desk.closePhase();
      });
    }
    desk.closePhase = null;
    desk.phase = null;
    desk.secure = null;
    desk.lastClosed = { round, task };
    return { phase: p, secure: outcome };
  }

  /** x25519 unless a selected device that is connected has only p256 (older browsers). */
  private chooseCurve(selected: Set<string>): Curve {
    const c = this.d.engine.config.secureAggregation.curve;
    if (c !== 'auto') return c;
    for (const id of selected) {
      const curves = this.d.transport()?.curvesOf(id);
      if (curves && curves.length > 0 && !curves.includes('x25519')) return 'p256';
    }
    return 'x25519';
  }
}
