// Admission before a socket reaches the sessions: every TCP (or TLS) socket must finish its HTTP
// request or upgrade within handshakeTimeoutMs; one address holds at most maxConnectionsPerIp sockets;
// a browser upgrade from an origin not allowed is refused with 403. Refusals are logged and counted
// in the same map as the sessions' rejections.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { ErrorCodes, type ErrorCode } from '../shared/protocol/errors.js';
import { type OriginPolicy, originAllowed } from './origin-policy.js';

export interface GuardLimits {
  handshakeTimeoutMs: number;
  maxConnectionsPerIp: number;
}

interface Tracked {
  ip: string;
  /** Past the per-IP cap when it connected: answered 429 at its first request, never counted. */
  overCap: boolean;
  timer: NodeJS.Timeout | null;
}

/** The peer address, IPv4-mapped IPv6 folded to IPv4 so one host is one key on a dual-stack listener. */
export function ipOf(socket: { remoteAddress?: string }): string {
  const a = socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export class ConnectionGuard {
  private readonly perIp = new Map<string, number>();
  private readonly sockets = new WeakMap<Socket, Tracked>();

  constructor(
    private readonly limits: GuardLimits,
    private readonly origins: OriginPolicy,
    private readonly rejections: Map<string, number>,
    private readonly logger: Logger,
  ) {}

  /** Wires the guard into `server` and routes allowed upgrades to `wss` (created with noServer). */
  attach(server: Server, wss: WebSocketServer, tls: boolean): void {
    // Under TLS the HTTP layer sees the TLS socket; the TLS handshake itself is bounded by the
    // server's handshakeTimeout (set in http-server.ts).
    server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => this.onSocket(socket));
    server.on('request', (req: IncomingMessage) => this.stopTimer(req.socket as Socket));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.stopTimer(socket as Socket);
      const refusal = this.refusal(req);
      if (refusal) return refuseUpgrade(socket, refusal.status, refusal.code, refusal.message);
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
  }

  /** For plain HTTP requests: answers 429 to a socket over the per-IP cap (true: answered). */
  refuseRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const t = this.sockets.get(req.socket as Socket);
    if (!t?.overCap) return false;
    const r = this.capRefusal(t.ip);
    res.writeHead(r.status, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ error: r.code, message: r.message }));
    return true;
  }

  connectionsFrom(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  private onSocket(socket: Socket): void {
    const ip = ipOf(socket);
    const n = this.perIp.get(ip) ?? 0;
    const cap = this.limits.maxConnectionsPerIp; // 0: no limit
    const t: Tracked = { ip, overCap: cap > 0 && n >= cap, timer: null };
    if (!t.overCap) this.perIp.set(ip, n + 1);
    t.timer = setTimeout(() => {
      this.refused(ErrorCodes.HANDSHAKE_TIMEOUT, ip, `no complete HTTP request or upgrade within ${this.limits.handshakeTimeoutMs} ms; socket closed`);
      socket.destroy();
    }, this.limits.handshakeTimeoutMs);
    t.timer.unref();
    this.sockets.set(socket, t);
    socket.once('close', () => {
      if (t.timer) clearTimeout(t.timer);
      if (t.overCap) return;
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    });
  }

  private stopTimer(socket: Socket): void {
    const t = this.sockets.get(socket);
    if (t?.timer) {
      clearTimeout(t.timer);
      t.timer = null;
    }
  }

  private refusal(req: IncomingMessage): { status: number; code: ErrorCode; message: string } | null {
    const t = this.sockets.get(req.socket as Socket);
    const ip = t?.ip ?? ipOf(req.socket);
    if (t?.overCap) return this.capRefusal(ip);
    const origin = req.headers.origin;
    if (!originAllowed(this.origins, origin, req.headers.host)) {
      const message = `WebSocket from origin ${origin} refused: it is not in limits.allowedOrigins`;
      this.refused(ErrorCodes.ORIGIN_NOT_ALLOWED, ip, message, { origin });
      return { status: 403, code: ErrorCodes.ORIGIN_NOT_ALLOWED, message };
    }
    return null;
  }

  private capRefusal(ip: string): { status: number; code: ErrorCode; message: string } {
    const message = `more than ${this.limits.maxConnectionsPerIp} concurrent connections from one address; retry later`;
    this.refused(ErrorCodes.TOO_MANY_CONNECTIONS_FROM_IP, ip, message);
    return { status: 429, code: ErrorCodes.TOO_MANY_CONNECTIONS_FROM_IP, message };
  }

  private refused(code: ErrorCode, ip: string, reason: string, extra: Record<string, unknown> = {}): void {
    this.rejections.set(code, (this.rejections.get(code) ?? 0) + 1);
    this.logger.warn({ event: 'rejected', code, remote: ip, reason, ...extra }, `rejected: ${code}`);
  }
}

function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: code, message });
  const reason = status === 403 ? 'Forbidden' : 'Too Many Requests';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
