// Node-only helpers shared by `fedrec client` and `fedrec recommend`: the state dir a previous run
// left, the --server URL check, and the --ca/--insecure transport flags.

import { readFile } from 'node:fs/promises';
import { UsageError } from '../../bin/args.js';
import { checkExistingDir, checkInputFile } from '../../bin/path-checks.js';
import { ErrorCodes } from '../../shared/protocol/errors.js';
import type { ClientState } from '../store.js';
import type { FileStore } from './file-store.js';
import { nodeFetch } from './https-fetch.js';

/** The state a previous `fedrec client` left in the state dir; a dir without one is a wrong path. */
export async function existingState(store: FileStore): Promise<ClientState> {
  await checkExistingDir('--state-dir', store.dir);
  const state = await store.load();
  if (!state) {
    throw new UsageError(`--state-dir ${store.dir} holds no fedrec client state (no client-state.msgpack): give the directory used with fedrec client consent and fedrec client`, ErrorCodes.BAD_PATH);
  }
  return state;
}

export function checkServerUrl(url: string): void {
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // not a URL at all: said below
  }
  if (protocol !== 'ws:' && protocol !== 'wss:') throw new UsageError(`--server must be a ws:// or wss:// URL such as ws://127.0.0.1:8787, got "${url}"`);
}

/** --ca and --insecure: the CA for wss:// and for the GET /privacy preflight, and the ws:// opt-in. */
export async function transportOptions(caFile: string | undefined, insecure: boolean) {
  let ca: Buffer | undefined;
  if (caFile !== undefined) {
    await checkInputFile('--ca', caFile);
    ca = await readFile(caFile);
  }
  return { ca, tls: { ca }, client: { allowInsecureTransport: insecure, ...(ca ? { fetch: nodeFetch(ca) } : {}) } };
}
