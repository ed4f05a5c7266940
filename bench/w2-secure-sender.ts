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
// Connections are opened by w2-socket.ts (all-zero masking key), as in W2.

import type WebSocket from 'ws';
import { SecureClientRound } from '../client/secagg/secure-client-round.js';
import { forEachRange } from '../client/middleware/types.js';
import { encodeMessage } from '../shared/protocol/codec.js';
import type { OfferMessage } from '../shared/protocol/messages.js';
import type { SaNeighboursMessage, SaRelayMessage, SaUnmaskRequestMessage } from '../shared/protocol/secagg-messages.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { nodeSecAggCrypto } from '../shared/node/node-secagg-crypto.js';
import { SeededRandom } from '../shared/random.js';
import { modelOf, projectClientRound, workloadW1Fallback } from './w1-client-round.js';
import { parentPort } from './util.js';
import { openSenderSocket, streamUploads } from './w2-socket.js';

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
  let gotFrame: () => void = () => {};
  let offer: { round: number; modelVersion: number } | null = null;
  // The device side of the stages, answered as they arrive (as client/secagg/secure-task.ts does).
  const onStage = async (msg: Record<string, unknown>, c: Conn): Promise<void> => {
    switch (msg.type) {
      case 'offer': {
        const o = msg as unknown as OfferMessage;
        if (!o.secure || c.round) return;
        offer = { round: o.round, modelVersion: o.modelVersion };
        c.round = new SecureClientRound(o.round, o.secure, nodeSecAggCrypto);
        c.ws.send(encodeMessage(await c.round.keys()));
        return;
      }
      case 'sa-neighbours':
        c.ws.send(encodeMessage(await c.round!.shares(msg as unknown as SaNeighboursMessage)));
        return;
      case 'sa-relay':
        await c.round!.receive(msg as unknown as SaRelayMessage);
        await mask(c, id, offer!);
        gotFrame();
        return;
      case 'sa-unmask-request':
        c.ws.send(encodeMessage(c.round!.unmask(msg as unknown as SaUnmaskRequestMessage)));
        unmaskAnswered++;
        return;
      case 'roundResult':
        if (msg.committed === true) committed++;
        maybeFinished();
        return;
    }
  };
  return openSenderSocket<Conn>(url, id, {
    make: (ws) => ({ ws, round: null, frame: null, prepared: new Promise<void>((r) => (gotFrame = r)), onAnswer: null }),
    join: mode === 'bare' ? null : { type: 'join', protocol: PROTOCOL_VERSION, clientId: id, mode: 'persistent', capabilities: { tasks: ['train'], curves: ['x25519'] } },
    onMessage: (msg, c) => {
      if (!['offer', 'sa-neighbours', 'sa-relay', 'sa-unmask-request', 'roundResult'].includes(msg.type as string)) return false;
      onStage(msg, c).catch(fail);
      return true;
    },
    onClose: () => {
      closed++;
      gotFrame(); // never wait for a frame on a closed connection
    },
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
  // Each frame is sent once, as a device does, and freed after its answer.
  const tally = await streamUploads(conns, inFlight, (c) => c.frame, (c) => (c.frame = null));
  port.send({ type: 'done', ...tally, closed });
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
