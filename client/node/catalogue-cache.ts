// Node-only: the catalogue's titles for `fedrec recommend`, kept in the state dir (catalogue.json) for
// the catalogue version this device's model uses, so they are fetched once and work offline after.
// `fedrec client` saves them once it has joined; `fedrec recommend --server` fetches them if missing.
// Titles are a nicety: when they cannot be had, recommend shows ids and says why in one line.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../shared/node/atomic-file.js';
import { type CatalogueListing, parseCatalogueListing } from '../../shared/model/catalogue-listing.js';
import { FedrecError } from '../../shared/protocol/errors.js';
import { fetchCatalogueListing } from '../catalogue-fetch.js';
import type { PrivacyFetch } from '../privacy-check.js';
import { nodeFetch } from './https-fetch.js';

/** Largest listing read over --ca (ml-25m's 62k titles are about 5 MB). */
const MAX_CATALOGUE_BYTES = 64 * 1024 * 1024;

/** The fetch for GET /catalogue: through node:https with a private CA, else the global fetch. */
export function catalogueFetch(ca: Buffer | undefined): PrivacyFetch | undefined {
  return ca ? nodeFetch(ca, MAX_CATALOGUE_BYTES) : undefined;
}

export function catalogueCachePath(stateDir: string): string {
  return join(stateDir, 'catalogue.json');
}

export interface CatalogueTitles {
  /** The listing for `version`, or null: show ids. */
  listing: CatalogueListing | null;
  /** One line for the person when there are no titles (or none for these items). */
  note?: string;
}

export interface TitlesOptions {
  stateDir: string;
  /** The catalogue version of this device's model. */
  version: string;
  /** The coordinator to ask when nothing is cached (ws:// or wss://). */
  server?: string;
  fetch?: PrivacyFetch;
}

export async function catalogueTitles(o: TitlesOptions): Promise<CatalogueTitles> {
  const cached = await readCache(o.stateDir);
  if (cached?.version === o.version) return withNote(cached);
  if (o.server === undefined) return { listing: null, note: 'no titles on this device yet: give --server ws://HOST:PORT once to fetch them from the coordinator' };
  let listing: CatalogueListing;
  try {
    listing = await fetchCatalogueListing(o.server, o.fetch);
  } catch (err) {
    if (err instanceof FedrecError) return { listing: null, note: `no titles: ${err.message}; showing item ids` };
    throw err;
  }
  if (listing.version !== o.version) {
    return { listing: null, note: `no titles: the coordinator's catalogue (${listing.version}) is not the one this device's model uses (${o.version}); showing item ids` };
  }
  await writeFileAtomic(catalogueCachePath(o.stateDir), JSON.stringify(listing));
  return withNote(listing);
}

/** Fetches the coordinator's listing and keeps it, whatever its version; the problem in one line, or null. */
export async function saveCatalogueListing(stateDir: string, server: string, fetch?: PrivacyFetch): Promise<string | null> {
  try {
    const listing = await fetchCatalogueListing(server, fetch);
    await writeFileAtomic(catalogueCachePath(stateDir), JSON.stringify(listing));
    return null;
  } catch (err) {
    if (err instanceof FedrecError) return `no titles for fedrec recommend: ${err.message}`;
    throw err;
  }
}

export async function deleteCatalogueCache(stateDir: string): Promise<void> {
  await rm(catalogueCachePath(stateDir), { force: true });
}

function withNote(listing: CatalogueListing): CatalogueTitles {
  return listing.items.some((i) => i.title !== undefined) ? { listing } : { listing, note: 'the coordinator has no titles for this catalogue; showing item ids' };
}

/** The cached listing; an unreadable cache is only a cache: fetch again. */
async function readCache(stateDir: string): Promise<CatalogueListing | null> {
  const path = catalogueCachePath(stateDir);
  try {
    return parseCatalogueListing(JSON.parse(await readFile(path, 'utf8')), path);
  } catch {
    return null;
  }
}
