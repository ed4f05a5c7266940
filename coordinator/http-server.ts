// The coordinator's listening server: node:http, or node:https when a certificate is configured, with
// every pre-upgrade timeout bounded by limits.handshakeTimeoutMs (Node's defaults are minutes).

import { readFile } from 'node:fs/promises';
import { createServer as createHttp, type RequestListener, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export async function createHttpServer(tls: TlsFiles | null, handshakeTimeoutMs: number, handler: RequestListener): Promise<Server> {
  // How often Node checks headersTimeout/requestTimeout (default 30 s would blur the limit).
  const checkEvery = Math.max(50, Math.min(1_000, Math.floor(handshakeTimeoutMs / 4)));
  const timeouts = {
    // The first request is bounded by connection-guard.ts's per-socket timer (coded and logged);
    // these bound later requests on a keep-alive socket, one check interval behind it.
    headersTimeout: handshakeTimeoutMs + checkEvery,
    requestTimeout: handshakeTimeoutMs + checkEvery,
    // Idle keep-alive sockets go too, and never outlive a handshake's allowance.
    keepAliveTimeout: Math.min(5_000, handshakeTimeoutMs),
    connectionsCheckingInterval: checkEvery,
  };
  if (!tls) return createHttp(timeouts, handler);
  const [cert, key] = await Promise.all([pem(tls.certFile, 'certificate'), pem(tls.keyFile, 'key')]);
  // handshakeTimeout bounds the TLS handshake, before any HTTP is read.
  try {
    return createHttps({ ...timeouts, cert, key, handshakeTimeout: handshakeTimeoutMs }, handler) as unknown as Server;
  } catch (err) {
    throw new Error(`the TLS certificate ${tls.certFile} and key ${tls.keyFile} are not a usable PEM pair: ${(err as Error).message}`, { cause: err });
  }
}

async function pem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw new Error(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}
