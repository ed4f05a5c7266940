// A bare `ws` client for protocol tests: sends whatever bytes a test wants (malformed on purpose)
// and collects the coordinator's decoded replies and the close code. No retries, no validation of
// what it sends: that is the point.

import WebSocket from 'ws';
import { decodeFrame, encodeMessage } from '../shared/protocol/codec.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';

export type Frame = Record<string, unknown>;
export interface CloseInfo {
  code: number;
  reason: string;
}

interface Waiter {
  predicate: (m: Frame) => boolean;
  resolve: (m: Frame) => void;
}

export class RawSocket {
  /** Every frame received, in order (undecodable ones as { type: '__undecodable__' }). */
  readonly received: Frame[] = [];
  /** Frames not yet returned by take(). */
  private readonly unread: Frame[] = [];
  private waiters: Waiter[] = [];
  closeInfo: CloseInfo | null = null;
  readonly closed: Promise<CloseInfo>;

  private constructor(readonly ws: WebSocket) {
    ws.on('error', () => {}); // a 1009/1002 close from the server can surface as an error here
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      let m: Frame;
      try {
        m = isBinary ? decodeFrame(new Uint8Array(data)) : { type: '__text__', text: data.toString() };
      } catch (err) {
        m = { type: '__undecodable__', error: (err as Error).message };
      }
      this.received.push(m);
      const w = this.waiters.find((x) => x.predicate(m));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(m);
      } else this.unread.push(m);
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
  }

  static connect(url: string, timeoutMs = 5_000): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const s = new RawSocket(ws); // listeners before 'open': nothing sent right after open is missed
      const timer = setTimeout(() => reject(new Error(`connect to ${url} timed out`)), timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(s);
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`upgrade refused with HTTP ${res.statusCode}`));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Sends raw bytes as a binary frame, or a string as a text frame. */
  send(frame: Uint8Array | string): void {
    if (typeof frame === 'string') this.ws.send(frame, { binary: false });
    else this.ws.send(frame, { binary: true });
  }

  sendMessage(message: object): void {
    this.send(encodeMessage(message));
  }

  /** The first unread frame matching `predicate` (waiting for it if need be); it is then marked read. */
  take(predicate: (m: Frame) => boolean = () => true, timeoutMs = 5_000, what = 'a matching frame'): Promise<Frame> {
    const i = this.unread.findIndex(predicate);
    if (i >= 0) return Promise.resolve(this.unread.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received so far: ${JSON.stringify(this.received.map(summary))}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  takeType(type: string, timeoutMs = 5_000): Promise<Frame> {
    return this.take((m) => m.type === type, timeoutMs, `a "${type}" frame`);
  }

  /** The next unread error frame (any code: the caller asserts which). */
  takeError(timeoutMs = 5_000): Promise<Frame> {
    return this.takeType('error', timeoutMs);
  }

  /** Unread frames of a type, without waiting. */
  peek(type: string): Frame[] {
    return this.unread.filter((m) => m.type === type);
  }

  /** Sends a valid join and waits for the welcome. */
  async join(clientId: string, extra: Partial<Frame> = {}): Promise<Frame> {
    this.sendMessage({ type: 'join', protocol: PROTOCOL_VERSION, clientId, mode: 'persistent', capabilities: { tasks: ['train', 'evaluate'] }, ...extra });
    return this.takeType('welcome');
  }

  waitClose(timeoutMs = 5_000): Promise<CloseInfo> {
    return Promise.race([
      this.closed,
      new Promise<CloseInfo>((_, reject) => setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  /** Drops the TCP connection without a close handshake (a crashed device). */
  terminate(): void {
    this.ws.terminate();
  }
}

function summary(m: Frame): unknown {
  return m.type === 'error' ? { type: 'error', code: m.code } : { type: m.type, round: m.round };
}
