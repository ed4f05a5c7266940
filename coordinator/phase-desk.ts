// The open phase and the answers devices send to it: offers, updates, metrics, declines, secure-
// aggregation messages and disconnects. The round engine opens and closes phases (phase-runner.ts);
// this desk holds the one that is open and settles what each message means for it.

import type { Logger } from 'pino';
import { encodeMessage } from '../shared/protocol/codec.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { DeclineMessage, MetricsMessage, Task, UpdateMessage, WaitMessage } from '../shared/protocol/messages.js';
import type { SecAggClientMessage } from '../shared/protocol/secagg-messages.js';
import type { AggregationStage } from './aggregation/stage.js';
import type { Transport } from './engine-types.js';
import { isComplete, type Phase } from './phase.js';
import { acceptMetrics, acceptUpdate } from './plain-answers.js';
import { admitAnswer } from './round-check.js';
import type { SecureRound } from './secagg/secure-round.js';

/** How long a device with no open round waits before it checks in again. */
const RETRY_NO_ROUND_MS = 1_000;

export interface DeskDeps {
  logger: Logger;
  aggregator: AggregationStage;
  transport: () => Transport | null;
  committedRound: () => number;
  /** One aligned buffer for decoding updates; the aggregator consumes each update synchronously. */
  scratch: Float32Array;
}

export class PhaseDesk {
  phase: Phase | null = null;
  /** The secure aggregation of the open train phase, if any. */
  secure: SecureRound | null = null;
  lastClosed: { round: number; task: Task } | null = null;
  /** Ends the open phase's wait early (everyone answered, or stop()). */
  closePhase: (() => void) | null = null;

  constructor(private readonly d: DeskDeps) {}

  private transport(): Transport | null {
    return this.d.transport();
  }

  onDisconnect(clientId: string): void {
    this.secure?.onDisconnect(clientId);
    const p = this.phase;
    if (p && p.offered.has(clientId) && !p.reported.has(clientId)) {
      p.dropped.add(clientId);
      this.d.logger.info({ event: 'client-dropped', round: p.round, task: p.task, clientId }, 'selected client disconnected mid-round');
      if (isComplete(p)) this.closePhase?.();
      this.secure?.poke();
    }
  }

  onUpdate(clientId: string, msg: UpdateMessage): void {
    const p = admitAnswer(this.position(), clientId, msg.round, 'train');
    if (this.secure) {
      p.rejected++;
      throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, `round ${p.round} runs secure aggregation: send sa-masked, not a plaintext update`, { round: p.round });
    }
    acceptUpdate(p, clientId, msg, this.d.aggregator, this.d.scratch);
    this.transport()?.send(clientId, encodeMessage({ type: 'ack', round: p.round }));
    if (isComplete(p)) this.closePhase?.();
  }

  onMetrics(clientId: string, msg: MetricsMessage): void {
    const p = admitAnswer(this.position(), clientId, msg.round, 'evaluate');
    acceptMetrics(p, clientId, msg);
    this.transport()?.send(clientId, encodeMessage({ type: 'ack', round: p.round }));
    if (isComplete(p)) this.closePhase?.();
  }

  /** A device that cannot do its task: stop waiting for it (as for a drop, but it stays connected). */
  onDecline(clientId: string, msg: DeclineMessage): void {
    const p = admitAnswer(this.position(), clientId, msg.round, msg.task);
    if (!p.offered.has(clientId) || p.reported.has(clientId) || p.dropped.has(clientId)) return;
    p.dropped.add(clientId);
    p.declined++;
    this.d.logger.info({ event: 'client-declined', round: p.round, task: p.task, clientId }, `a selected client could not do round ${p.round}'s ${p.task} task`);
    this.secure?.onDisconnect(clientId);
    if (isComplete(p)) this.closePhase?.();
    this.secure?.poke();
  }

  /** A secure-aggregation message: routed to the open secure round's stage, or refused with a code. */
  onSecAgg(clientId: string, msg: SecAggClientMessage): void {
    const r = this.secure;
    const p = this.phase;
    if (!r || !p || p.round !== msg.round) {
      admitAnswer(this.position(), clientId, msg.round, 'train'); // throws the late/stale/unknown/wrong-task code
      throw new FedrecError(ErrorCodes.SECAGG_WRONG_STAGE, `round ${msg.round} runs no secure aggregation`, { round: msg.round });
    }
    try {
      switch (msg.type) {
        case 'sa-keys':
          if (!p.offered.has(clientId)) throw new FedrecError(ErrorCodes.NOT_SELECTED, `client was not offered round ${p.round}`, { round: p.round });
          r.onKeys(clientId, msg);
          r.poke();
          return;
        case 'sa-shares':
          return r.onShares(clientId, msg);
        case 'sa-masked':
          r.onMasked(clientId, msg);
          p.reported.add(clientId);
          this.transport()?.send(clientId, encodeMessage({ type: 'ack', round: p.round }));
          return;
        case 'sa-unmask':
          return r.onUnmask(clientId, msg);
      }
    } catch (err) {
      p.rejected++;
      throw err;
    }
  }

  position() {
    return { phase: this.phase, lastClosed: this.lastClosed, committedRound: this.d.committedRound() };
  }

  /** Counts a rejection against the open phase (for the round summary). */
  noteRejected(): void {
    if (this.phase) this.phase.rejected++;
  }

  offerIfSelected(clientId: string, answerWhenNot: boolean): void {
    const p = this.phase;
    let wait: WaitMessage | null = null;
    if (!p) wait = { type: 'wait', reason: 'no-open-round', retryAfterMs: RETRY_NO_ROUND_MS };
    else if (p.reported.has(clientId)) wait = { type: 'wait', reason: 'already-reported', retryAfterMs: Math.max(0, p.deadlineAt - Date.now()) };
    else if (!p.selected.has(clientId)) wait = { type: 'wait', reason: 'not-selected', retryAfterMs: Math.max(0, p.deadlineAt - Date.now()) };
    else if (this.secure && (this.secure.stage !== 'keys' || this.secure.byClient.has(clientId))) {
      // Keys are fresh per connection: a client that (re)connects after the key stage cannot take part.
      wait = { type: 'wait', reason: 'round-in-progress', retryAfterMs: Math.max(0, p.deadlineAt - Date.now()) };
    } else if (this.transport() && (!this.transport()!.tasksOf(clientId)?.includes(p.task) || (this.secure && !this.transport()!.curvesOf(clientId)?.includes(this.secure.spec.curve)))) {
      // e.g. a real user's device that keeps no held-out item cannot evaluate: do not wait for it.
      p.dropped.add(clientId);
      wait = { type: 'wait', reason: 'unsupported-task', retryAfterMs: Math.max(0, p.deadlineAt - Date.now()) };
      if (isComplete(p)) this.closePhase?.();
      this.secure?.poke();
    }
    if (wait) {
      if (answerWhenNot) this.transport()?.send(clientId, encodeMessage(wait));
      return;
    }
    if (this.transport()?.send(clientId, p!.offerFrame)) {
      p!.offered.add(clientId);
      p!.dropped.delete(clientId); // a reconnecting client gets another chance within the deadline
    }
  }
}
