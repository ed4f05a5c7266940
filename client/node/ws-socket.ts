// Node-only: the `ws` package as the client's socket (Node 20 has no global WebSocket).

import WebSocket from 'ws';
import type { SocketFactory, SocketLike } from '../socket.js';

export function nodeSocketFactory(): SocketFactory {
  return (url) => new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 }) as unknown as SocketLike;
}
