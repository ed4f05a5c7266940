// MovieLens movies.csv (`movieId,title,genres`): the catalogue's ids with their titles and genres.
// Titles may hold commas and quotes (RFC 4180 quoting); genres are `|`-separated and
// "(no genres listed)" means none. Used by the coordinator's --catalogue and the MovieLens loader.

import type { ItemDetails } from '../model/catalogue-listing.js';
import { CsvSyntaxError, parseCsv } from './csv.js';

export interface MoviesCatalogue {
  /** Sorted unique ids. */
  itemIds: Int32Array;
  metadata: Map<number, ItemDetails>;
}

const ID_COLUMNS = ['movieid', 'itemid', 'item_id', 'id'];
const NO_GENRES = '(no genres listed)';

/** Whether a header line names a title column, i.e. the file carries titles. */
export function hasTitleColumn(headerLine: string): boolean {
  return headerColumns(headerLine).includes('title');
}

/**
 * Parses a movies.csv. `fail(line, problem)` throws the caller's own coded error. The first id of a
 * repeated one keeps its title; `#` comment lines are skipped.
 */
export function parseMoviesCsv(text: string, fail: (line: number, problem: string) => never): MoviesCatalogue {
  let records;
  try {
    records = parseCsv(text, (l) => l.trimStart().startsWith('#'));
  } catch (err) {
    if (err instanceof CsvSyntaxError) return fail(err.line, err.problem);
    throw err;
  }
  if (records.length === 0) return fail(1, 'no header and no items');
  const header = records[0].fields.map(normalise);
  const idAt = header.findIndex((h) => ID_COLUMNS.includes(h));
  const titleAt = header.indexOf('title');
  const genresAt = header.indexOf('genres');
  if (idAt < 0 || titleAt < 0) return fail(records[0].line, `the header needs an id column (movieId) and a title column, found "${records[0].fields.join(',').slice(0, 80)}"`);
  const metadata = new Map<number, ItemDetails>();
  for (const { fields, line } of records.slice(1)) {
    const raw = (fields[idAt] ?? '').trim();
    const id = Number(raw);
    if (raw === '' || !Number.isSafeInteger(id)) return fail(line, `"${raw.slice(0, 40)}" is not an integer item id`);
    if (id < -(2 ** 31) || id >= 2 ** 31) return fail(line, `item id ${id} does not fit in 32 bits`);
    if (metadata.has(id)) continue;
    const details: ItemDetails = {};
    const title = (fields[titleAt] ?? '').trim();
    if (title) details.title = title;
    const genres = genresAt < 0 ? [] : parseGenres(fields[genresAt] ?? '');
    if (genres.length > 0) details.genres = genres;
    metadata.set(id, details);
  }
  if (metadata.size === 0) return fail(records[0].line, 'no items after the header');
  return { itemIds: Int32Array.from(metadata.keys()).sort(), metadata };
}

export function parseGenres(field: string): string[] {
  const f = field.trim();
  if (f === '' || f === NO_GENRES) return [];
  return f.split('|').map((g) => g.trim()).filter((g) => g !== '' && g !== NO_GENRES);
}

function headerColumns(line: string): string[] {
  return line.split(/[,\t]/).map(normalise);
}

function normalise(field: string): string {
  return field.trim().replace(/^\uFEFF/, '').replace(/^"|"$/g, '').toLowerCase();
}
