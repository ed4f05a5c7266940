// Who may read GET /metrics and the dashboard's data: open on loopback, the operator token's holder
// when --admin-token-file is given (401 FEDREC_UNAUTHORIZED with WWW-Authenticate otherwise), and
// nobody beyond loopback without a token (403 FEDREC_ADMIN_DISABLED and a start-up line saying how to
// turn them on). The client-facing endpoints stay public in every case.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { useHarness } from '../test-helpers/harness.js';
import { parsePrometheusText, sampleValue } from '../test-helpers/prom-text.js';
import { runCli, STACK_LINE } from '../test-helpers/run-cli.js';
import { tinyItemIds } from '../test-helpers/tiny.js';
import { readAdminToken, tokensEqual } from './admin-access.js';
import { resolveConfig } from './config.js';
import { startCoordinator, type RunningCoordinator } from './coordinator.js';

const h = useHarness();
const TOKEN = 'b7f3c0de9a1e4f2d8c6b5a4f3e2d1c0b';
const PUBLIC = ['/health', '/round', '/privacy', '/catalogue'];
const DATA = ['/metrics', '/dashboard/state'];

async function tokenFile(content = `${TOKEN}\n`): Promise<string> {
  const file = join(await h.tempDir('fedrec-admin-'), 'admin.token');
  await writeFile(file, content, { mode: 0o600 });
  return file;
}

/** A coordinator started with a logger whose lines the test reads, on `host`. */
async function coordinator(host: string, adminTokenFile: string | null): Promise<{ c: RunningCoordinator; base: string; log: string[] }> {
  const log: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void log.push(line) });
  const config = resolveConfig({ host, port: 0, registration: 'open', model: { dim: 8 }, adminTokenFile });
  const c = await startCoordinator({ config, logger, itemIds: tinyItemIds });
  return { c, base: `http://127.0.0.1:${c.port}`, log };
}

const get = (url: string, token?: string, scheme = 'Bearer') => fetch(url, token === undefined ? {} : { headers: { authorization: `${scheme} ${token}` } });

describe('tokensEqual', () => {
  it('is true only for the same string, whatever the lengths', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokensEqual(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(tokensEqual('', TOKEN)).toBe(false);
    expect(tokensEqual(TOKEN.toUpperCase(), TOKEN)).toBe(false);
  });
});

describe('operator endpoints on loopback', () => {
  it('are open without a token file', async () => {
    const c = await h.coordinator();
    for (const path of [...DATA, ...PUBLIC]) expect((await get(`${c.httpUrl}${path}`)).status, path).toBe(200);
    const state = await (await get(`${c.httpUrl}/dashboard/state`)).json();
    expect(state).toMatchObject({ status: { round: 0, phase: 'idle' }, clients: { connected: 0, enrolled: 0 }, rounds: [] });
  });

  it('need the token when a token file is given: 401 + WWW-Authenticate without it or with a wrong one', async () => {
    const c = await h.coordinator({ adminTokenFile: await tokenFile() });
    for (const path of DATA) {
      for (const [token, scheme] of [[undefined, 'Bearer'], ['wrong-token-wrong-token', 'Bearer'], [TOKEN.slice(1), 'Bearer'], [TOKEN, 'Basic']] as const) {
        const res = await get(`${c.httpUrl}${path}`, token, scheme);
        expect(res.status, `${path} ${scheme} ${token}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(await res.json()).toMatchObject({ error: ErrorCodes.UNAUTHORIZED, message: expect.stringContaining('--admin-token-file') });
      }
      expect((await get(`${c.httpUrl}${path}`, TOKEN)).status, path).toBe(200);
    }
    for (const path of PUBLIC) expect((await get(`${c.httpUrl}${path}`)).status, path).toBe(200);
    // The refusals are counted like any other, by code.
    const m = parsePrometheusText(await (await get(`${c.httpUrl}/metrics`, TOKEN)).text());
    expect(sampleValue(m, 'fedrec_rejections_total', { code: ErrorCodes.UNAUTHORIZED })).toBe(8);
  });
});

describe('operator endpoints beyond loopback', () => {
  it('are off without a token file: 403 FEDREC_ADMIN_DISABLED, and the start-up log says how to enable them', async () => {
    const { c, base, log } = await coordinator('0.0.0.0', null);
    try {
      for (const path of [...DATA, '/dashboard', '/dashboard/dashboard.js']) {
        const res = await get(`${base}${path}`, TOKEN);
        expect(res.status, path).toBe(403);
        expect(await res.json()).toMatchObject({ error: ErrorCodes.ADMIN_DISABLED, message: expect.stringContaining('--admin-token-file') });
      }
      for (const path of PUBLIC) expect((await get(`${base}${path}`)).status, path).toBe(200);
      const note = log.map((l) => JSON.parse(l)).find((l) => l.event === 'operator-endpoints');
      expect(note).toMatchObject({ mode: 'off', msg: expect.stringContaining('--admin-token-file FILE') });
    } finally {
      await c.close();
    }
  });

  it('serve the holder of the token', async () => {
    const { c, base } = await coordinator('0.0.0.0', await tokenFile());
    try {
      for (const path of DATA) {
        expect((await get(`${base}${path}`)).status, path).toBe(401);
        expect((await get(`${base}${path}`, TOKEN)).status, path).toBe(200);
      }
      for (const path of PUBLIC) expect((await get(`${base}${path}`)).status, path).toBe(200);
    } finally {
      await c.close();
    }
  });
});

describe('the token file', () => {
  it('must hold one token of 16 characters or more', async () => {
    await expect(readAdminToken(await tokenFile('short\n'))).rejects.toThrow(/at least 16 characters/);
    await expect(readAdminToken(await tokenFile('two tokens here, not one\n'))).rejects.toThrow(/without spaces/);
    await expect(readAdminToken('/nonexistent/admin.token')).rejects.toThrow(/cannot read the operator token file \/nonexistent\/admin.token: ENOENT/);
    expect(await readAdminToken(await tokenFile(`  ${TOKEN}\r\n`))).toBe(TOKEN);
  });

  it.each([
    ['a missing file', null, /--admin-token-file \/nonexistent\/admin.token does not exist/],
    ['a short token', 'short', /must hold one token of at least 16 characters/],
  ])('fedrec coordinator --admin-token-file with %s: exit 2, FEDREC_BAD_PATH, one sentence', async (_what, content, sentence) => {
    const file = content === null ? '/nonexistent/admin.token' : await tokenFile(content);
    const r = await runCli(['coordinator', '--items', '5', '--port', '0', '--admin-token-file', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^fedrec coordinator: FEDREC_BAD_PATH: /);
    expect(r.stderr).toMatch(sentence);
  });
});
