// The client core (browser and Node): join a coordinator, answer its offers by training on local
// data or evaluating, and send back only a clipped model update. The history and the user vector
// stay on the device; the ledger records every byte that left.

import { decodeFrame, encodeMessage } from '../shared/protocol/codec.js';
import { CloseCodes, ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { CoordinatorMessage, JoinMode, Task, WelcomeMessage } from '../shared/protocol/messages.js';
import { validateCoordinatorMessage } from '../shared/protocol/validate.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { supportedCurves } from '../shared/secagg/key-agreement.js';
import type { Curve } from '../shared/protocol/secagg-messages.js';
import { SecureTask } from './secagg/secure-task.js';
import { type MappedData, mapToRows } from './local-data.js';
import { type ClientLogger, silentLogger } from './logger.js';
import { clipUpdate } from './middleware/clip.js';
import { localGaussianNoise } from './middleware/local-noise.js';
import { checkConsentAndHistory, checkDeclaredBeforeJoining } from './preflight-checks.js';
import { catalogueFromWelcome, checkDeclaredPrivacy } from './welcome.js';
import { checkTransport } from './transport-check.js';
import { sizeGuard } from './middleware/size-guard.js';
import { frameBytes, type SocketLike } from './socket.js';
import { type ClientState, type Consent, type LedgerEntry, newClientId } from './store.js';
import type { CheckInResult, ClientOptions, RunEnd, TaskOutcome } from './client-options.js';
import { closeError, rowIndexFor } from './connection-helpers.js';
import { doOffer, type OfferContext } from './offer-work.js';
import { ConsentKeeper } from './consent-keeper.js';

export type { CheckInResult, ClientOptions, RunEnd, TaskOutcome };

/** Failures the coordinator already knows about (the round closed, the connection went). */
const NOT_DECLINED: readonly string[] = [ErrorCodes.LATE_UPDATE, ErrorCodes.STALE_ROUND, ErrorCodes.CONNECTION_CLOSED, ErrorCodes.SHUTTING_DOWN];

/** First reconnect delay; doubled per failure (250, 500, 1000, 2000 ms: five tries take ~4 s). */
const FIRST_BACKOFF_MS = 250;
/** Backoff cap while a coordinator was never reached, and once it was (it may be restarting). */
const UNREACHED_BACKOFF_CAP_MS = 4_000;
const REACHED_BACKOFF_CAP_MS = 30_000;
/** Enrollment refusals: retrying with the same token cannot succeed. */
const ENROLLMENT_REFUSALS: readonly string[] = [ErrorCodes.UNAUTHORIZED, ErrorCodes.TOKEN_EXPIRED, ErrorCodes.TOKEN_REUSED, ErrorCodes.UNKNOWN_CLIENT];

export class FedrecClient {
  private readonly o: Required<Pick<ClientOptions, 'mode' | 'logger' | 'middleware' | 'keepModel'>> & ClientOptions;
  private readonly log: ClientLogger;
  private state: ClientState | null = null;
  private socket: SocketLike | null = null;
  private limits = { maxPayloadBytes: Infinity, heartbeatIntervalMs: 15_000 };
  private mapped: { version: string; data: MappedData } | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private work: Promise<void> = Promise.resolve();
  private stopped = false;
  private refusal: FedrecError | null = null;
  /** Connected only to be forgotten: nothing will be sent but the id, so no privacy check applies. */
  private forgetting = false;
  private listeners: { onWelcome?: (w: WelcomeMessage) => void; onWait?: (reason: string, ms: number) => void; onOutcome?: (o: TaskOutcome) => void; onError?: (e: FedrecError) => void; onClose?: (code: number, reason: string) => void } = {};
  private pendingAck: { round: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  /** Curves this device's WebCrypto has (probed once before connecting). */
  private curves: Curve[] = [];
  private secureTask: SecureTask | null = null;
  /** The person's consent, read from the store whenever it matters (consent-keeper.ts). */
  private readonly consent: ConsentKeeper;
  /** A fresh id not yet in the store: saved before it is first sent, so a reload cannot orphan it. */
  private idUnsaved = false;
  /** The newest train round the coordinator said is over: no work is sent for it any more. */
  private closedTrainRound = 0;
  /** Set when the coordinator said it will run no more rounds. */
  private finished: RunEnd | null = null;
  /** Wakes a backoff pause early (stop()). */
  private wakePause: (() => void) | null = null;

  constructor(options: ClientOptions) {
    const z = options.localNoiseMultiplier ?? 0;
    const middleware = [clipUpdate, ...(z > 0 ? [localGaussianNoise(z)] : []), sizeGuard];
    this.o = { mode: 'persistent', logger: silentLogger, middleware, keepModel: true, ...options };
    this.log = this.o.logger;
    this.consent = new ConsentKeeper(this.o.store, () => this.state!, this.log, () => void this.leave(false));
  }

  get clientId(): string | null {
    return this.state?.clientId ?? null;
  }

  /** One check-in: connect, join, do the offered task or hear "wait", disconnect. */
  async checkIn(): Promise<CheckInResult> {
    await this.preflight();
    return new Promise<CheckInResult>((resolve, reject) => {
      let settled = false;
      const finish = (r: CheckInResult | Error) => {
        if (settled) return;
        settled = true;
        this.socket?.close(CloseCodes.NORMAL, 'done');
        r instanceof Error ? reject(r) : resolve(r);
      };
      this.listeners = {
        onWait: (reason, ms) => finish({ kind: 'wait', reason, retryAfterMs: ms }),
        onOutcome: (outcome) => finish({ kind: 'done', outcome }),
        onError: (e) => finish(e),
        onClose: (code, reason) => finish(closeError(code, reason)),
      };
      this.open('checkin');
    });
  }

  /**
   * Persistent mode: stay connected, answer offers until stop(); reconnects with backoff. Gives up
   * with FEDREC_UNREACHABLE after maxConnectAttempts tries if the coordinator was never reached;
   * returns when stopped, when consent is revoked (wherever the store is shared), or when the
   * coordinator says it is done.
   */
  async run(onOutcome?: (o: TaskOutcome) => void, onJoined?: () => void): Promise<RunEnd> {
    // A new run starts fresh: an earlier stop() (e.g. by revokeConsent) or refusal must not end it.
    this.stopped = false;
    this.refusal = null;
    this.finished = null;
    await this.preflight();
    const maxAttempts = this.o.maxConnectAttempts ?? 5;
    let backoff = FIRST_BACKOFF_MS;
    let failures = 0;
    let reached = false;
    const watch = this.consent.watch(this.o.consentPollMs ?? 400, () => this.stopped);
    try {
      while (!this.stopped) {
        let welcomed = false;
        let lastError: FedrecError | null = null;
        const closed = new Promise<{ code: number; reason: string }>((resolve) => {
          this.listeners = {
            onWelcome: () => {
              welcomed = reached = true;
              backoff = FIRST_BACKOFF_MS;
              failures = 0;
              onJoined?.();
            },
            onWait: (reason) => {
              if (reason === 'done' || reason === 'budget-exhausted') {
                this.finished = reason;
                // Let the task in hand finish (its ledger entry and state are being saved), briefly.
                void Promise.race([this.work, new Promise((r) => setTimeout(r, 5_000))]).then(() => this.stop());
              }
            },
            onOutcome: (o) => onOutcome?.(o),
            onError: (e) => {
              lastError = e;
              this.log.warn({ event: 'coordinator-error', code: e.code, round: e.round }, e.message);
            },
            onClose: (code, reason) => resolve({ code, reason }),
          };
        });
        this.open('persistent');
        const { code, reason } = await closed;
        this.stopHeartbeat();
        if (this.refusal) throw this.refusal;
        if (this.stopped) break;
        if (code === CloseCodes.PROTOCOL_ERROR) throw closeError(code, reason);
        if (ENROLLMENT_REFUSALS.includes(reason)) throw lastError ?? closeError(code, reason);
        if (reason === ErrorCodes.SHUTTING_DOWN) {
          this.finished = 'shut-down';
          break;
        }
        if (!welcomed && ++failures >= maxAttempts && !reached) {
          throw new FedrecError(ErrorCodes.UNREACHABLE, `could not reach the coordinator at ${this.o.url} in ${failures} tries (last: ${closeError(code, reason).message}); is it running, and is the address right?`);
        }
        this.log.warn({ event: 'disconnected', code, reason, retryInMs: backoff }, 'connection lost; reconnecting');
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, reached ? REACHED_BACKOFF_CAP_MS : UNREACHED_BACKOFF_CAP_MS);
      }
    } finally {
      watch.stop();
    }
    return this.consent.revoked ? 'consent-revoked' : (this.finished ?? 'stopped');
  }

  /** A backoff wait that stop() cuts short (Ctrl-C must not wait out a 30 s backoff). */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakePause = done;
    }).finally(() => {
      this.wakePause = null;
    });
  }

  /** Saves the state with the consent as stored now, never an older copy of it. */
  private async saveState(): Promise<void> {
    await this.consent.current();
    await this.o.store.save(this.state!);
  }

  stop(): void {
    this.stopped = true;
    this.wakePause?.();
    this.stopHeartbeat();
    this.socket?.close(CloseCodes.NORMAL, 'client stopping');
  }

  /** Leave the coordinator; with forget it also drops this client's id from its registry. */
  async leave(forget: boolean): Promise<void> {
    try {
      this.socket?.send(encodeMessage({ type: 'leave', forget }));
    } catch {
      // still connecting (or already closed): closing the socket says goodbye well enough
    } finally {
      this.stop();
    }
  }

  /** Connects only to ask the coordinator to drop this client's id (no consent needed to leave). */
  async forgetRemotely(): Promise<void> {
    await this.loadState();
    this.forgetting = true;
    await new Promise<void>((resolve, reject) => {
      this.listeners = { onWelcome: () => this.leave(true).then(resolve, reject), onClose: (code, reason) => reject(closeError(code, reason)) };
      this.open('checkin');
    }).finally(() => {
      this.forgetting = false;
    });
  }

  /** Opt in (or change which kinds train, or the ε limit). */
  async grantConsent(consent: Omit<Consent, 'granted' | 'at'>): Promise<void> {
    await this.loadState();
    this.mapped = null;
    await this.consent.persist({ ...consent, granted: true, at: new Date().toISOString() });
  }

  /** Opt out at any time: stops at once, tells the coordinator, and records the decision. */
  async revokeConsent(): Promise<void> {
    await this.loadState();
    this.consent.revoked = true;
    await this.leave(false);
    await this.consent.persist({ ...(this.state!.consent ?? { kinds: [], maxEpsilon: null }), granted: false, at: new Date().toISOString() });
  }

  /** Opt out and delete everything on the device (history is the app's to delete; see client/node/cli.ts). */
  async forget(): Promise<void> {
    await this.leave(true);
    await this.o.store.clear();
    this.state = null;
    this.mapped = null;
  }

  /** No connection before consent; with a user limit, no connection to a coordinator over it. */
  private async preflight(): Promise<void> {
    checkTransport(this.o.url, this.o.allowInsecureTransport === true);
    await this.loadState();
    this.curves = await supportedCurves();
    const consent = checkConsentAndHistory(await this.consent.current(), this.o.data);
    this.consent.revoked = false;
    if (this.idUnsaved) {
      await this.saveState();
      this.idUnsaved = false;
    }
    await checkDeclaredBeforeJoining(consent, this.o);
  }

  // ---- connection --------------------------------------------------------------------------

  private async loadState(): Promise<void> {
    if (this.state) return;
    const stored = await this.o.store.load();
    const state: ClientState = stored ?? { clientId: this.o.clientId ?? newClientId(), userVector: null, catalogue: null, model: null, ledger: [], consent: null };
    if (this.o.clientId) state.clientId = this.o.clientId;
    if (this.o.consent) state.consent = this.o.consent;
    this.state = state;
    this.idUnsaved = stored === null;
  }

  private open(mode: JoinMode): void {
    const ws = this.o.socketFactory(this.o.url);
    this.socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      const join: Record<string, unknown> = { type: 'join', protocol: PROTOCOL_VERSION, clientId: this.state!.clientId, mode, capabilities: { tasks: this.o.data.heldOut ? ['train', 'evaluate'] : ['train'], curves: this.curves } };
      if (this.state!.catalogue) join.catalogueVersion = this.state!.catalogue.version;
      if (this.o.enrollmentToken !== undefined && !this.forgetting) join.token = this.o.enrollmentToken;
      ws.send(encodeMessage(join));
    };
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onerror = () => {}; // a close event follows with the reason
    ws.onclose = (ev) => {
      if (this.socket === ws) this.socket = null;
      this.pendingAck?.reject(closeError(ev.code, ev.reason));
      this.pendingAck = null;
      this.secureTask?.abort(closeError(ev.code, ev.reason));
      this.secureTask = null;
      this.listeners.onClose?.(ev.code, ev.reason);
    };
  }

  private send(message: object): void {
    if (!this.socket) throw new FedrecError(ErrorCodes.CONNECTION_CLOSED, 'not connected');
    // Synchronous last gate (the secure path sends through here too): nothing leaves after a revoke.
    if (this.consent.revoked && !this.forgetting) throw new FedrecError(ErrorCodes.NO_CONSENT, 'consent was revoked on this device; nothing is sent');
    this.socket.send(encodeMessage(message));
  }

  private onFrame(data: unknown): void {
    let msg: CoordinatorMessage;
    try {
      const bytes = frameBytes(data);
      if (!bytes) throw new FedrecError(ErrorCodes.BINARY_REQUIRED, 'the coordinator sent a text frame');
      msg = validateCoordinatorMessage(decodeFrame(bytes));
    } catch (err) {
      const e = err instanceof FedrecError ? err : new FedrecError(ErrorCodes.MALFORMED_FRAME, String(err));
      this.log.warn({ event: 'bad-frame', code: e.code }, e.message);
      return;
    }
    switch (msg.type) {
      case 'welcome':
        return this.onWelcome(msg);
      case 'offer':
        this.work = this.work.then(() => doOffer(this.offerContext(), msg)).catch((err) => this.fail(err, msg.round, msg.task));
        return;
      case 'wait':
        return this.listeners.onWait?.(msg.reason, msg.retryAfterMs);
      case 'ack':
        if (this.pendingAck?.round === msg.round) this.pendingAck.resolve();
        return;
      case 'roundResult':
        this.log.debug({ event: 'round-result', round: msg.round, committed: msg.committed, modelVersion: msg.modelVersion }, 'round result');
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
        if (!task) return this.log.warn({ event: 'bad-frame', code: ErrorCodes.SECAGG_WRONG_STAGE, round: msg.round }, `${msg.type} outside a secure round`);
        task.onMessage(msg).catch((err: FedrecError) => {
          this.log.warn({ event: 'secagg-refused', code: err.code, round: msg.round }, err.message);
          this.listeners.onError?.(err);
        });
        return;
      }
      case 'error': {
        const e = new FedrecError(msg.code, msg.message, msg.round === undefined ? undefined : { round: msg.round });
        if (this.pendingAck && (msg.round === undefined || msg.round === this.pendingAck.round)) {
          this.pendingAck.reject(e);
          this.pendingAck = null;
        } else this.listeners.onError?.(e);
        return;
      }
      case 'heartbeat':
        return;
    }
  }

  private onWelcome(w: WelcomeMessage): void {
    const st = this.state!;
    try {
      if (!this.forgetting) checkDeclaredPrivacy(w.privacy, st.consent, this.o);
    } catch (err) {
      this.log.warn({ event: 'refused-coordinator', reason: (err as Error).message }, 'refusing this coordinator');
      this.socket?.close(CloseCodes.NORMAL, 'refused by client');
      const e = err instanceof FedrecError ? err : new FedrecError(ErrorCodes.PRIVACY_LIMIT, (err as Error).message);
      this.refusal = e;
      this.stopped = this.stopped || this.o.mode === 'persistent';
      this.listeners.onError?.(e);
      return;
    }
    // ∞ (no noise) travels as a number over msgpack; JSON files keep null for it.
    st.declaredPrivacy = { epsilon: w.privacy.epsilon, delta: w.privacy.delta, budget: w.privacy.budget, aggregation: w.privacy.aggregation, at: new Date().toISOString() };
    try {
      st.catalogue = catalogueFromWelcome(w, st.catalogue, this.o.catalogueCache);
    } catch (err) {
      this.listeners.onError?.(err as FedrecError);
      return;
    }
    if (!this.forgetting && this.mappedData().positives.length === 0) {
      const n = this.o.data.train.length;
      const e = new FedrecError(ErrorCodes.EMPTY_HISTORY, `none of the ${n} items in this history is in the coordinator's catalogue (${this.mapped!.data.ignored} unknown): check that the history and the coordinator use the same item ids`);
      this.log.warn({ event: 'refused-coordinator', code: e.code, unknown: this.mapped!.data.ignored }, e.message);
      this.socket?.close(CloseCodes.NORMAL, 'nothing to train');
      this.refusal = e;
      this.stopped = this.stopped || this.o.mode === 'persistent';
      this.listeners.onError?.(e);
      return;
    }
    this.limits = { ...w.limits };
    if (this.o.mode === 'persistent' && this.socket) this.startHeartbeat();
    this.listeners.onWelcome?.(w);
  }

  private mappedData(): MappedData {
    const cat = this.state!.catalogue!;
    if (this.mapped?.version !== cat.version) {
      const kinds = this.state!.consent?.kinds;
      const data = mapToRows(this.o.data, rowIndexFor(cat.itemIds, cat.version), kinds ? new Set(kinds) : null);
      if (data.ignored > 0) this.log.info({ event: 'items-ignored', count: data.ignored }, `${data.ignored} history items are not in the catalogue and were ignored`);
      this.mapped = { version: cat.version, data };
    }
    return this.mapped.data;
  }

  // ---- tasks -------------------------------------------------------------------------------

  /** The client's side of the work on an offer (offer-work.ts): state, consent, sending, the ledger. */
  private offerContext(): OfferContext {
    return {
      state: this.state!,
      options: this.o,
      log: this.log,
      maxPayloadBytes: this.limits.maxPayloadBytes,
      mappedData: () => this.mappedData(),
      ensureConsent: () => this.consent.ensure(this.stopped),
      saveState: () => this.saveState(),
      send: (m) => this.send(m),
      sendRecorded: (round, m, entry) => this.sendRecorded(round, m, entry),
      setSecureTask: (t) => (this.secureTask = t),
      isSecureTask: (t) => this.secureTask === t,
      outcome: (o) => this.listeners.onOutcome?.(o),
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
      this.send(message);
    } catch (err) {
      this.pendingAck = null;
      throw err; // it never left: nothing to record
    }
    entry.acknowledged = false;
    this.state!.ledger.push(entry);
    try {
      await acked;
      entry.acknowledged = true;
    } finally {
      this.pendingAck = null;
      await this.saveState();
    }
  }

  private fail(err: unknown, round: number, task: Task): void {
    const e = err instanceof FedrecError ? err : new FedrecError(ErrorCodes.INTERNAL, (err as Error)?.message ?? String(err), { round });
    this.log.warn({ event: 'task-failed', code: e.code, round }, e.message);
    // Tell the coordinator not to wait out its deadline for us; a lost connection says so itself.
    if (!NOT_DECLINED.includes(e.code)) {
      // Out of this round's secure stages too: the coordinator now counts us as dropped.
      if (this.secureTask?.round.round === round) {
        this.secureTask.abort(e);
        this.secureTask = null;
      }
      try {
        this.send({ type: 'decline', round, task });
      } catch {
        // not connected: the coordinator sees the drop
      }
      this.listeners.onOutcome?.({ task: 'failed', round, code: e.code, message: e.message });
    }
    this.listeners.onError?.(e);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      try {
        this.send({ type: 'heartbeat', sentAt: Date.now() });
      } catch {
        this.stopHeartbeat();
      }
    }, this.limits.heartbeatIntervalMs);
    (this.heartbeat as { unref?: () => void }).unref?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
