// Catalogue search on the device: every word typed must appear in the title, a genre or the id.
// Accents and case are ignored. Titles that start with the query come first, then by title.

import type { ItemInfo } from '../../../shared/model/catalogue-listing.js';

export interface SearchResult {
  items: ItemInfo[];
  /** All matches, of which `items` holds the first `limit`. */
  total: number;
}

export function normalize(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function searchCatalogue(items: readonly ItemInfo[], query: string, limit: number, keep?: (item: ItemInfo) => boolean): SearchResult {
  const q = normalize(query).trim();
  const words = q.split(/\s+/).filter(Boolean);
  const hits: { item: ItemInfo; prefix: boolean; title: string }[] = [];
  for (const item of items) {
    if (keep && !keep(item)) continue;
    const title = normalize(item.title ?? '');
    const haystack = `${title} ${normalize((item.genres ?? []).join(' '))} #${item.id}`;
    if (!words.every((w) => haystack.includes(w))) continue;
    hits.push({ item, prefix: q !== '' && title.startsWith(q), title });
  }
  // With no query, keep catalogue order (the coordinator's row order).
  if (q !== '') hits.sort((a, b) => Number(b.prefix) - Number(a.prefix) || a.title.localeCompare(b.title) || a.item.id - b.item.id);
  return { items: hits.slice(0, limit).map((h) => h.item), total: hits.length };
}

/** What the person reads for an item: its title, or its id when the coordinator has none. */
export function displayTitle(item: ItemInfo | undefined, id: number): string {
  return item?.title ?? `Item #${id}`;
}
