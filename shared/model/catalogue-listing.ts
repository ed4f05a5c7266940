// What people see of the public catalogue: titles and genres beside the item ids. Display only: the
// model and the wire protocol know ids and rows, never titles. The coordinator serves the listing at
// GET /catalogue; devices fetch it once per catalogue version and keep it.

import { ErrorCodes, FedrecError } from '../protocol/errors.js';
import type { Catalogue } from './catalogue.js';

export interface ItemDetails {
  title?: string;
  genres?: string[];
}

/** Titles (and genres) by external item id; items without an entry are shown by id. */
export type ItemMetadata = ReadonlyMap<number, ItemDetails>;

export interface ItemInfo extends ItemDetails {
  id: number;
}

/** The body of GET /catalogue: one entry per catalogue row, in row order. */
export interface CatalogueListing {
  /** The catalogue's content hash (catalogueVersion), the same a device holds from the welcome. */
  version: string;
  items: ItemInfo[];
}

export function catalogueListing(catalogue: Catalogue, metadata?: ItemMetadata | null): CatalogueListing {
  const items: ItemInfo[] = new Array(catalogue.itemIds.length);
  for (let r = 0; r < catalogue.itemIds.length; r++) {
    const id = catalogue.itemIds[r];
    const m = metadata?.get(id);
    const item: ItemInfo = { id };
    if (m?.title) item.title = m.title;
    if (m?.genres && m.genres.length > 0) item.genres = [...m.genres];
    items[r] = item;
  }
  return { version: catalogue.version, items };
}

/** Checks a listing read from the network; throws FEDREC_BAD_CATALOGUE naming what is wrong. */
export function parseCatalogueListing(json: unknown, source: string): CatalogueListing {
  const fail = (what: string): never => {
    throw new FedrecError(ErrorCodes.BAD_CATALOGUE, `${source} is not a catalogue listing: ${what}`);
  };
  if (typeof json !== 'object' || json === null) return fail('not a JSON object');
  const { version, items } = json as { version?: unknown; items?: unknown };
  if (typeof version !== 'string' || version === '') return fail('no "version" string');
  if (!Array.isArray(items)) return fail('no "items" array');
  const out: ItemInfo[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as { id?: unknown; title?: unknown; genres?: unknown } | null;
    if (typeof it !== 'object' || it === null || !Number.isSafeInteger(it.id)) return fail(`items[${i}] has no integer "id"`);
    const item: ItemInfo = { id: it.id as number };
    if (it.title !== undefined) {
      if (typeof it.title !== 'string') return fail(`items[${i}].title is not a string`);
      item.title = it.title;
    }
    if (it.genres !== undefined) {
      if (!Array.isArray(it.genres) || !it.genres.every((g) => typeof g === 'string')) return fail(`items[${i}].genres is not a list of strings`);
      item.genres = it.genres as string[];
    }
    out[i] = item;
  }
  return { version, items: out };
}

/** Id → details, for looking titles up while printing. */
export function metadataOf(listing: CatalogueListing): ItemMetadata {
  const m = new Map<number, ItemDetails>();
  for (const { id, ...details } of listing.items) if (details.title !== undefined || details.genres !== undefined) m.set(id, details);
  return m;
}
