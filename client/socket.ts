// The little of WebSocket the client needs, so that the browser's WebSocket and Node's `ws` both fit
// (the Node adapter lives in client/node/). The client core never imports a socket library.

export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SocketFactory = (url: string) => SocketLike;

/** The browser's own WebSocket, when there is one. */
export function browserSocketFactory(): SocketFactory | null {
  const WS = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  return WS ? (url) => new WS(url) : null;
}

/** Frame payloads arrive as ArrayBuffer (browser, ws with binaryType arraybuffer) or Uint8Array. */
export function frameBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  return null;
}
