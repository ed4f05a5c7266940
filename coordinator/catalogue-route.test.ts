// GET /catalogue against real coordinators: in-process with titles given to startCoordinator, and the
// `fedrec coordinator --catalogue movies.csv` command as operators run it.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCatalogue } from '../shared/model/catalogue.js';
import type { CatalogueListing, ItemDetails } from '../shared/model/catalogue-listing.js';
import { silentNodeLogger } from '../shared/node/logger.js';
import { freePort } from '../test-helpers/free-port.js';
import { fedrecBin } from '../test-helpers/run-cli.js';
import { tinyItemIds } from '../test-helpers/tiny.js';
import { resolveConfig } from './config.js';
import { startCoordinator, type RunningCoordinator } from './coordinator.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(metadata?: Map<number, ItemDetails>, allowedOrigins: string[] = []): Promise<RunningCoordinator> {
  const config = resolveConfig({ port: 0, model: { dim: 8 }, aggregation: 'plaintext', minClients: 1000, evaluation: { every: 0 }, limits: { allowedOrigins } });
  const c = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds, catalogueMetadata: metadata });
  cleanups.push(() => c.close());
  return c;
}

const titles = new Map<number, ItemDetails>([
  [100, { title: 'Toy Story (1995)', genres: ['Animation', 'Comedy'] }],
  [101, { title: 'Heat, the "director\'s cut" (1995)' }],
  [102, {}],
  [999, { title: 'Not in the catalogue' }],
]);

describe('GET /catalogue', () => {
  it('lists every catalogue id in row order, with the titles and genres it was given', async () => {
    const c = await start(titles);
    const res = await fetch(`${c.httpUrl}/catalogue`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as CatalogueListing;
    expect(body.version).toBe(makeCatalogue(tinyItemIds).version);
    expect(body.items.map((i) => i.id)).toEqual(Array.from(tinyItemIds));
    expect(body.items[0]).toEqual({ id: 100, title: 'Toy Story (1995)', genres: ['Animation', 'Comedy'] });
    expect(body.items[1]).toEqual({ id: 101, title: 'Heat, the "director\'s cut" (1995)' });
    expect(body.items[2]).toEqual({ id: 102 });
    expect(body.items[59]).toEqual({ id: 159 });
    expect(body.items.some((i) => i.id === 999)).toBe(false);
  });

  it('without titles lists ids only', async () => {
    const c = await start();
    const body = (await (await fetch(`${c.httpUrl}/catalogue`)).json()) as CatalogueListing;
    expect(body.items).toEqual(Array.from(tinyItemIds, (id) => ({ id })));
  });

  it('sends CORS headers to allowed origins only, and answers a revalidation with 304', async () => {
    const c = await start(titles, ['https://app.example']);
    const ok = await fetch(`${c.httpUrl}/catalogue`, { headers: { origin: 'https://app.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await fetch(`${c.httpUrl}/catalogue`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const etag = ok.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${c.httpUrl}/catalogue`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    // Different titles on the same ids: a different tag, so a cached copy is refreshed.
    const plain = await start();
    expect((await fetch(`${plain.httpUrl}/catalogue`)).headers.get('etag')).not.toBe(etag);
  });
});

describe('fedrec coordinator --catalogue', () => {
  async function run(catalogueText: string): Promise<CatalogueListing> {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-cat-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'movies.csv');
    await writeFile(file, catalogueText);
    const port = await freePort();
    const p: ChildProcess = spawn(process.execPath, [fedrecBin, 'coordinator', '--port', String(port), '--catalogue', file, '--dim', '4', '--log-format', 'json'], { stdio: 'ignore', env: { ...process.env, FEDREC_LOG_LEVEL: 'silent' } });
    cleanups.push(() => p.kill('SIGKILL'));
    const until = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/catalogue`).catch(() => null);
      if (res?.ok) return (await res.json()) as CatalogueListing;
      if (Date.now() > until || p.exitCode !== null) throw new Error(`the coordinator did not serve /catalogue (exit ${p.exitCode})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('serves the titles and genres of a movies.csv', async () => {
    const body = await run('movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n11,"American President, The (1995)",Comedy|Romance\n83829,Scorpio Rising (1964),(no genres listed)\n');
    expect(body.items).toEqual([
      { id: 1, title: 'Toy Story (1995)', genres: ['Animation', 'Comedy'] },
      { id: 11, title: 'American President, The (1995)', genres: ['Comedy', 'Romance'] },
      { id: 83829, title: 'Scorpio Rising (1964)' },
    ]);
  });

  it('serves ids only for a one-id-per-line file', async () => {
    const body = await run('item_id\n3\n1\n2\n');
    expect(body.items).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });
});
