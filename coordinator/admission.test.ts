// Admission control against a real coordinator on port 0: silent TCP sockets, sockets that upgrade
// but never join, the per-address connection cap, the per-address registration rate and the Origin
// allow-list. Each refusal: its code, its close code or HTTP status, and its counter.

import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCodes, ErrorCodes } from '../shared/protocol/errors.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { encodeMessage, decodeFrame } from '../shared/protocol/codec.js';
import { useHarness } from '../test-helpers/harness.js';
import { resolveConfig } from './config.js';
import type { RunningCoordinator } from './coordinator.js';

const h = useHarness();

type Limits = Partial<ReturnType<typeof resolveConfig>['limits']>;

/** No round ever opens (minClients far above what joins): only admission is exercised. */
function start(limits: Limits): Promise<RunningCoordinator> {
  return h.coordinator({ aggregation: 'plaintext', minClients: 1000, evaluation: { every: 0 }, limits });
}

const rejections = (c: RunningCoordinator, code: string) => c.sessions.rejections.get(code) ?? 0;

type Upgrade = { ws: WebSocket; frames: Record<string, unknown>[]; closed: Promise<{ code: number; reason: string }> } | { status: number; body: Record<string, unknown> };

/** Opens a WebSocket from `localAddress` (127.0.0.x are all this machine) with an optional Origin. */
function open(c: RunningCoordinator, options: { localAddress?: string; origin?: string } = {}): Promise<Upgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(c.url, { perMessageDeflate: false, ...options });
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (d: Buffer) => frames.push(decodeFrame(new Uint8Array(d))));
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    ws.once('open', () => {
      cleanup(() => ws.terminate());
      resolve({ ws, frames, closed });
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    ws.on('error', (err) => reject(err));
  });
}

/** Client sockets opened by a test, dropped after it (before the harness closes the coordinator). */
const pending: (() => void)[] = [];
function cleanup(f: () => void): void {
  pending.push(f);
}
afterEach(() => {
  while (pending.length) pending.pop()!();
});

function opened(u: Upgrade): Extract<Upgrade, { ws: WebSocket }> {
  if (!('ws' in u)) throw new Error(`upgrade refused with ${u.status} ${JSON.stringify(u.body)}`);
  return u;
}

async function joinAs(u: Upgrade, clientId: string): Promise<Record<string, unknown>> {
  const s = opened(u);
  s.ws.send(encodeMessage({ type: 'join', protocol: PROTOCOL_VERSION, clientId, mode: 'persistent', capabilities: { tasks: ['train'] } }));
  return waitFor(() => s.frames.find((f) => f.type === 'welcome' || f.type === 'error'), `an answer to ${clientId}'s join`);
}

async function waitFor<T>(get: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function silentSocket(port: number): Promise<{ socket: Socket; closedAt: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    const closedAt = new Promise<number>((r) => socket.on('close', () => r(Date.now())));
    socket.once('connect', () => {
      cleanup(() => socket.destroy());
      resolve({ socket, closedAt });
    });
    socket.once('error', reject);
  });
}

describe('handshakeTimeoutMs', () => {
  it('closes a TCP socket that never sends a request, and its slot then admits a newcomer', async () => {
    const c = await start({ handshakeTimeoutMs: 300, maxConnectionsPerIp: 1 });
    const t0 = Date.now();
    const { closedAt } = await silentSocket(c.port);
    // While it lives, it holds this address's only slot.
    const refused = await open(c);
    expect(refused).toMatchObject({ status: 429, body: { error: ErrorCodes.TOO_MANY_CONNECTIONS_FROM_IP } });
    const elapsed = (await closedAt) - t0;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
    expect(rejections(c, ErrorCodes.HANDSHAKE_TIMEOUT)).toBe(1);
    expect(await joinAs(await open(c), 'newcomer')).toMatchObject({ type: 'welcome' });
  });

  it('closes a socket that sends half a request (slowloris) within the timeout', async () => {
    const c = await start({ handshakeTimeoutMs: 300 });
    const t0 = Date.now();
    const { socket, closedAt } = await silentSocket(c.port);
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const timer = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 50);
    const elapsed = (await closedAt) - t0;
    clearInterval(timer);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('closes an idle keep-alive socket after its request was answered', async () => {
    const c = await start({ handshakeTimeoutMs: 300 });
    const { socket, closedAt } = await silentSocket(c.port);
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    const t0 = Date.now();
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const elapsed = (await closedAt) - t0;
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    // Node closes an idle keep-alive socket up to a second after keepAliveTimeout.
    expect(elapsed).toBeLessThan(3_000);
  });
});

describe('joinTimeoutMs', () => {
  it('closes an upgraded socket that never joins with 1008 FEDREC_JOIN_TIMEOUT and frees its slot', async () => {
    const c = await start({ joinTimeoutMs: 300, maxClients: 1 });
    const idle = opened(await open(c));
    // The one slot is taken: a second socket is refused with 1013 until the idle one goes.
    const second = opened(await open(c));
    expect((await second.closed).code).toBe(CloseCodes.TRY_AGAIN_LATER);
    const closed = await idle.closed;
    expect(closed).toEqual({ code: CloseCodes.POLICY_VIOLATION, reason: ErrorCodes.JOIN_TIMEOUT });
    expect(idle.frames).toContainEqual(expect.objectContaining({ type: 'error', code: ErrorCodes.JOIN_TIMEOUT }));
    expect(rejections(c, ErrorCodes.JOIN_TIMEOUT)).toBe(1);
    expect(await joinAs(await open(c), 'after-timeout')).toMatchObject({ type: 'welcome' });
  });

  it('leaves a joined socket alone', async () => {
    const c = await start({ joinTimeoutMs: 200 });
    const s = opened(await open(c));
    expect(await joinAs(s, 'prompt')).toMatchObject({ type: 'welcome' });
    await new Promise((r) => setTimeout(r, 400));
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
    expect(rejections(c, ErrorCodes.JOIN_TIMEOUT)).toBe(0);
  });
});

describe('maxConnectionsPerIp', () => {
  it('refuses the connection over the cap with 429, per address, and admits again when one closes', async () => {
    const c = await start({ maxConnectionsPerIp: 2 });
    const a = opened(await open(c, { localAddress: '127.0.0.1' }));
    opened(await open(c, { localAddress: '127.0.0.1' }));
    const over = await open(c, { localAddress: '127.0.0.1' });
    expect(over).toMatchObject({ status: 429, body: { error: ErrorCodes.TOO_MANY_CONNECTIONS_FROM_IP } });
    expect(rejections(c, ErrorCodes.TOO_MANY_CONNECTIONS_FROM_IP)).toBe(1);
    // Plain HTTP from the same address is over the cap too.
    const http = await fetch(`${c.httpUrl}/health`);
    expect([http.status, (await http.json()).error]).toEqual([429, ErrorCodes.TOO_MANY_CONNECTIONS_FROM_IP]);
    // Another address is not affected.
    expect(await joinAs(await open(c, { localAddress: '127.0.0.2' }), 'other-host')).toMatchObject({ type: 'welcome' });
    a.ws.close();
    await a.closed;
    await waitFor(() => (c.sessions.connected === 2 ? true : undefined), 'the server to see the close');
    expect(await joinAs(await open(c, { localAddress: '127.0.0.1' }), 'back-under-cap')).toMatchObject({ type: 'welcome' });
  });
});

describe('registrationsPerIpPerMinute', () => {
  it('refuses new ids beyond the rate with FEDREC_RATE_LIMITED and registers nothing; known ids and other addresses pass', async () => {
    const c = await start({ registrationsPerIpPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect(await joinAs(await open(c, { localAddress: '127.0.0.1' }), `id-${i}`)).toMatchObject({ type: 'welcome' });
    const before = c.engine.status().registered;
    const limited = await joinAs(await open(c, { localAddress: '127.0.0.1' }), 'id-3');
    expect(limited).toMatchObject({ type: 'error', code: ErrorCodes.RATE_LIMITED });
    expect(c.engine.status().registered).toBe(before);
    expect(rejections(c, ErrorCodes.RATE_LIMITED)).toBe(1);
    // Rejoining with a registered id costs no token.
    expect(await joinAs(await open(c, { localAddress: '127.0.0.1' }), 'id-0')).toMatchObject({ type: 'welcome' });
    expect(await joinAs(await open(c, { localAddress: '127.0.0.2' }), 'id-4')).toMatchObject({ type: 'welcome' });
  });
});

describe('allowedOrigins', () => {
  it('refuses a browser upgrade from another origin with 403 by default; no Origin and same origin pass', async () => {
    const c = await start({});
    const refused = await open(c, { origin: 'https://evil.example' });
    expect(refused).toMatchObject({ status: 403, body: { error: ErrorCodes.ORIGIN_NOT_ALLOWED } });
    expect(rejections(c, ErrorCodes.ORIGIN_NOT_ALLOWED)).toBe(1);
    expect(await joinAs(await open(c), 'node-client')).toMatchObject({ type: 'welcome' });
    expect(await joinAs(await open(c, { origin: c.httpUrl }), 'same-origin')).toMatchObject({ type: 'welcome' });
  });

  it('admits listed origins, sends CORS headers to them only, and answers the preflight', async () => {
    const c = await start({ allowedOrigins: ['https://app.example'] });
    expect(await joinAs(await open(c, { origin: 'https://app.example' }), 'from-app')).toMatchObject({ type: 'welcome' });
    expect(await open(c, { origin: 'https://evil.example' })).toMatchObject({ status: 403 });
    for (const path of ['/health', '/round', '/privacy']) {
      const ok = await fetch(`${c.httpUrl}${path}`, { headers: { origin: 'https://app.example' } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const other = await fetch(`${c.httpUrl}${path}`, { headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    }
    const pre = await fetch(`${c.httpUrl}/privacy`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(pre.headers.get('access-control-allow-methods')).toContain('GET');
    const bad = await fetch(`${c.httpUrl}/privacy`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${c.httpUrl}/health`, { method: 'POST' })).status).toBe(405);
  });

  it("['*'] admits any origin", async () => {
    const c = await start({ allowedOrigins: ['*'] });
    expect(await joinAs(await open(c, { origin: 'https://anything.example' }), 'anywhere')).toMatchObject({ type: 'welcome' });
    const res = await fetch(`${c.httpUrl}/health`, { headers: { origin: 'https://anything.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://anything.example');
  });
});

describe('admission options', () => {
  it('have safe defaults and refuse bad values with a sentence naming them', () => {
    const l = resolveConfig({ host: '0.0.0.0', registration: 'open' }).limits;
    expect(l).toMatchObject({ handshakeTimeoutMs: 10_000, joinTimeoutMs: 10_000, maxConnectionsPerIp: 50, registrationsPerIpPerMinute: 30, allowedOrigins: [] });
    // On loopback every peer is this machine: per-address limits are off unless set.
    expect(resolveConfig().limits).toMatchObject({ maxConnectionsPerIp: 0, registrationsPerIpPerMinute: 0 });
    expect(resolveConfig({ limits: { maxConnectionsPerIp: 5 } }).limits).toMatchObject({ maxConnectionsPerIp: 5, registrationsPerIpPerMinute: 0 });
    expect(resolveConfig().tls).toBeNull();
    expect(() => resolveConfig({ limits: { handshakeTimeoutMs: 0 } })).toThrow(/limits.handshakeTimeoutMs/);
    expect(() => resolveConfig({ limits: { joinTimeoutMs: -1 } })).toThrow(/limits.joinTimeoutMs/);
    expect(() => resolveConfig({ limits: { maxConnectionsPerIp: 1.5 } })).toThrow(/limits.maxConnectionsPerIp/);
    expect(() => resolveConfig({ limits: { registrationsPerIpPerMinute: -1 } })).toThrow(/limits.registrationsPerIpPerMinute/);
    expect(() => resolveConfig({ limits: { allowedOrigins: ['app.example/path'] } })).toThrow(/limits.allowedOrigins/);
    expect(() => resolveConfig({ tls: { certFile: '', keyFile: 'k.pem' } })).toThrow(/tls/);
  });
});
