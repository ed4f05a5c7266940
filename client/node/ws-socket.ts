// Node-only: the `ws` package as the client's socket (Node 20 has no global WebSocket).

import WebSocket from 'ws';
import type { SocketFactory, SocketLike } from '../socket.js';

export interface NodeTlsOptions {
  /** PEM of a private CA to trust for wss:// (as with Node's tls, it replaces the default roots). */
  ca?: string | Buffer;
}

export function nodeSocketFactory(tls: NodeTlsOptions = {}): SocketFactory {
  return (url) => new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024, ...(tls.ca ? { ca: tls.ca } : {}) }) as unknown as SocketLike;
}
