// Child process of W3: thousands of raw `ws` connections to the coordinator, each joining in
// persistent mode and then heartbeating at the interval the welcome names (random phase per
// client), counting heartbeats sent and answered, offers received, and closes by the coordinator.

import WebSocket from 'ws';
import { decodeFrame, encodeMessage } from '../shared/protocol/codec.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { parentPort } from './util.js';

export type ClientsIn =
  | { type: 'connect'; url: string; ids: string[]; localAddress: string; connectConcurrency: number }
  | { type: 'join-one'; id: string }
  | { type: 'report' }
  | { type: 'stop-heartbeats' }
  | { type: 'exit' };
export interface ClientsCounts {
  connected: number;
  joined: number;
  failed: number;
  heartbeatsSent: number;
  heartbeatsAnswered: number;
  offers: number;
  offerBytes: number;
  closedByServer: number;
  closeCodes: Record<string, number>;
  errorFrames: Record<string, number>;
}
export type ClientsOut =
  | ({ type: 'ready' } & ClientsCounts)
  | ({ type: 'report' } & ClientsCounts)
  | { type: 'joined-one'; ok: boolean }
  | { type: 'progress'; joined: number }
  | { type: 'fatal'; message: string };

const port = parentPort<ClientsIn, ClientsOut>();
const counts: ClientsCounts = { connected: 0, joined: 0, failed: 0, heartbeatsSent: 0, heartbeatsAnswered: 0, offers: 0, offerBytes: 0, closedByServer: 0, closeCodes: {}, errorFrames: {} };
const sockets: WebSocket[] = [];
const timers = new Set<NodeJS.Timeout>();
let heartbeating = true;
let stopping = false;
let url = '';
let localAddress = '127.0.0.1';

function open(id: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024, localAddress });
    ws.binaryType = 'nodebuffer';
    let joined = false;
    let timer: NodeJS.Timeout | null = null;
    const done = (ok: boolean) => {
      if (!ok) counts.failed++;
      resolve(ok);
    };
    ws.on('open', () => {
      counts.connected++;
      sockets.push(ws);
      ws.send(encodeMessage({ type: 'join', protocol: PROTOCOL_VERSION, clientId: id, mode: 'persistent', capabilities: { tasks: ['train', 'evaluate'] } }));
    });
    ws.on('message', (data: Buffer) => {
      let msg: Record<string, unknown>;
      try {
        msg = decodeFrame(data);
      } catch {
        return;
      }
      switch (msg.type) {
        case 'welcome': {
          if (joined) return;
          joined = true;
          counts.joined++;
          const interval = (msg.limits as { heartbeatIntervalMs: number }).heartbeatIntervalMs;
          const beat = () => {
            if (!heartbeating || ws.readyState !== WebSocket.OPEN) return;
            ws.send(encodeMessage({ type: 'heartbeat', sentAt: Date.now() }));
            counts.heartbeatsSent++;
          };
          // A random phase, then every interval (as FedrecClient does once welcomed).
          const first = setTimeout(() => {
            timers.delete(first);
            beat();
            timer = setInterval(beat, interval);
            timers.add(timer);
          }, Math.random() * interval);
          timers.add(first);
          return done(true);
        }
        case 'heartbeat':
          counts.heartbeatsAnswered++;
          return;
        case 'offer':
          counts.offers++;
          counts.offerBytes += data.byteLength;
          return;
        case 'error': {
          const code = String(msg.code);
          counts.errorFrames[code] = (counts.errorFrames[code] ?? 0) + 1;
          return;
        }
      }
    });
    ws.on('error', () => {
      if (!joined) {
        joined = true; // settle once
        done(false);
      }
    });
    ws.on('close', (code) => {
      if (timer) {
        clearInterval(timer);
        timers.delete(timer);
      }
      if (!stopping) {
        counts.closedByServer++;
        counts.closeCodes[String(code)] = (counts.closeCodes[String(code)] ?? 0) + 1;
      }
      if (!joined) {
        joined = true;
        done(false);
      }
    });
  });
}

async function connect(m: Extract<ClientsIn, { type: 'connect' }>): Promise<void> {
  url = m.url;
  localAddress = m.localAddress;
  let next = 0;
  const lanes = Array.from({ length: Math.min(m.connectConcurrency, m.ids.length) }, async () => {
    while (next < m.ids.length) {
      await open(m.ids[next++]);
      if (counts.joined % 500 === 0) port.send({ type: 'progress', joined: counts.joined });
    }
  });
  await Promise.all(lanes);
  port.send({ type: 'ready', ...counts });
}

port.on((m) => {
  const fail = (err: unknown) => port.send({ type: 'fatal', message: String((err as Error)?.stack ?? err) });
  switch (m.type) {
    case 'connect':
      connect(m).catch(fail);
      return;
    case 'join-one':
      open(m.id).then((ok) => port.send({ type: 'joined-one', ok }), fail);
      return;
    case 'report':
      port.send({ type: 'report', ...counts });
      return;
    case 'stop-heartbeats':
      heartbeating = false;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return;
    case 'exit':
      stopping = true;
      heartbeating = false;
      for (const t of timers) clearTimeout(t);
      for (const ws of sockets) ws.terminate();
      setTimeout(() => process.exit(0), 100);
      return;
  }
});
