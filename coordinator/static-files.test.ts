// The coordinator serving a web app from its own origin: files with their types, the CSP on HTML,
// API routes untouched, and nothing outside the directory, however the path is spelled.

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentNodeLogger } from '../shared/node/logger.js';
import { tinyItemIds } from '../test-helpers/tiny.js';
import { resolveConfig } from './config.js';
import { type RunningCoordinator, startCoordinator } from './coordinator.js';
import { HTML_CSP } from './static-files.js';

let dir = '';
let coordinator: RunningCoordinator;
const SECRET = 'outside the web root';

/** A raw GET: the path goes on the wire exactly as given (fetch would normalize `..` away). */
function get(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: coordinator.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-static-'));
  const web = join(dir, 'web');
  await mkdir(join(web, 'docs'), { recursive: true });
  await mkdir(join(web, 'empty'));
  const files: Record<string, string> = {
    'index.html': '<!doctype html><title>app</title>',
    'app.js': 'console.log(1)',
    'chunk.mjs': 'export {}',
    'app.css': 'body{}',
    'icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'logo.png': 'png',
    'data.json': '{}',
    'model.wasm': 'wasm',
    'app.js.map': '{}',
    'blob.bin': 'bytes',
    'docs/index.html': '<!doctype html><title>docs</title>',
    '.env': 'TOKEN=1',
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(web, name), text);
  await writeFile(join(dir, 'secret.txt'), SECRET);
  await symlink(join(dir, 'secret.txt'), join(web, 'escape.txt'));
  const config = resolveConfig({ port: 0, model: { dim: 4 }, interRoundDelayMs: 0 });
  coordinator = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds, staticDir: web });
});

afterAll(async () => {
  await coordinator?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('static files from the coordinator origin', () => {
  it('serves index.html at / with a strict Content-Security-Policy', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>app</title>');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(HTML_CSP);
    expect(HTML_CSP).toContain("default-src 'self'");
    expect(HTML_CSP).toContain("connect-src 'self' ws: wss:");
    expect(HTML_CSP).not.toContain('unsafe-inline');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    // The query is not part of the file name.
    expect((await get('/?coordinator=x')).body).toContain('<title>app</title>');
  });

  it.each([
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/chunk.mjs', 'text/javascript; charset=utf-8'],
    ['/app.css', 'text/css; charset=utf-8'],
    ['/icon.svg', 'image/svg+xml'],
    ['/logo.png', 'image/png'],
    ['/data.json', 'application/json; charset=utf-8'],
    ['/model.wasm', 'application/wasm'],
    ['/app.js.map', 'application/json; charset=utf-8'],
    ['/blob.bin', 'application/octet-stream'],
  ])('%s is served as %s, without a CSP (only HTML documents carry one)', async (path, type) => {
    const r = await get(path);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.headers['content-security-policy']).toBeUndefined();
  });

  it('a directory serves its index.html; one without is a 404, never a listing', async () => {
    expect((await get('/docs/')).body).toContain('<title>docs</title>');
    const r = await get('/empty/');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error).toBe('FEDREC_NOT_FOUND');
  });

  it('a missing /favicon.ico is 204 No Content (browsers ask for it unprompted), not a 404 in the console', async () => {
    const r = await get('/favicon.ico');
    expect(r.status).toBe(204);
    expect(r.body).toBe('');
    expect((await get('/other.ico')).status).toBe(404);
  });

  it('API routes still answer, and an unknown path is the FEDREC_NOT_FOUND JSON', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body).ok).toBe(true);
    expect(JSON.parse((await get('/privacy')).body)).toHaveProperty('epsilon');
    const miss = await get('/api/nothing');
    expect(miss.status).toBe(404);
    expect(miss.headers['content-type']).toBe('application/json');
    expect(JSON.parse(miss.body)).toMatchObject({ error: 'FEDREC_NOT_FOUND' });
  });

  it.each([
    '/../secret.txt',
    '/docs/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/docs/%2e%2e/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/docs/..%2f..%2fsecret.txt',
    '/%252e%252e/secret.txt',
    '/escape.txt',
    '/.env',
    '/index.html%00.png',
    '/%zz',
  ])('%s never leaves the directory (404)', async (path) => {
    const r = await get(path);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain(SECRET);
    expect(JSON.parse(r.body).error).toBe('FEDREC_NOT_FOUND');
  });

  it('other methods are refused as before', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: coordinator.port, path: '/index.html', method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(r).toBe(405);
  });
});
