// Reads the public item catalogue for a standalone coordinator: one item id per line (the first
// comma/tab-separated field; a header line and # comments are skipped), or a MovieLens movies.csv
// (a header with a title column), which also gives titles and genres.
// A ratings file (userId,movieId,rating,timestamp) parses as ids too, and would silently turn user
// ids into items, so it is recognised and refused.

import { readFile } from 'node:fs/promises';
import type { ItemMetadata } from '../shared/model/catalogue-listing.js';
import { hasTitleColumn, parseMoviesCsv } from '../shared/data/movies-csv.js';

const fail = (message: string) => Object.assign(new Error(message), { code: 'FEDREC_BAD_CATALOGUE_FILE' });

export async function readCatalogueFile(path: string): Promise<Int32Array> {
  return (await readCatalogue(path)).itemIds;
}

/** The ids, and the titles and genres when the file has a title column (null otherwise). */
export async function readCatalogue(path: string): Promise<{ itemIds: Int32Array; metadata: ItemMetadata | null }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw fail(`cannot read catalogue ${path}: ${why}`);
  }
  const lines = text.split(/\r?\n/);
  if (looksLikeRatings(lines)) {
    throw fail(`${path} looks like a ratings file (user, item, rating columns), not a catalogue; give movies.csv or one id per line`);
  }
  const first = lines.find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (first !== undefined && hasTitleColumn(first)) {
    return parseMoviesCsv(text, (line, problem) => {
      throw fail(`${path}:${line}: ${problem}`);
    });
  }
  const ids = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const field = line.split(/[,\t]/)[0].trim();
    const id = Number(field);
    if (!Number.isSafeInteger(id) || field === '') {
      if (ids.size === 0 && i === 0) continue; // header
      throw fail(`${path}:${i + 1}: "${field.slice(0, 40)}" is not an integer item id`);
    }
    if (id < -(2 ** 31) || id >= 2 ** 31) throw fail(`${path}:${i + 1}: item id ${id} does not fit in 32 bits`);
    ids.add(id);
  }
  if (ids.size === 0) throw fail(`${path}: no item ids found`);
  return { itemIds: Int32Array.from(ids).sort(), metadata: null };
}

/** How many data lines the ratings check samples: enough to see a user's second rating. */
const SAMPLE_LINES = 200;

/**
 * A header naming users or ratings, or rows of 3+ numeric columns whose first column repeats (one user,
 * many ratings). A catalogue's first column is unique and movies.csv's second column is a title.
 */
export function looksLikeRatings(lines: readonly string[]): boolean {
  const rows = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (rows.length === 0) return false;
  const header = rows[0].toLowerCase().split(/[,\t]/).map((f) => f.trim().replace(/^"|"$/g, ''));
  if (header.some((f) => /^(user_?id|user|rating)$/.test(f))) return true;
  const firsts = new Set<string>();
  for (const row of rows.slice(0, SAMPLE_LINES)) {
    const fields = row.split(/[,\t]/).map((f) => f.trim());
    if (fields.length < 3 || !fields.every((f) => f !== '' && Number.isFinite(Number(f)))) continue;
    if (firsts.has(fields[0])) return true;
    firsts.add(fields[0]);
  }
  return false;
}
