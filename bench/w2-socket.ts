// One raw `ws` connection of a W2 sender process (w2-sender.ts, w2-secure-sender.ts): opened with an
// all-zero masking key (valid RFC 6455; ws skips the XOR on this side, so senders sharing the cores
// with the receiver spend as little CPU as they can), joined when a join message is given, and ready on
// the welcome (or at once, for the bare-ws floor). Frames the sender's own hook does not take are
// answers to its uploads; a close answers the pending upload with null.

import WebSocket from 'ws';
import { decodeFrame, encodeMessage } from '../shared/protocol/codec.js';

export interface SenderSocket {
  ws: WebSocket;
  /** Called with the next answer to an upload (an ack or an error), or null when the socket closed. */
  onAnswer: ((msg: Record<string, unknown> | null) => void) | null;
}

export interface SenderSocketHooks<C extends SenderSocket> {
  /** Builds the connection record around its socket. */
  make(ws: WebSocket): C;
  /** Sent on open; null for the bare floor, which is ready as soon as it is open. */
  join: object | null;
  /** Takes the frames of the sender's own protocol (offers, secure stages); true when it did. */
  onMessage(msg: Record<string, unknown>, c: C): boolean;
  /** The socket closed (count it, stop waiting for it). */
  onClose(c: C): void;
}

export function openSenderSocket<C extends SenderSocket>(url: string, id: string, hooks: SenderSocketHooks<C>): Promise<C> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, generateMask: (mask: Buffer) => mask.fill(0) });
    const c = hooks.make(ws);
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(c);
    };
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => {
      if (hooks.join === null) return settle(null);
      ws.send(encodeMessage(hooks.join));
    });
    ws.on('message', (data: Buffer) => {
      let msg: Record<string, unknown> | null = null;
      try {
        msg = decodeFrame(data);
      } catch {
        msg = null;
      }
      if (msg?.type === 'welcome' && !settled) return settle(null);
      if (msg && hooks.onMessage(msg, c)) return;
      if (msg?.type === 'welcome' || msg?.type === 'wait') return;
      const cb = c.onAnswer;
      c.onAnswer = null;
      cb?.(msg);
    });
    ws.on('error', (err) => settle(err));
    ws.on('close', () => {
      hooks.onClose(c);
      const cb = c.onAnswer;
      c.onAnswer = null;
      cb?.(null);
      settle(new Error(`connection ${id} closed before it was ready`));
    });
  });
}

/** A sender's tally of one timed window (its 'done' message). */
export interface UploadTally {
  sent: number;
  answered: number;
  acks: number;
  errors: number;
  errorCodes: Record<string, number>;
}

/**
 * Sends one frame per open connection, `inFlight` at a time: a lane starts its next upload when the
 * previous one's answer (ack, error or close) arrives. `frameOf` returns null to skip a connection;
 * `sentOne` runs after each answer.
 */
export async function streamUploads<C extends SenderSocket>(conns: readonly C[], inFlight: number, frameOf: (c: C) => Uint8Array | null, sentOne: (c: C) => void = () => {}): Promise<UploadTally> {
  const t: UploadTally = { sent: 0, answered: 0, acks: 0, errors: 0, errorCodes: {} };
  let next = 0;
  const lanes = Array.from({ length: Math.min(inFlight, conns.length) }, async () => {
    while (next < conns.length) {
      const c = conns[next++];
      const frame = frameOf(c);
      if (c.ws.readyState !== WebSocket.OPEN || !frame) continue;
      const answer = new Promise<Record<string, unknown> | null>((r) => (c.onAnswer = r));
      c.ws.send(frame, { binary: true });
      t.sent++;
      const msg = await answer;
      sentOne(c);
      if (msg) t.answered++;
      if (msg?.type === 'ack') t.acks++;
      else if (msg?.type === 'error') {
        t.errors++;
        const code = String(msg.code);
        t.errorCodes[code] = (t.errorCodes[code] ?? 0) + 1;
      }
    }
  });
  await Promise.all(lanes);
  return t;
}
