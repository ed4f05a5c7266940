// The client's connection: open a socket and join, check the welcome (declared privacy, catalogue,
// a history that can train) and keep the heartbeat, pass round traffic to the desk. Its ways of
// connecting: one check-in, forgetting remotely, and run(), whose reconnecting is persistent-run.ts.

import { decodeFrame, encodeMessage } from '../shared/protocol/codec.js';
import { CloseCodes, ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { CoordinatorMessage, JoinMode, WelcomeMessage } from '../shared/protocol/messages.js';
import type { Curve } from '../shared/protocol/secagg-messages.js';
import { validateCoordinatorMessage } from '../shared/protocol/validate.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { Heartbeat } from './heartbeat.js';
import type { CheckInResult, ClientOptions, RunEnd, TaskOutcome } from './client-options.js';
import { closeError } from './connection-helpers.js';
import type { ConsentKeeper } from './consent-keeper.js';
import type { MappedData } from './local-data.js';
import type { ClientLogger } from './logger.js';
import { PersistentRun } from './persistent-run.js';
import type { RoundMessage } from './round-desk.js';
import { frameBytes, type SocketLike } from './socket.js';
import type { ClientState } from './store.js';
import { catalogueFromWelcome, checkDeclaredPrivacy } from './welcome.js';

/** Who hears what happens on the connection: set anew by each way of connecting. */
export interface ConnectionListeners {
  onWelcome?: (w: WelcomeMessage) => void;
  onWait?: (reason: string, ms: number) => void;
  onOutcome?: (o: TaskOutcome) => void;
  onError?: (e: FedrecError) => void;
  onClose?: (code: number, reason: string) => void;
}

/** What the connection needs from the client around it. */
export interface ConnectionHost {
  readonly options: ClientOptions & { mode: JoinMode };
  readonly log: ClientLogger;
  readonly consent: ConsentKeeper;
  state(): ClientState;
  /** Curves this device's WebCrypto has (probed in preflight). */
  curves(): Curve[];
  /** The checks before any connection (transport, consent, declared privacy). */
  preflight(): Promise<void>;
  mappedData(): MappedData;
  onRoundMessage(m: RoundMessage): void;
  /** The socket closed: what was awaited on it will not come. */
  onClosed(code: number, reason: string): void;
  /** Settles once the work in hand is done. */
  idle(): Promise<void>;
}

export class Connection {
  listeners: ConnectionListeners = {};
  limits = { maxPayloadBytes: Infinity, heartbeatIntervalMs: 15_000 };
  stopped = false;
  /** Connected only to be forgotten: nothing will be sent but the id, so no privacy check applies. */
  private forgetting = false;
  private socket: SocketLike | null = null;
  private readonly heartbeat = new Heartbeat((m) => this.send(m));
  /** Why this device refused the coordinator (its welcome): run() ends with it. */
  private refusal: FedrecError | null = null;
  /** run(): reconnects until it must stop (persistent-run.ts). */
  private readonly persistent: PersistentRun;

  constructor(private readonly host: ConnectionHost) {
    this.persistent = new PersistentRun({
      connection: this,
      host,
      open: () => this.open('persistent'),
      stopHeartbeat: () => this.heartbeat.stop(),
      refusal: () => this.refusal,
    });
  }

  /** One check-in (after preflight): connect, join, do the offered task or hear "wait", disconnect. */
  checkIn(): Promise<CheckInResult> {
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

  /** Persistent mode (FedrecClient.run): connects, and reconnects with backoff until it must stop. */
  run(onOutcome?: (o: TaskOutcome) => void, onJoined?: () => void): Promise<RunEnd> {
    // A new run starts fresh: an earlier stop() (e.g. by revokeConsent) or refusal must not end it.
    this.stopped = false;
    this.refusal = null;
    return this.persistent.run(onOutcome, onJoined);
  }

  /** Connects only to ask the coordinator to drop this client's id (no consent needed to leave). */
  async forgetRemotely(): Promise<void> {
    this.forgetting = true;
    await new Promise<void>((resolve, reject) => {
      this.listeners = { onWelcome: () => this.leave(true).then(resolve, reject), onClose: (code, reason) => reject(closeError(code, reason)) };
      this.open('checkin');
    }).finally(() => {
      this.forgetting = false;
    });
  }

  stop(): void {
    this.stopped = true;
    this.persistent.wake();
    this.heartbeat.stop();
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

  send(message: object): void {
    if (!this.socket) throw new FedrecError(ErrorCodes.CONNECTION_CLOSED, 'not connected');
    // Synchronous last gate (the secure path sends through here too): nothing leaves after a revoke.
    if (this.host.consent.revoked && !this.forgetting) throw new FedrecError(ErrorCodes.NO_CONSENT, 'consent was revoked on this device; nothing is sent');
    this.socket.send(encodeMessage(message));
  }

  private open(mode: JoinMode): void {
    const o = this.host.options;
    const ws = o.socketFactory(o.url);
    this.socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      const st = this.host.state();
      const join: Record<string, unknown> = { type: 'join', protocol: PROTOCOL_VERSION, clientId: st.clientId, mode, capabilities: { tasks: o.data.heldOut ? ['train', 'evaluate'] : ['train'], curves: this.host.curves() } };
      if (st.catalogue) join.catalogueVersion = st.catalogue.version;
      if (o.enrollmentToken !== undefined && !this.forgetting) join.token = o.enrollmentToken;
      ws.send(encodeMessage(join));
    };
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onerror = () => {}; // a close event follows with the reason
    ws.onclose = (ev) => {
      if (this.socket === ws) this.socket = null;
      this.host.onClosed(ev.code, ev.reason);
      this.listeners.onClose?.(ev.code, ev.reason);
    };
  }

  private onFrame(data: unknown): void {
    let msg: CoordinatorMessage;
    try {
      const bytes = frameBytes(data);
      if (!bytes) throw new FedrecError(ErrorCodes.BINARY_REQUIRED, 'the coordinator sent a text frame');
      msg = validateCoordinatorMessage(decodeFrame(bytes));
    } catch (err) {
      const e = err instanceof FedrecError ? err : new FedrecError(ErrorCodes.MALFORMED_FRAME, String(err));
      this.host.log.warn({ event: 'bad-frame', code: e.code }, e.message);
      return;
    }
    switch (msg.type) {
      case 'welcome':
        return this.onWelcome(msg);
      case 'wait':
        return this.listeners.onWait?.(msg.reason, msg.retryAfterMs);
      case 'heartbeat':
        return;
      default:
        return this.host.onRoundMessage(msg);
    }
  }

  private onWelcome(w: WelcomeMessage): void {
    const { options: o, log } = this.host;
    const st = this.host.state();
    try {
      if (!this.forgetting) checkDeclaredPrivacy(w.privacy, st.consent, o);
    } catch (err) {
      log.warn({ event: 'refused-coordinator', reason: (err as Error).message }, 'refusing this coordinator');
      return this.refuse(err instanceof FedrecError ? err : new FedrecError(ErrorCodes.PRIVACY_LIMIT, (err as Error).message), 'refused by client');
    }
    // ∞ (no noise) travels as a number over msgpack; JSON files keep null for it.
    st.declaredPrivacy = { epsilon: w.privacy.epsilon, delta: w.privacy.delta, budget: w.privacy.budget, aggregation: w.privacy.aggregation, noiseMultiplier: w.privacy.noiseMultiplier, at: new Date().toISOString() };
    try {
      st.catalogue = catalogueFromWelcome(w, st.catalogue, o.catalogueCache);
    } catch (err) {
      this.listeners.onError?.(err as FedrecError);
      return;
    }
    const data = this.forgetting ? null : this.host.mappedData();
    if (data && data.positives.length === 0) {
      const e = new FedrecError(ErrorCodes.EMPTY_HISTORY, `none of the ${o.data.train.length} items in this history is in the coordinator's catalogue (${data.ignored} unknown): check that the history and the coordinator use the same item ids`);
      log.warn({ event: 'refused-coordinator', code: e.code, unknown: data.ignored }, e.message);
      return this.refuse(e, 'nothing to train');
    }
    this.limits = { ...w.limits };
    if (o.mode === 'persistent' && this.socket) this.heartbeat.start(this.limits.heartbeatIntervalMs);
    this.listeners.onWelcome?.(w);
  }

  /** This device will not take part with this coordinator: close, and (persistent) end run() with why. */
  private refuse(e: FedrecError, closeReason: string): void {
    this.socket?.close(CloseCodes.NORMAL, closeReason);
    this.refusal = e;
    this.stopped = this.stopped || this.host.options.mode === 'persistent';
    this.listeners.onError?.(e);
  }
}
