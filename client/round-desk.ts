// The device's side of the rounds it takes part in: offers are worked one at a time (offer-work.ts),
// secure-aggregation stages are answered at once, acknowledgements and round results settle what
// was sent, and a task that fails is declined so the coordinator need not wait out its deadline.
// Work is recorded in the ledger the moment it leaves.

import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { CoordinatorMessage, Task } from '../shared/protocol/messages.js';
import type { TaskOutcome } from './client-options.js';
import { closeError } from './connection-helpers.js';
import type { MappedData } from './local-data.js';
import type { ClientLogger } from './logger.js';
import { doOffer, type OfferContext } from './offer-work.js';
import type { SecureTask } from './secagg/secure-task.js';
import type { ClientState, LedgerEntry } from './store.js';

/** What the coordinator sends about rounds (the connection keeps welcome, wait and heartbeat). */
export type RoundMessage = Exclude<CoordinatorMessage, { type: 'welcome' | 'wait' | 'heartbeat' }>;

/** Failures the coordinator already knows about (the round closed, the connection went). */
const NOT_DECLINED: readonly string[] = [ErrorCodes.LATE_UPDATE, ErrorCodes.STALE_ROUND, ErrorCodes.CONNECTION_CLOSED, ErrorCodes.SHUTTING_DOWN];

/** What the desk needs from the client around it; read at the moment it is needed. */
export interface DeskHost {
  readonly options: OfferContext['options'];
  readonly log: ClientLogger;
  state(): ClientState;
  maxPayloadBytes(): number;
  mappedData(): MappedData;
  ensureConsent(): Promise<void>;
  saveState(): Promise<void>;
  send(message: object): void;
  outcome(o: TaskOutcome): void;
  error(e: FedrecError): void;
}

export class RoundDesk {
  /** Offers are worked one after another, in the order they came. */
  private work: Promise<void> = Promise.resolve();
  private pendingAck: { round: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  private secureTask: SecureTask | null = null;
  /** The newest train round the coordinator said is over: no work is sent for it any more. */
  private closedTrainRound = 0;

  constructor(private readonly host: DeskHost) {}

  /** Settles once the work in hand is done (its ledger entry and state saved). */
  idle(): Promise<void> {
    return this.work;
  }

  onMessage(msg: RoundMessage): void {
    switch (msg.type) {
      case 'offer':
        this.work = this.work.then(() => doOffer(this.offerContext(), msg)).catch((err) => this.fail(err, msg.round, msg.task));
        return;
      case 'ack':
        if (this.pendingAck?.round === msg.round) this.pendingAck.resolve();
        return;
      case 'roundResult':
        this.host.log.debug({ event: 'round-result', round: msg.round, committed: msg.committed, modelVersion: msg.modelVersion }, 'round result');
        this.closedTrainRound = Math.max(this.closedTrainRound, msg.round);
        if (this.secureTask?.round.round === msg.round) this.secureTask.onRoundEnd(msg.committed);
        // The round is over: an acknowledgement still awaited for it will not come.
        if (this.pendingAck?.round === msg.round) this.pendingAck.reject(new FedrecError(ErrorCodes.LATE_UPDATE, `round ${msg.round} closed before this device's answer was acknowledged`, { round: msg.round }));
        return;
      case 'sa-neighbours':
      case 'sa-relay':
      case 'sa-unmask-request': {
        // Answered at once, not queued behind training: the other clients' stages wait on it.
        const task = this.secureTask;
        if (!task) return this.host.log.warn({ event: 'bad-frame', code: ErrorCodes.SECAGG_WRONG_STAGE, round: msg.round }, `${msg.type} outside a secure round`);
        task.onMessage(msg).catch((err: FedrecError) => {
          this.host.log.warn({ event: 'secagg-refused', code: err.code, round: msg.round }, err.message);
          this.host.error(err);
        });
        return;
      }
      case 'error': {
        const e = new FedrecError(msg.code, msg.message, msg.round === undefined ? undefined : { round: msg.round });
        if (this.pendingAck && (msg.round === undefined || msg.round === this.pendingAck.round)) {
          this.pendingAck.reject(e);
          this.pendingAck = null;
        } else this.host.error(e);
        return;
      }
    }
  }

  /** The connection closed: what was awaited on it will not come. */
  onClosed(code: number, reason: string): void {
    this.pendingAck?.reject(closeError(code, reason));
    this.pendingAck = null;
    this.secureTask?.abort(closeError(code, reason));
    this.secureTask = null;
  }

  /** The client's side of the work on an offer (offer-work.ts): state, consent, sending, the ledger. */
  private offerContext(): OfferContext {
    const h = this.host;
    return {
      state: h.state(),
      options: h.options,
      log: h.log,
      maxPayloadBytes: h.maxPayloadBytes(),
      mappedData: () => h.mappedData(),
      ensureConsent: () => h.ensureConsent(),
      saveState: () => h.saveState(),
      send: (m) => h.send(m),
      sendRecorded: (round, m, entry) => this.sendRecorded(round, m, entry),
      setSecureTask: (t) => (this.secureTask = t),
      isSecureTask: (t) => this.secureTask === t,
      outcome: (o) => h.outcome(o),
    };
  }

  /**
   * Sends work and records it in the ledger the moment it leaves, acknowledged or not (a late or
   * refused update still left the device). Nothing is sent for a train round already closed.
   */
  private async sendRecorded(round: number, message: object, entry: LedgerEntry): Promise<void> {
    if (entry.kind !== 'metrics' && round <= this.closedTrainRound) {
      throw new FedrecError(ErrorCodes.LATE_UPDATE, `round ${round} closed before this device finished; nothing was sent`, { round });
    }
    const acked = new Promise<void>((resolve, reject) => (this.pendingAck = { round, resolve, reject }));
    acked.catch(() => {});
    try {
      this.host.send(message);
    } catch (err) {
      this.pendingAck = null;
      throw err; // it never left: nothing to record
    }
    entry.acknowledged = false;
    this.host.state().ledger.push(entry);
    try {
      await acked;
      entry.acknowledged = true;
    } finally {
      this.pendingAck = null;
      await this.host.saveState();
    }
  }

  private fail(err: unknown, round: number, task: Task): void {
    const e = err instanceof FedrecError ? err : new FedrecError(ErrorCodes.INTERNAL, (err as Error)?.message ?? String(err), { round });
    this.host.log.warn({ event: 'task-failed', code: e.code, round }, e.message);
    // Tell the coordinator not to wait out its deadline for us; a lost connection says so itself.
    if (!NOT_DECLINED.includes(e.code)) {
      // Out of this round's secure stages too: the coordinator now counts us as dropped.
      if (this.secureTask?.round.round === round) {
        this.secureTask.abort(e);
        this.secureTask = null;
      }
      try {
        this.host.send({ type: 'decline', round, task });
      } catch {
        // not connected: the coordinator sees the drop
      }
      this.host.outcome({ task: 'failed', round, code: e.code, message: e.message });
    }
    this.host.error(e);
  }
}
