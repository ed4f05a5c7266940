import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CatalogueListing } from '../../shared/model/catalogue-listing.js';
import type { PrivacyFetch } from '../privacy-check.js';
import { catalogueCachePath, catalogueTitles, deleteCatalogueCache, saveCatalogueListing } from './catalogue-cache.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-cat-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const listing: CatalogueListing = { version: 'v1', items: [{ id: 1, title: 'One' }, { id: 2 }] };

/** A fetch that answers `body` (or fails) and records the URLs it was asked for. */
function stubFetch(body: unknown, status = 200): PrivacyFetch & { urls: string[] } {
  const urls: string[] = [];
  const f = async (url: string) => {
    urls.push(url);
    if (body instanceof Error) throw body;
    return { ok: status >= 200 && status < 300, status, json: async () => body };
  };
  return Object.assign(f, { urls });
}

describe('catalogueTitles', () => {
  it('fetches GET /catalogue once, keeps it for the version, and answers from the cache after', async () => {
    const f = stubFetch(listing);
    expect(await catalogueTitles({ stateDir: dir, version: 'v1', server: 'wss://coord.example:8787/ws', fetch: f })).toEqual({ listing });
    expect(f.urls).toEqual(['https://coord.example:8787/catalogue']);
    expect(await catalogueTitles({ stateDir: dir, version: 'v1', server: 'wss://coord.example:8787', fetch: f })).toEqual({ listing });
    expect(await catalogueTitles({ stateDir: dir, version: 'v1' })).toEqual({ listing });
    expect(f.urls).toHaveLength(1);
  });

  it('a cache for another version is not used: fetched again, or a note without --server', async () => {
    await writeFile(catalogueCachePath(dir), JSON.stringify({ ...listing, version: 'old' }));
    expect(await catalogueTitles({ stateDir: dir, version: 'v1' })).toEqual({ listing: null, note: expect.stringContaining('give --server') });
    const f = stubFetch(listing);
    expect((await catalogueTitles({ stateDir: dir, version: 'v1', server: 'ws://127.0.0.1:1', fetch: f })).listing).toEqual(listing);
    expect(f.urls).toEqual(['http://127.0.0.1:1/catalogue']);
  });

  it('a coordinator on another catalogue gives no titles, says so, and caches nothing', async () => {
    const r = await catalogueTitles({ stateDir: dir, version: 'v2', server: 'ws://127.0.0.1:1', fetch: stubFetch(listing) });
    expect(r.listing).toBeNull();
    expect(r.note).toBe("no titles: the coordinator's catalogue (v1) is not the one this device's model uses (v2); showing item ids");
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['unreachable', new Error('ECONNREFUSED'), 200, /^no titles: cannot read http:\/\/127\.0\.0\.1:1\/catalogue: ECONNREFUSED; showing item ids$/],
    ['an error status', { error: 'x' }, 404, /^no titles: http:\/\/127\.0\.0\.1:1\/catalogue answered 404; showing item ids$/],
    ['not a listing', { version: 'v1', items: [{ id: 'one' }] }, 200, /is not a catalogue listing: items\[0\] has no integer "id"; showing item ids$/],
  ])('%s: ids with a one-line note', async (_what, body, status, note) => {
    const r = await catalogueTitles({ stateDir: dir, version: 'v1', server: 'ws://127.0.0.1:1', fetch: stubFetch(body, status) });
    expect(r.listing).toBeNull();
    expect(r.note).toMatch(note);
    expect(r.note).not.toContain('\n');
  });

  it('saveCatalogueListing (a running client, once joined) keeps the listing for recommend, or says in one line why not', async () => {
    expect(await saveCatalogueListing(dir, 'ws://127.0.0.1:1', stubFetch(listing))).toBeNull();
    expect(await catalogueTitles({ stateDir: dir, version: 'v1' })).toEqual({ listing });
    expect(await saveCatalogueListing(dir, 'ws://127.0.0.1:1', stubFetch(new Error('ECONNREFUSED')))).toBe('no titles for fedrec recommend: cannot read http://127.0.0.1:1/catalogue: ECONNREFUSED');
    expect(await catalogueTitles({ stateDir: dir, version: 'v1' })).toEqual({ listing });
  });

  it('a corrupt cache is fetched again; a listing without titles says so; forget deletes the cache', async () => {
    await writeFile(catalogueCachePath(dir), '{not json');
    const untitled = { version: 'v1', items: [{ id: 1 }, { id: 2 }] };
    const r = await catalogueTitles({ stateDir: dir, version: 'v1', server: 'ws://127.0.0.1:1', fetch: stubFetch(untitled) });
    expect(r).toEqual({ listing: untitled, note: 'the coordinator has no titles for this catalogue; showing item ids' });
    await deleteCatalogueCache(dir);
    expect(await readdir(dir)).toEqual([]);
  });
});
