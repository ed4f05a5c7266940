// The coordinator's public GET endpoints the page reads: the catalogue listing (titles, genres)
// and the privacy it has spent. Nothing about the person goes with these requests.

import type { CatalogueListing } from '../../../shared/model/catalogue-listing.js';
import { fetchCatalogueListing } from '../../catalogue-fetch.js';

export interface CoordinatorPrivacy {
  aggregation: 'secure' | 'plaintext';
  mechanism: string;
  clipNorm: number;
  noiseMultiplier: number;
  samplingRate: number;
  roundsDone: number;
  /** null: no noise, so no guarantee (ε = ∞). */
  epsilon: number | null;
  delta: number;
  budget: { epsilon: number; delta: number } | null;
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { cache: 'no-cache', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.json();
}

export function fetchCatalogue(httpBase: string): Promise<CatalogueListing> {
  return fetchCatalogueListing(httpBase);
}

export async function fetchPrivacy(httpBase: string): Promise<CoordinatorPrivacy> {
  const url = `${httpBase}/privacy`;
  const p = (await getJson(url)) as Partial<CoordinatorPrivacy>;
  if ((p.aggregation !== 'secure' && p.aggregation !== 'plaintext') || typeof p.delta !== 'number' || typeof p.roundsDone !== 'number') {
    throw new Error(`${url} is not a privacy summary`);
  }
  return p as CoordinatorPrivacy;
}

/** ε as a person reads it: ∞ when the coordinator adds no noise. */
export function formatEpsilon(epsilon: number | null): string {
  if (epsilon === null || !Number.isFinite(epsilon)) return '∞';
  if (epsilon === 0) return '0';
  return epsilon < 0.01 ? epsilon.toExponential(1) : String(Number(epsilon.toPrecision(3)));
}

/** δ as it is usually written: 1e-5 rather than 0.00001. */
export function formatDelta(delta: number): string {
  return delta > 0 && delta < 0.001 ? delta.toExponential().replace(/\.?0+e/, 'e') : String(delta);
}
