// Who may read the operator endpoints (GET /metrics, the dashboard's data): anyone on a loopback host
// (only this machine can connect), the holder of the operator's bearer token when --admin-token-file
// is given, and nobody on a host beyond loopback without one. Client-facing endpoints never come here.

import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { ErrorCodes, type ErrorCode } from '../shared/protocol/errors.js';

/** Shorter tokens are guessable over many requests; `openssl rand -hex 32` gives 64 characters. */
export const MIN_TOKEN_LENGTH = 16;

export type AdminMode = 'open' | 'token' | 'off';

export interface AdminRefusal {
  status: 401 | 403;
  code: ErrorCode;
  message: string;
  headers: Record<string, string>;
}

/** The token in `file` (surrounding whitespace dropped); throws a sentence naming the file when unusable. */
export async function readAdminToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the operator token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new Error(`the operator token file ${file} must hold one token of at least ${MIN_TOKEN_LENGTH} characters without spaces (e.g. \`openssl rand -hex 32 > ${file}\`)`);
  }
  return token;
}

/** Equal strings, compared in time that depends on neither their contents nor where they differ. */
export function tokensEqual(given: string, expected: string): boolean {
  // Hashing first gives equal-length inputs, so the length of the secret does not leak either.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export class AdminAccess {
  readonly mode: AdminMode;

  constructor(
    loopback: boolean,
    private readonly token: string | null,
  ) {
    this.mode = token !== null ? 'token' : loopback ? 'open' : 'off';
  }

  /** Why `req` may not read an operator endpoint, or null when it may. */
  refusal(req: IncomingMessage): AdminRefusal | null {
    if (this.mode === 'open') return null;
    if (this.mode === 'off') {
      return {
        status: 403,
        code: ErrorCodes.ADMIN_DISABLED,
        message: 'the operator endpoints (/metrics, /dashboard) are off on a host beyond loopback; restart the coordinator with --admin-token-file FILE to serve them to holders of that token',
        headers: {},
      };
    }
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m && tokensEqual(m[1], this.token!)) return null;
    return {
      status: 401,
      code: ErrorCodes.UNAUTHORIZED,
      message: header ? 'the operator token does not match: send Authorization: Bearer TOKEN with the contents of --admin-token-file' : 'this endpoint needs the operator token: send Authorization: Bearer TOKEN with the contents of --admin-token-file',
      headers: { 'www-authenticate': 'Bearer realm="fedrec"' },
    };
  }

  /** The start-up line about the operator endpoints of the coordinator at `url`. */
  startNote(url: string): { level: 'info' | 'warn'; message: string } {
    if (this.mode === 'off') return { level: 'warn', message: 'GET /metrics and /dashboard are off: this host is beyond loopback and no operator token was given; add --admin-token-file FILE (adminTokenFile in the config) to serve them to its holders' };
    if (this.mode === 'token') return { level: 'info', message: `operator view at ${url}/dashboard and ${url}/metrics, for holders of the --admin-token-file token (Authorization: Bearer)` };
    return { level: 'info', message: `operator view at ${url}/dashboard and ${url}/metrics (open on loopback; --admin-token-file closes it)` };
  }
}
