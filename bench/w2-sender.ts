// Child process of W2: holds many raw `ws` connections to the receiver under test and, on "go",
// streams one pre-encoded full dense update per connection with a fixed number in flight (a new one
// starts when the previous one's answer arrives).
//   fedrec mode: each connection joins (persistent), waits for welcome and the offer, and the update
//     frame carries the offer's round and model version — exactly what FedrecClient sends.
//   bare mode: the same frames to a bare WebSocketServer that drops them and answers a tiny frame.
// Frames use an all-zero masking key (valid RFC 6455; ws skips the XOR on this side) so that the
// senders, which share the 2 cores with the receiver, spend as little CPU as they can.

import WebSocket from 'ws';
import { decodeFrame, encodeMessage } from '../shared/protocol/codec.js';
import { float32ToBytes } from '../shared/protocol/binary.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { modelOf, projectClientRound, workloadW1Fallback } from './w1-client-round.js';
import { parentPort } from './util.js';

export type SenderIn =
  | { type: 'connect'; url: string; mode: 'fedrec' | 'bare'; ids: string[]; connectConcurrency: number }
  | { type: 'go'; inFlight: number }
  | { type: 'exit' };
export type SenderOut =
  | { type: 'ready'; connections: number; offered: number; round: number; modelVersion: number; frameBytes: number }
  | { type: 'done'; sent: number; answered: number; acks: number; errors: number; errorCodes: Record<string, number>; closed: number }
  | { type: 'fatal'; message: string };

const port = parentPort<SenderIn, SenderOut>();

interface Conn {
  ws: WebSocket;
  offer: { round: number; modelVersion: number } | null;
  /** Resolves when the offer arrives (fedrec mode; the round opens only once everyone has joined). */
  offered: Promise<void>;
  onAnswer: ((msg: Record<string, unknown> | null) => void) | null;
}

const conns: Conn[] = [];
let closed = 0;
let mode: 'fedrec' | 'bare' = 'fedrec';

// One realistic update: the W1 client round's clipped dense delta (mostly zeros, 9,066×33 floats).
const w = workloadW1Fallback();
const delta = projectClientRound(modelOf(w), Float32Array.from(w.user), w).update.delta;

function open(url: string, id: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, generateMask: (mask: Buffer) => mask.fill(0) });
    let gotOffer: () => void = () => {};
    const c: Conn = { ws, offer: null, offered: new Promise<void>((r) => (gotOffer = r)), onAnswer: null };
    let settled = false;
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => {
      if (mode === 'bare') {
        settled = true;
        return resolve(c);
      }
      ws.send(encodeMessage({ type: 'join', protocol: PROTOCOL_VERSION, clientId: id, mode: 'persistent', capabilities: { tasks: ['train'] } }));
    });
    ws.on('message', (data: Buffer) => {
      let msg: Record<string, unknown> | null = null;
      try {
        msg = decodeFrame(data);
      } catch {
        msg = null;
      }
      if (msg?.type === 'welcome' && !settled) {
        settled = true;
        return resolve(c);
      }
      if (msg?.type === 'offer' && !c.offer) {
        c.offer = { round: msg.round as number, modelVersion: msg.modelVersion as number };
        return gotOffer();
      }
      if (msg?.type === 'welcome' || msg?.type === 'roundResult' || msg?.type === 'wait') return;
      const cb = c.onAnswer;
      c.onAnswer = null;
      cb?.(msg);
    });
    ws.on('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    ws.on('close', () => {
      closed++;
      gotOffer(); // never wait for an offer on a closed connection
      const cb = c.onAnswer;
      c.onAnswer = null;
      cb?.(null);
      if (!settled) {
        settled = true;
        reject(new Error(`connection ${id} closed before it was ready`));
      }
    });
  });
}

async function connect(m: Extract<SenderIn, { type: 'connect' }>): Promise<void> {
  mode = m.mode;
  let next = 0;
  const lanes = Array.from({ length: Math.min(m.connectConcurrency, m.ids.length) }, async () => {
    while (next < m.ids.length) {
      const id = m.ids[next++];
      conns.push(await open(m.url, id));
    }
  });
  await Promise.all(lanes);
  if (mode === 'fedrec') await Promise.all(conns.map((c) => c.offered));
  const first = conns.find((c) => c.offer)?.offer ?? { round: 1, modelVersion: 0 };
  frame = encodeMessage({ type: 'update', round: first.round, modelVersion: first.modelVersion, delta: float32ToBytes(delta), clipped: false });
  port.send({ type: 'ready', connections: conns.length, offered: conns.filter((c) => c.offer).length, round: first.round, modelVersion: first.modelVersion, frameBytes: frame.byteLength });
}

let frame: Uint8Array = new Uint8Array(0);

async function go(inFlight: number): Promise<void> {
  let next = 0, sent = 0, answered = 0, acks = 0, errors = 0;
  const errorCodes: Record<string, number> = {};
  const lanes = Array.from({ length: Math.min(inFlight, conns.length) }, async () => {
    while (next < conns.length) {
      const c = conns[next++];
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      const answer = new Promise<Record<string, unknown> | null>((r) => (c.onAnswer = r));
      c.ws.send(frame, { binary: true });
      sent++;
      const msg = await answer;
      if (msg) answered++;
      if (msg?.type === 'ack') acks++;
      else if (msg?.type === 'error') {
        errors++;
        const code = String(msg.code);
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      }
    }
  });
  await Promise.all(lanes);
  port.send({ type: 'done', sent, answered, acks, errors, errorCodes, closed });
}

port.on((m) => {
  const fail = (err: unknown) => port.send({ type: 'fatal', message: String((err as Error)?.stack ?? err) });
  if (m.type === 'connect') connect(m).catch(fail);
  else if (m.type === 'go') go(m.inFlight).catch(fail);
  else if (m.type === 'exit') {
    for (const c of conns) c.ws.terminate();
    setTimeout(() => process.exit(0), 50);
  }
});
