// https/wss with a certificate made in the test: a client that trusts it (the --ca path) trains over
// wss and reads /privacy over https; one that does not is refused before anything is sent.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nodeFetch } from '../client/node/https-fetch.js';
import { nodeSocketFactory } from '../client/node/ws-socket.js';
import { fetchDeclaredPrivacy } from '../client/privacy-check.js';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { silentNodeLogger } from '../shared/node/logger.js';
import { useHarness } from '../test-helpers/harness.js';
import { tinyItemIds } from '../test-helpers/tiny.js';
import { runCoordinatorCommand } from './cli.js';
import { resolveConfig } from './config.js';
import { startCoordinator } from './coordinator.js';
import type { RoundSummary } from './round-engine.js';

const h = useHarness();
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** A self-signed P-256 certificate for localhost and 127.0.0.1, valid one day. */
async function selfSigned(): Promise<{ certFile: string; keyFile: string; ca: Buffer }> {
  const dir = await h.tempDir('fedrec-tls-');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile, ca: await readFile(certFile) };
}

describe('TLS', () => {
  it.skipIf(!hasOpenssl)('a client trusting the CA trains over wss; a client without it is refused (needs openssl to make the certificate)', async () => {
    const { certFile, keyFile, ca } = await selfSigned();
    const c = await h.coordinator({ tls: { certFile, keyFile }, rounds: 1, clientsPerRound: 2, minClients: 2, roundDeadlineMs: 10_000, evaluation: { every: 0 } });
    expect(c.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(c.httpUrl).toMatch(/^https:\/\//);

    // Without the CA: the TLS handshake fails, nothing reaches the sessions.
    const refused = await new Promise<Error>((resolve) => new WebSocket(c.url).on('error', resolve));
    expect(refused.message).toMatch(/self[- ]signed/i);
    await expect(h.client(c.url, 9, { clientId: 'stranger' }).checkIn()).rejects.toThrow();
    await expect(fetchDeclaredPrivacy(c.url)).rejects.toMatchObject({ code: ErrorCodes.PRIVACY_LIMIT });
    expect(c.sessions.joined).toBe(0);
    expect(c.engine.status().registered).toBe(0);

    // With it: /privacy over https, then a secure round over wss.
    expect(await fetchDeclaredPrivacy(c.url, nodeFetch(ca))).toHaveProperty('epsilon');
    const rounds: RoundSummary[] = [];
    c.engine.on('round', (r: RoundSummary) => rounds.push(r));
    const done = new Promise((r) => c.engine.once('done', r));
    for (let k = 0; k < 2; k++) void h.client(c.url, k, { socketFactory: nodeSocketFactory({ ca }), fetch: nodeFetch(ca) }).run().catch(() => {});
    await done;
    expect(rounds.map((r) => [r.committed, r.reported])).toEqual([[true, 2]]);
  });

  it('a missing certificate file is a sentence from startCoordinator, not a crash', async () => {
    const config = resolveConfig({ port: 0, tls: { certFile: '/nonexistent/cert.pem', keyFile: '/nonexistent/key.pem' } });
    await expect(startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds })).rejects.toThrow(/cannot read the TLS certificate \/nonexistent\/cert.pem/);
  });

  it('--tls-cert without --tls-key is a usage error', async () => {
    await expect(runCoordinatorCommand(['--tls-cert', 'cert.pem', '--items', '5'])).rejects.toThrow(/--tls-cert and --tls-key go together/);
  });
});

describe('binding', () => {
  it('a port in use rejects startCoordinator instead of crashing the process', async () => {
    const first = await h.coordinator();
    const config = resolveConfig({ port: first.port, model: { dim: 8 } });
    await expect(startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    // The first one still serves.
    expect((await fetch(`${first.httpUrl}/health`)).status).toBe(200);
  });
});
