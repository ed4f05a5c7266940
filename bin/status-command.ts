// `fedrec status URL`: what the dashboard shows, in a terminal, from GET /dashboard/state. --watch
// redraws every 2 s until Ctrl-C. Exit codes: 0 ok (and after Ctrl-C), 1 the coordinator cannot be
// read (FEDREC_UNREACHABLE, FEDREC_UNAUTHORIZED, FEDREC_ADMIN_DISABLED), 2 a usage mistake.

import { readFile } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { isLoopbackHost } from '../coordinator/config.js';
import { readAdminToken } from '../coordinator/admin-access.js';
import type { DashboardSnapshot } from '../coordinator/dashboard/snapshot.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import { parseFlags, UsageError } from './args.js';
import { checkInputFile } from './path-checks.js';
import { formatStatus } from './status-view.js';

export const statusUsage = `fedrec status URL [--watch] [--token-file FILE] [--ca FILE.pem] [--json]
  URL                 the coordinator: http(s):// or ws(s)://, as in http://127.0.0.1:8787
  --watch             redraw every 2 s until Ctrl-C
  --token-file FILE   the operator token (the file given to the coordinator's --admin-token-file)
  --ca FILE.pem       trust this (private) CA for an https:// coordinator
  --json              print GET /dashboard/state (with --watch: one line per refresh)`;

const WATCH_EVERY_MS = 2_000;
const TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface Target {
  base: string;
  token: string | null;
  ca: Buffer | undefined;
}

export async function runStatusCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { watch: { type: 'boolean' }, 'token-file': { type: 'string' }, ca: { type: 'string' }, json: { type: 'boolean' } }, true);
  if (values.help) {
    console.log(statusUsage);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'give the coordinator URL, as in fedrec status http://127.0.0.1:8787' : `one URL, please; got ${positionals.length}: ${positionals.join(' ')}`);
  const target = await resolveTarget(positionals[0], values['token-file'], values.ca);
  const print = (s: DashboardSnapshot) => (values.json ? JSON.stringify(s) : formatStatus(target.base, s));
  if (!values.watch) {
    console.log(print(await readSnapshot(target)));
    return 0;
  }
  return watch(target, print);
}

async function resolveTarget(raw: string, tokenFile: string | undefined, caFile: string | undefined): Promise<Target> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a URL: give the coordinator's address, as in http://127.0.0.1:8787`);
  }
  const scheme = ({ 'http:': 'http:', 'ws:': 'http:', 'https:': 'https:', 'wss:': 'https:' } as Record<string, string>)[url.protocol];
  if (!scheme) throw new UsageError(`the URL must be http(s):// or ws(s)://, got "${raw}"`);
  let token: string | null = null;
  if (tokenFile !== undefined) {
    await checkInputFile('--token-file', tokenFile);
    token = await readAdminToken(tokenFile).catch((err: Error) => {
      throw new UsageError(err.message, ErrorCodes.BAD_PATH);
    });
    if (scheme === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new UsageError(`refusing to send the operator token in clear to ${url.hostname}: use https:// (the coordinator's --tls-cert)`, ErrorCodes.INSECURE_TRANSPORT);
    }
  }
  let ca: Buffer | undefined;
  if (caFile !== undefined) {
    await checkInputFile('--ca', caFile);
    ca = await readFile(caFile);
  }
  return { base: `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}`, token, ca };
}

/** GET /dashboard/state, or a coded sentence saying why it could not be read. */
export function readSnapshot(t: Target, signal?: AbortSignal): Promise<DashboardSnapshot> {
  const url = `${t.base}/dashboard/state`;
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = t.token ? { authorization: `Bearer ${t.token}` } : {};
    const req = get(url, { ca: t.ca, headers, timeout: TIMEOUT_MS, signal }, (res) => {
      body(res).then((text) => {
        try {
          resolve(answer(t, res.statusCode ?? 0, text));
        } catch (err) {
          reject(err);
        }
      }, reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => reject(unreachable(t.base, err)));
  });
}

function body(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) res.destroy(new Error(`more than ${MAX_BODY_BYTES} bytes`));
      else chunks.push(c);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function answer(t: Target, status: number, text: string): DashboardSnapshot {
  let json: { error?: string; message?: string } & Partial<DashboardSnapshot>;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FedrecError(ErrorCodes.UNREACHABLE, `${t.base} answered HTTP ${status} with no JSON for /dashboard/state: is it a fedrec coordinator?`);
  }
  if (status === 200 && json.status && json.clients && json.privacy && Array.isArray(json.rounds)) return json as DashboardSnapshot;
  if (status === 401) {
    throw new FedrecError(ErrorCodes.UNAUTHORIZED, t.token ? `${t.base} refused the operator token from --token-file: it is not the coordinator's --admin-token-file` : `${t.base} needs the operator token: give --token-file FILE (the coordinator's --admin-token-file)`);
  }
  if (status === 403 && json.error === ErrorCodes.ADMIN_DISABLED) throw new FedrecError(ErrorCodes.ADMIN_DISABLED, `${t.base}: ${json.message}`);
  throw new FedrecError(ErrorCodes.UNREACHABLE, `${t.base} answered HTTP ${status} for /dashboard/state${json.error ? ` (${json.error})` : ''}: is it a fedrec coordinator of this version?`);
}

function unreachable(base: string, err: NodeJS.ErrnoException): FedrecError {
  const why = err.code ?? err.message;
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(why) ? ' (its certificate is not trusted: give --ca FILE.pem for a private CA)' : '; is it running, and is the address right?';
  return new FedrecError(ErrorCodes.UNREACHABLE, `cannot reach the coordinator at ${base}: ${why}${tls}`, { cause: err });
}

/** Redraws every 2 s until SIGINT/SIGTERM, which end it at once (exit 0). */
async function watch(t: Target, print: (s: DashboardSnapshot) => string): Promise<number> {
  const stopped = new AbortController();
  const stop = () => stopped.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const tty = process.stdout.isTTY === true;
  let shown = false;
  try {
    while (!stopped.signal.aborted) {
      let text: string;
      try {
        text = print(await readSnapshot(t, stopped.signal));
      } catch (err) {
        if (stopped.signal.aborted) break;
        if (!shown) throw err; // never reached: say so and exit 1, as without --watch
        text = `${(err as Error).message} (retrying every ${WATCH_EVERY_MS / 1000} s)`;
      }
      // On a terminal: redraw in place. Piped: one block (or JSON line) per refresh.
      process.stdout.write(tty ? `\x1b[H\x1b[2J${text}\n` : `${text}\n`);
      shown = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WATCH_EVERY_MS);
        stopped.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}
