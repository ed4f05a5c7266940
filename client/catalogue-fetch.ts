// Reads the coordinator's public catalogue listing (GET /catalogue: ids with titles and genres).
// Public data: the request says nothing about the person, and the titles never reach the model.

import { type CatalogueListing, parseCatalogueListing } from '../shared/model/catalogue-listing.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { PrivacyFetch } from './privacy-check.js';

const TIMEOUT_MS = 10_000;

/** ws://host:port/… → http://host:port/catalogue (wss → https; http(s) URLs keep their scheme). */
export function catalogueUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  u.pathname = '/catalogue';
  u.search = '';
  u.hash = '';
  return u.toString();
}

/** Throws FEDREC_UNREACHABLE when the coordinator cannot be read, FEDREC_BAD_CATALOGUE for a bad answer. */
export async function fetchCatalogueListing(serverUrl: string, fetchImpl: PrivacyFetch = defaultFetch): Promise<CatalogueListing> {
  const url = catalogueUrl(serverUrl);
  let res: Awaited<ReturnType<PrivacyFetch>>;
  try {
    res = await fetchImpl(url);
  } catch (cause) {
    // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
    const inner = (cause as { cause?: { code?: string; message?: string } })?.cause;
    throw new FedrecError(ErrorCodes.UNREACHABLE, `cannot read ${url}: ${inner?.code ?? inner?.message ?? (cause as Error)?.message ?? String(cause)}`, { cause });
  }
  if (!res.ok) throw new FedrecError(ErrorCodes.BAD_CATALOGUE, `${url} answered ${res.status}`);
  let json: unknown;
  try {
    json = await res.json();
  } catch (cause) {
    throw new FedrecError(ErrorCodes.BAD_CATALOGUE, `${url} did not answer JSON`, { cause });
  }
  return parseCatalogueListing(json, url);
}

function defaultFetch(url: string) {
  return fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
}
