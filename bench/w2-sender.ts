// Child process of W2: holds many raw `ws` connections to the receiver under test and, on "go",
// streams one pre-encoded full dense update per connection with a fixed number in flight (a new one
// starts when the previous one's answer arrives).
//   fedrec mode: each connection joins (persistent), waits for welcome and the offer, and the update
//     frame carries the offer's round and model version — exactly what FedrecClient sends.
//   bare mode: the same frames to a bare WebSocketServer that drops them and answers a tiny frame.
// Connections are opened by w2-socket.ts (all-zero masking key, as cheap for the sender as can be).

import type WebSocket from 'ws';
import { encodeMessage } from '../shared/protocol/codec.js';
import { float32ToBytes } from '../shared/protocol/binary.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { modelOf, projectClientRound, workloadW1Fallback } from './w1-client-round.js';
import { parentPort } from './util.js';
import { openSenderSocket, streamUploads } from './w2-socket.js';

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
  let gotOffer: () => void = () => {};
  return openSenderSocket<Conn>(url, id, {
    make: (ws) => ({ ws, offer: null, offered: new Promise<void>((r) => (gotOffer = r)), onAnswer: null }),
    join: mode === 'bare' ? null : { type: 'join', protocol: PROTOCOL_VERSION, clientId: id, mode: 'persistent', capabilities: { tasks: ['train'] } },
    onMessage: (msg, c) => {
      if (msg.type === 'offer' && !c.offer) {
        c.offer = { round: msg.round as number, modelVersion: msg.modelVersion as number };
        gotOffer();
        return true;
      }
      return msg.type === 'roundResult';
    },
    onClose: () => {
      closed++;
      gotOffer(); // never wait for an offer on a closed connection
    },
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
  const tally = await streamUploads(conns, inFlight, () => frame);
  port.send({ type: 'done', ...tally, closed });
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
