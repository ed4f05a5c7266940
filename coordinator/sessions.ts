// One WebSocket connection: decode → validate → dispatch, and the answer to every failure is a
// coded error frame and a log line; nothing a peer sends can throw past this file. What a join
// means (admission, enrollment, the welcome) is in join-handler.ts.

import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { decodeFrame, encodeMessage } from '../shared/protocol/codec.js';
import { CloseCodes, ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { ClientMessage, JoinMode, Task } from '../shared/protocol/messages.js';
import type { Curve } from '../shared/protocol/secagg-messages.js';
import { validateClientMessage } from '../shared/protocol/validate.js';
import type { RoundEngine, Transport } from './round-engine.js';
import type { PrivacyLedger } from './privacy-ledger.js';
import { TokenBucket } from './rate-limit.js';
import { JoinHandler } from './join-handler.js';

export interface Session {
  ws: WebSocket;
  clientId: string | null;
  mode: JoinMode;
  tasks: readonly Task[];
  curves: readonly Curve[];
  lastSeen: number;
  bucket: TokenBucket;
  /** Refusals for rate in a row; a client that keeps flooding is disconnected. */
  rateStrikes: number;
  /** Peer address (per-IP registration rate) and address:port (logs). */
  ip: string;
  remote: string;
}

export interface SessionLimits {
  maxPayloadBytes: number;
  maxClients: number;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  messagesPerSecond: number;
  messageBurst: number;
  /** An upgraded socket that has not joined after this long is closed (1008). */
  joinTimeoutMs: number;
  registrationsPerIpPerMinute: number;
}

/** Refused-for-rate messages in a row before the connection is closed (1008). */
const MAX_RATE_STRIKES = 20;

export class SessionManager implements Transport {
  private readonly all = new Set<Session>();
  private readonly byId = new Map<string, Session>();
  private sweeper: NodeJS.Timeout | null = null;
  /** Counts of rejections by code, for tests and /health. */
  readonly rejections = new Map<string, number>();
  /** Bytes of every message received (GET /metrics); frames over the size limit never arrive. */
  receivedBytes = 0;
  /** Whether an id is already registered (set by the coordinator); unknown: every join counts as new. */
  isRegistered: (clientId: string) => boolean = () => false;
  private readonly joins: JoinHandler;

  constructor(
    private readonly engine: RoundEngine,
    ledger: PrivacyLedger,
    private readonly limits: SessionLimits,
    private readonly logger: Logger,
  ) {
    engine.attach(this);
    this.joins = new JoinHandler({
      engine,
      ledger,
      limits,
      logger,
      byId: this.byId,
      isRegistered: (id) => this.isRegistered(id),
      reject: (s, ws, err) => this.reject(s, ws, err),
    });
  }

  get connected(): number {
    return this.all.size;
  }

  get joined(): number {
    return this.byId.size;
  }

  startHeartbeatSweep(): void {
    this.sweeper = setInterval(() => this.sweep(), Math.min(this.limits.heartbeatIntervalMs, 5_000));
    this.sweeper.unref();
  }

  accept(ws: WebSocket, ip: string, port = 0): void {
    const remote = `${ip}:${port}`;
    if (this.all.size >= this.limits.maxClients) {
      this.reject(null, ws, new FedrecError(ErrorCodes.TOO_MANY_CLIENTS, `the coordinator holds its maximum of ${this.limits.maxClients} connections; retry later`));
      ws.close(CloseCodes.TRY_AGAIN_LATER, ErrorCodes.TOO_MANY_CLIENTS);
      return;
    }
    const s: Session = { ws, clientId: null, mode: 'persistent', tasks: [], curves: [], lastSeen: Date.now(), bucket: new TokenBucket({ perSecond: this.limits.messagesPerSecond, burst: this.limits.messageBurst }), rateStrikes: 0, ip, remote };
    this.all.add(s);
    // A socket that never joins must not hold one of maxClients slots until the heartbeat sweep.
    const joinTimer = setTimeout(() => {
      if (s.clientId !== null || ws.readyState !== ws.OPEN) return;
      this.reject(s, ws, new FedrecError(ErrorCodes.JOIN_TIMEOUT, `no join within ${this.limits.joinTimeoutMs} ms of connecting`));
      ws.close(CloseCodes.POLICY_VIOLATION, ErrorCodes.JOIN_TIMEOUT);
    }, this.limits.joinTimeoutMs);
    joinTimer.unref();
    ws.once('close', () => clearTimeout(joinTimer));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.receivedBytes += data.length;
      this.onFrame(s, data, isBinary);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.count(ErrorCodes.FRAME_TOO_LARGE);
        this.logger.warn({ event: 'rejected', code: ErrorCodes.FRAME_TOO_LARGE, clientId: s.clientId, remote, limit: this.limits.maxPayloadBytes }, 'frame over the size limit; connection closed with 1009');
      } else {
        this.logger.warn({ event: 'socket-error', clientId: s.clientId, remote, err: err.message, wsCode: err.code }, 'socket error');
      }
    });
    ws.on('close', () => this.onClose(s));
  }

  // ---- Transport ---------------------------------------------------------------------------

  send(clientId: string, frame: Uint8Array): boolean {
    const s = this.byId.get(clientId);
    if (!s || s.ws.readyState !== s.ws.OPEN) return false;
    s.ws.send(frame, { binary: true });
    return true;
  }

  tasksOf(clientId: string): readonly Task[] | null {
    return this.byId.get(clientId)?.tasks ?? null;
  }

  curvesOf(clientId: string): readonly Curve[] | null {
    return this.byId.get(clientId)?.curves ?? null;
  }

  *persistentClients(): Iterable<string> {
    for (const [id, s] of this.byId) if (s.mode === 'persistent') yield id;
  }

  // ---- inbound -----------------------------------------------------------------------------

  private onFrame(s: Session, data: Buffer, isBinary: boolean): void {
    s.lastSeen = Date.now();
    try {
      if (!s.bucket.take(s.lastSeen)) {
        if (++s.rateStrikes >= MAX_RATE_STRIKES) {
          this.count(ErrorCodes.RATE_LIMITED);
          this.logger.warn({ event: 'rejected', code: ErrorCodes.RATE_LIMITED, clientId: s.clientId, strikes: s.rateStrikes }, 'client keeps flooding; connection closed');
          s.ws.close(CloseCodes.POLICY_VIOLATION, ErrorCodes.RATE_LIMITED);
          return;
        }
        throw new FedrecError(ErrorCodes.RATE_LIMITED, `more than ${this.limits.messagesPerSecond} messages/s (burst ${this.limits.messageBurst}) on one connection; message dropped`);
      }
      s.rateStrikes = 0;
      if (!isBinary) throw new FedrecError(ErrorCodes.BINARY_REQUIRED, 'fedrec frames are binary msgpack; a text frame was received');
      const msg = validateClientMessage(decodeFrame(data));
      this.dispatch(s, msg);
    } catch (err) {
      if (err instanceof FedrecError) {
        this.reject(s, s.ws, err);
        if (err.code === ErrorCodes.UNSUPPORTED_VERSION) s.ws.close(CloseCodes.PROTOCOL_ERROR, ErrorCodes.UNSUPPORTED_VERSION);
      } else {
        this.logger.error({ event: 'internal-error', clientId: s.clientId, err }, 'unexpected error handling a frame');
      }
    }
  }

  private dispatch(s: Session, msg: ClientMessage): void {
    if (msg.type === 'join') return this.joins.join(s, msg);
    if (msg.type === 'heartbeat') {
      s.ws.send(encodeMessage({ type: 'heartbeat', sentAt: Date.now() }));
      return;
    }
    const id = s.clientId;
    if (id === null) throw new FedrecError(ErrorCodes.NOT_JOINED, `a ${msg.type} message before join: send join first`);
    switch (msg.type) {
      case 'update':
        return this.engine.onUpdate(id, msg);
      case 'metrics':
        return this.engine.onMetrics(id, msg);
      case 'decline':
        return this.engine.onDecline(id, msg);
      case 'sa-keys':
      case 'sa-shares':
      case 'sa-masked':
      case 'sa-unmask':
        return this.engine.onSecAgg(id, msg);
      case 'leave':
        this.engine.onLeave(id, msg.forget);
        this.logger.info({ event: 'client-left', clientId: id, forget: msg.forget }, msg.forget ? 'client left and was forgotten' : 'client left');
        s.ws.close(CloseCodes.NORMAL, 'bye');
        return;
    }
  }

  private onClose(s: Session): void {
    this.all.delete(s);
    if (s.clientId !== null && this.byId.get(s.clientId) === s) {
      this.byId.delete(s.clientId);
      if (s.mode === 'persistent') this.logger.info({ event: 'leave', clientId: s.clientId, connected: this.byId.size }, `client left (${this.byId.size} joined)`);
      this.engine.onDisconnect(s.clientId);
    }
  }

  private reject(s: Session | null, ws: WebSocket, err: FedrecError): void {
    this.count(err.code);
    this.logger.warn({ event: 'rejected', code: err.code, clientId: s?.clientId ?? null, round: err.round, reason: err.message }, `rejected: ${err.code}`);
    if (ws.readyState === ws.OPEN) {
      const frame: Record<string, unknown> = { type: 'error', code: err.code, message: err.message };
      if (err.round !== undefined) frame.round = err.round;
      ws.send(encodeMessage(frame));
    }
  }

  private count(code: string): void {
    this.rejections.set(code, (this.rejections.get(code) ?? 0) + 1);
  }

  private sweep(): void {
    const cutoff = Date.now() - this.limits.heartbeatTimeoutMs;
    for (const s of this.all) {
      if (s.lastSeen < cutoff) {
        this.reject(s, s.ws, new FedrecError(ErrorCodes.HEARTBEAT_TIMEOUT, `no message for ${this.limits.heartbeatTimeoutMs} ms`));
        s.ws.terminate();
      }
    }
  }

  closeAll(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const s of this.all) s.ws.close(CloseCodes.GOING_AWAY, ErrorCodes.SHUTTING_DOWN);
  }
}
