// Titles and genres for a MovieLens population, from the movies file beside its ratings:
// movies.csv (ml-latest, ml-20m+: RFC 4180, UTF-8) or movies.dat (ml-1m, ml-10m: MovieID::Title::Genres,
// Latin-1). None beside it: the population has ids only.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ItemDetails, ItemMetadata } from '../../shared/model/catalogue-listing.js';
import { parseGenres, parseMoviesCsv } from '../../shared/data/movies-csv.js';
import { BadDataFileError } from './errors.js';

export async function readTitlesBeside(ratingsFile: string): Promise<ItemMetadata | undefined> {
  const dir = dirname(ratingsFile);
  const csv = await readIfPresent(join(dir, 'movies.csv'));
  if (csv) {
    const file = join(dir, 'movies.csv');
    return parseMoviesCsv(csv.toString('utf8'), (line, problem) => {
      throw new BadDataFileError(file, line, problem);
    }).metadata;
  }
  const dat = await readIfPresent(join(dir, 'movies.dat'));
  if (dat) return parseMoviesDat(dat.toString('latin1'), join(dir, 'movies.dat'));
  return undefined;
}

export function parseMoviesDat(text: string, file: string): Map<number, ItemDetails> {
  const metadata = new Map<number, ItemDetails>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const [rawId, title, genres] = lines[i].split('::');
    const id = Number(rawId);
    if (rawId === '' || !Number.isSafeInteger(id) || title === undefined) {
      throw new BadDataFileError(file, i + 1, `expected MovieID::Title::Genres, found "${lines[i].slice(0, 80)}"`);
    }
    const details: ItemDetails = {};
    if (title.trim()) details.title = title.trim();
    const g = parseGenres(genres ?? '');
    if (g.length > 0) details.genres = g;
    if (!metadata.has(id)) metadata.set(id, details);
  }
  return metadata;
}

async function readIfPresent(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new BadDataFileError(path, 0, `cannot read the file (${code ?? err})`);
  }
}
