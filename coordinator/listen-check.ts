// Node-only: can this process listen on --host/--port? Asked before the coordinator loads its state,
// so a busy port or a wrong host is one sentence with its code (exit 2), not a crash after the work.

import { lookup } from 'node:dns/promises';
import { createServer } from 'node:net';
import { UsageError } from '../bin/args.js';
import { ErrorCodes } from '../shared/protocol/errors.js';

/** Resolves the host and binds, then releases, the port (port 0 always has a free one). */
export async function checkListen(host: string, port: number): Promise<void> {
  try {
    await lookup(host);
  } catch (err) {
    throw listenError(err, host, port) ?? new UsageError(`--host ${host} cannot be resolved: ${(err as Error).message}`, ErrorCodes.BAD_HOST);
  }
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (err) {
    throw listenError(err, host, port) ?? err;
  } finally {
    await new Promise<void>((resolve) => (probe.listening ? probe.close(() => resolve()) : resolve()));
  }
}

/** The sentence for a failure to bind, or null if `err` is something else. */
export function listenError(err: unknown, host: string, port: number): UsageError | null {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  switch (e?.code ?? e?.cause?.code) {
    case 'EADDRINUSE':
      return new UsageError(`port ${port} on ${host} is already in use: stop the other server or choose another --port`, ErrorCodes.PORT_IN_USE);
    case 'EACCES':
      return new UsageError(`port ${port} on ${host} needs privileges this user lacks: choose a --port above 1023`, ErrorCodes.PORT_IN_USE);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new UsageError(`--host ${host} cannot be resolved to an address: give a name or IP address of this machine (127.0.0.1 for loopback, 0.0.0.0 for every interface)`, ErrorCodes.BAD_HOST);
    case 'EADDRNOTAVAIL':
      return new UsageError(`--host ${host} is not an address of this machine: give one of its own addresses (127.0.0.1 for loopback, 0.0.0.0 for every interface)`, ErrorCodes.BAD_HOST);
    default:
      return null;
  }
}
