// Child process of W2 secure: holds many raw `ws` connections, each a real secure client, and on
// "go" streams one precomputed sa-masked frame per connection with a fixed number in flight (the
// next starts when the previous one's ack arrives).
//   secure mode: each connection joins (persistent, curve x25519) and runs the device side of the
//     round with client/secagg/secure-client-round.ts, as FedrecClient does: fresh keys on the offer,
//     sealed shares on sa-neighbours, opening the relay, then the masked input of W2's update
//     (quantized, self mask + one pairwise mask per neighbour, node:crypto). Masking happens
//     before "go", one connection at a time, so no sender spends CPU on it while the coordinator is
//     timed. After the masked stage it answers sa-unmask-request, so the round unmasks and commits.
//   bare mode: the same number of distinct frames of the same size to a bare WebSocketServer.
// Frames use an all-zero masking key (valid RFC 6455; ws skips the XOR on this side), as in W2.

import WebSocket from 'ws';
import { SecureClientRound } from '../client/secagg/secure-client-round.js';
import { forEachRange } from '../client/middleware/types.js';
import { decodeFrame, encodeMessage } from '../shared/protocol/codec.js';
import type { OfferMessage } from '../shared/protocol/messages.js';
import type { SaNeighboursMessage, SaRelayMessage, SaUnmaskRequestMessage } from '../shared/protocol/secagg-messages.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { nodeSecAggCrypto } from '../shared/node/node-secagg-crypto.js';
import { SeededRandom } from '../shared/random.js';
import { modelOf, projectClientRound, workloadW1Fallback } from './w1-client-round.js';
import { parentPort } from './util.js';

export type SecureSenderIn =
  | { type: 'connect'; url: string; mode: 'secure' | 'bare'; ids: string[]; connectConcurrency: number }
  | { type: 'go'; inFlight: number }
  | { type: 'exit' };
export type SecureSenderOut =
  | { type: 'ready'; connections: number; masked: number; frameBytes: number; maskMs: number }
  | { type: 'done'; sent: number; answered: number; acks: number; errors: number; errorCodes: Record<string, number>; closed: number }
  | { type: 'finished'; unmaskAnswered: number; committed: number }
  | { type: 'fatal'; message: string };

const port = parentPort<SecureSenderIn, SecureSenderOut>();

interface Conn {
  ws: WebSocket;
  round: SecureClientRound | null;
  /** This connection's precomputed frame (secure: its own masked input; bare: a same-size copy). */
  frame: Uint8Array | null;
  /** Resolves when the frame is ready (secure: after the relay was opened and the input masked). */
  prepared: Promise<void>;
  onAnswer: ((msg: Record<string, unknown> | null) => void) | null;
}

const conns: Conn[] = [];
let closed = 0;
let unmaskAnswered = 0;
let committed = 0;
let maskMs = 0;

// W2's update: the W1 client round's clipped dense delta (mostly zeros, 9,066×33 floats), with the
// support the client hands quantization (only the rows the update can touch).
const w = workloadW1Fallback();
const update = projectClientRound(modelOf(w), Float32Array.from(w.user), w).update;
const d = update.delta.length;

/** Masking is CPU-bound: one connection at a time, so 200 model-sized buffers never coexist. */
let maskQueue: Promise<void> = Promise.resolve();

function mask(c: Conn, id: string, offer: { round: number; modelVersion: number }): Promise<void> {
  const run = async () => {
    const t = performance.now();
    const rng = new SeededRandom(`w2s:${id}:${offer.round}`);
    const m = await c.round!.maskedInput({ delta: update.delta, clipped: update.clipped, ranges: (fn) => forEachRange(update, fn) }, offer.modelVersion, () => rng.next());
    c.frame = encodeMessage(m);
    maskMs += performance.now() - t;
  };
  maskQueue = maskQueue.then(run);
  return maskQueue;
}

function open(url: string, id: string, mode: 'secure' | 'bare', fail: (err: unknown) => void): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, generateMask: (m: Buffer) => m.fill(0) });
    let gotFrame: () => void = () => {};
    const c: Conn = { ws, round: null, frame: null, prepared: new Promise<void>((r) => (gotFrame = r)), onAnswer: null };
    let offer: { round: number; modelVersion: number } | null = null;
    let settled = false;
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => {
      if (mode === 'bare') {
        settled = true;
        return resolve(c);
      }
      ws.send(encodeMessage({ type: 'join', protocol: PROTOCOL_VERSION, clientId: id, mode: 'persistent', capabilities: { tasks: ['train'], curves: ['x25519'] } }));
    });
    // The device side of the stages, answered as they arrive (as client/secagg/secure-task.ts does).
    const onStage = async (msg: Record<string, unknown>): Promise<void> => {
      switch (msg.type) {
        case 'offer': {
          const o = msg as unknown as OfferMessage;
          if (!o.secure || c.round) return;
          offer = { round: o.round, modelVersion: o.modelVersion };
          c.round = new SecureClientRound(o.round, o.secure, nodeSecAggCrypto);
          ws.send(encodeMessage(await c.round.keys()));
          return;
        }
        case 'sa-neighbours':
          ws.send(encodeMessage(await c.round!.shares(msg as unknown as SaNeighboursMessage)));
          return;
        case 'sa-relay':
          await c.round!.receive(msg as unknown as SaRelayMessage);
          await mask(c, id, offer!);
          gotFrame();
          return;
        case 'sa-unmask-request':
          ws.send(encodeMessage(c.round!.unmask(msg as unknown as SaUnmaskRequestMessage)));
          unmaskAnswered++;
          return;
        case 'roundResult':
          if (msg.committed === true) committed++;
          maybeFinished();
          return;
      }
    };
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
      if (msg && ['offer', 'sa-neighbours', 'sa-relay', 'sa-unmask-request', 'roundResult'].includes(msg.type as string)) {
        onStage(msg).catch(fail);
        return;
      }
      if (msg?.type === 'welcome' || msg?.type === 'wait') return;
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
      gotFrame(); // never wait for a frame on a closed connection
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

let expectFinished = false;
function maybeFinished(): void {
  if (expectFinished && committed + closed >= conns.length) {
    expectFinished = false;
    port.send({ type: 'finished', unmaskAnswered, committed });
  }
}

/** Bare mode: distinct frames of exactly the size of an sa-masked frame (same sender memory traffic). */
function bareFrames(n: number): Uint8Array[] {
  const masked = new Uint8Array((d + 1) * 4);
  const rng = new SeededRandom('w2s-bare');
  const words = new Uint32Array(masked.buffer);
  for (let i = 0; i < words.length; i++) words[i] = (rng.next() * 4294967296) >>> 0;
  const one = encodeMessage({ type: 'sa-masked', round: 1, modelVersion: 0, masked });
  return Array.from({ length: n }, () => Uint8Array.from(one));
}

async function connect(m: Extract<SecureSenderIn, { type: 'connect' }>, fail: (err: unknown) => void): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(m.connectConcurrency, m.ids.length) }, async () => {
    while (next < m.ids.length) {
      const id = m.ids[next++];
      conns.push(await open(m.url, id, m.mode, fail));
    }
  });
  await Promise.all(lanes);
  if (m.mode === 'bare') bareFrames(conns.length).forEach((f, i) => (conns[i].frame = f));
  else await Promise.all(conns.map((c) => c.prepared));
  const frames = conns.filter((c) => c.frame);
  port.send({ type: 'ready', connections: conns.length, masked: frames.length, frameBytes: frames[0]?.frame!.byteLength ?? 0, maskMs });
}

async function go(inFlight: number): Promise<void> {
  let next = 0, sent = 0, answered = 0, acks = 0, errors = 0;
  const errorCodes: Record<string, number> = {};
  const lanes = Array.from({ length: Math.min(inFlight, conns.length) }, async () => {
    while (next < conns.length) {
      const c = conns[next++];
      if (c.ws.readyState !== WebSocket.OPEN || !c.frame) continue;
      const answer = new Promise<Record<string, unknown> | null>((r) => (c.onAnswer = r));
      c.ws.send(c.frame, { binary: true });
      sent++;
      const msg = await answer;
      c.frame = null; // sent once, as a device does; frees it
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
  expectFinished = true;
  maybeFinished();
}

port.on((m) => {
  const fail = (err: unknown) => port.send({ type: 'fatal', message: String((err as Error)?.stack ?? err) });
  if (m.type === 'connect') connect(m, fail).catch(fail);
  else if (m.type === 'go') go(m.inFlight).catch(fail);
  else if (m.type === 'exit') {
    for (const c of conns) c.ws.terminate();
    setTimeout(() => process.exit(0), 50);
  }
});
