// Loaders for the MovieLens rating files, as a simulation Population.
//
// Every rating, whatever its value, counts as one implicit interaction of kind 'view': the NCF
// protocol (and our federated model) learns "did the user interact with the item", and a low rating
// still means the user chose to watch the movie. The rating field is checked for being numeric and
// otherwise ignored.
//
// The format is detected from the content, so renamed copies work:
//   ml-100k u.data (and u1.base…): user \t item \t rating \t timestamp, no header
//   ml-1m / ml-10m ratings.dat:    user::item::rating::timestamp, no header
//   ml-latest(-small) / ml-20m+ ratings.csv: header `userId,movieId,rating,timestamp`, then rows
// Parsing works on bytes rather than strings: ml-1m (1M lines) loads in well under a second.

import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Interaction, Population, UserHistory } from '../../shared/data/types.js';
import { sortedUniqueIds } from './catalogue.js';
import { BadDataFileError } from './errors.js';
import { readTitlesBeside } from './movie-titles.js';

export type MovieLensFormat = 'u.data' | 'ratings.dat' | 'ratings.csv';

const CSV_HEADER = 'userId,movieId,rating,timestamp';
/** Files looked for, in this order, when a loader is given a directory such as ml-1m/. */
const RATINGS_FILES = ['ratings.csv', 'ratings.dat', 'u.data'];
const MAX_ID = 0x7fffffff; // ids are stored in Int32Arrays (the catalogue is one)
const TAB = 9;
const LF = 10;
const CR = 13;
const COLON = 58;
const COMMA = 44;

/** Reads a MovieLens ratings file (or a directory holding one) into a Population, with titles from movies.csv beside it. */
export async function loadMovieLens(path: string): Promise<Population> {
  const file = await resolveRatingsFile(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new BadDataFileError(file, 0, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const population = parseMovieLens(bytes, file);
  const metadata = await readTitlesBeside(file);
  return metadata ? { ...population, metadata } : population;
}

async function resolveRatingsFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new BadDataFileError(path, 0, 'no such file or directory');
  if (!info.isDirectory()) return path;
  for (const name of RATINGS_FILES) {
    const candidate = join(path, name);
    if (await stat(candidate).then((s) => s.isFile(), () => false)) return candidate;
  }
  throw new BadDataFileError(path, 0, `directory holds none of ${RATINGS_FILES.join(', ')}`);
}

/** Parses the bytes of a ratings file; `file` is used for the population name and in errors. */
export function parseMovieLens(bytes: Uint8Array, file: string): Population {
  const format = detectFormat(bytes, file);
  const rows = parseRows(bytes, file, format);
  return {
    name: `movielens:${join(basename(dirname(file)), basename(file))}`,
    users: groupByUser(rows),
    itemIds: sortedUniqueIds(rows.items.subarray(0, rows.count)),
  };
}

/** Looks at the first line only: the header for CSV, else the separator it uses. */
export function detectFormat(bytes: Uint8Array, file: string): MovieLensFormat {
  let end = bytes.indexOf(LF);
  if (end < 0) end = bytes.length;
  const first = new TextDecoder().decode(bytes.subarray(0, Math.min(end, 200))).replace(/^\uFEFF/, '').trim();
  if (first === '' && bytes.every((b) => b === LF || b === CR || b === 32 || b === TAB)) {
    throw new BadDataFileError(file, 1, 'the file is empty');
  }
  if (first === CSV_HEADER) return 'ratings.csv';
  if (first.includes('::')) return 'ratings.dat';
  if (first.includes('\t')) return 'u.data';
  if (first.includes(',')) {
    throw new BadDataFileError(file, 1, `a ratings.csv must start with the header "${CSV_HEADER}", found "${first}"`);
  }
  throw new BadDataFileError(
    file,
    1,
    `unknown format: expected u.data (tab-separated), ratings.dat (::-separated) or ratings.csv (header "${CSV_HEADER}"), found "${first}"`,
  );
}

interface Rows {
  count: number;
  users: Int32Array;
  items: Int32Array;
  timestamps: Float64Array;
}

function parseRows(bytes: Uint8Array, file: string, format: MovieLensFormat): Rows {
  const sep = format === 'u.data' ? [TAB] : format === 'ratings.dat' ? [COLON, COLON] : [COMMA];
  let capacity = 1;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === LF) capacity++;
  const rows: Rows = {
    count: 0,
    users: new Int32Array(capacity),
    items: new Int32Array(capacity),
    timestamps: new Float64Array(capacity),
  };
  const starts = new Int32Array(4);
  const ends = new Int32Array(4);
  let lineNo = 0;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  for (let pos = bom ? 3 : 0; pos < bytes.length; ) {
    let end = bytes.indexOf(LF, pos);
    if (end < 0) end = bytes.length;
    const next = end + 1;
    lineNo++;
    if (end > pos && bytes[end - 1] === CR) end--;
    if (lineNo === 1 && format === 'ratings.csv') {
      pos = next;
      continue;
    }
    if (isBlank(bytes, pos, end)) {
      pos = next;
      continue;
    }
    const n = splitFields(bytes, pos, end, sep, starts, ends);
    const user = n === 4 ? parseUint(bytes, starts[0], ends[0]) : -1;
    const item = n === 4 ? parseUint(bytes, starts[1], ends[1]) : -1;
    const timestamp = n === 4 ? parseUint(bytes, starts[3], ends[3]) : -1;
    const problem =
      n !== 4 ? `expected 4 fields (user, item, rating, timestamp) separated by ${sepName(format)}, found ${n}`
      : user < 0 || user > MAX_ID ? 'user id is not a non-negative integer'
      : item < 0 || item > MAX_ID ? 'item id is not a non-negative integer'
      : !isDecimal(bytes, starts[2], ends[2]) ? 'rating is not a number'
      : timestamp < 0 ? 'timestamp is not a non-negative integer'
      : undefined;
    if (problem !== undefined) {
      const text = new TextDecoder().decode(bytes.subarray(pos, Math.min(end, pos + 120)));
      throw new BadDataFileError(file, lineNo, `${problem} in "${text}"`);
    }
    rows.users[rows.count] = user;
    rows.items[rows.count] = item;
    rows.timestamps[rows.count] = timestamp;
    rows.count++;
    pos = next;
  }
  if (rows.count === 0) {
    throw new BadDataFileError(file, lineNo, format === 'ratings.csv' ? 'no ratings after the header' : 'no ratings');
  }
  return rows;
}

function sepName(format: MovieLensFormat): string {
  return format === 'u.data' ? 'tabs' : format === 'ratings.dat' ? '"::"' : 'commas';
}

/** Fills starts/ends with up to 4 fields and returns how many fields the line has. */
function splitFields(bytes: Uint8Array, s: number, e: number, sep: number[], starts: Int32Array, ends: Int32Array): number {
  let n = 0;
  let fieldStart = s;
  for (let p = s; p < e; ) {
    if (bytes[p] === sep[0] && (sep.length === 1 || (p + 1 < e && bytes[p + 1] === sep[1]))) {
      if (n < 4) {
        starts[n] = fieldStart;
        ends[n] = p;
      }
      n++;
      p += sep.length;
      fieldStart = p;
    } else p++;
  }
  if (n < 4) {
    starts[n] = fieldStart;
    ends[n] = e;
  }
  return n + 1;
}

/** Digits only (at most 15, so exact as a double); -1 when empty or not digits. */
function parseUint(bytes: Uint8Array, s: number, e: number): number {
  if (e <= s || e - s > 15) return -1;
  let v = 0;
  for (let p = s; p < e; p++) {
    const d = bytes[p] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** `digits[.digits]`, the form MovieLens ratings take (e.g. 4, 3.5). */
function isDecimal(bytes: Uint8Array, s: number, e: number): boolean {
  let digits = 0;
  let dots = 0;
  for (let p = s; p < e; p++) {
    const b = bytes[p];
    if (b >= 48 && b <= 57) digits++;
    else if (b === 46 && dots === 0 && p > s && p < e - 1) dots++;
    else return false;
  }
  return digits > 0;
}

function isBlank(bytes: Uint8Array, s: number, e: number): boolean {
  for (let p = s; p < e; p++) if (bytes[p] !== 32 && bytes[p] !== TAB && bytes[p] !== CR) return false;
  return true;
}

/** Users sorted by numeric id; each history sorted by timestamp, ties kept in file order. */
function groupByUser(rows: Rows): UserHistory[] {
  const dense = new Map<number, number>();
  const denseOfRow = new Int32Array(rows.count);
  const counts: number[] = [];
  for (let r = 0; r < rows.count; r++) {
    let d = dense.get(rows.users[r]);
    if (d === undefined) {
      d = counts.length;
      dense.set(rows.users[r], d);
      counts.push(0);
    }
    counts[d]++;
    denseOfRow[r] = d;
  }
  const ids = [...dense.keys()].sort((a, b) => a - b);
  const offsets = new Int32Array(counts.length + 1);
  const orderOfDense = new Int32Array(counts.length);
  ids.forEach((id, k) => {
    const d = dense.get(id)!;
    orderOfDense[d] = k;
    offsets[k + 1] = counts[d];
  });
  for (let k = 0; k < ids.length; k++) offsets[k + 1] += offsets[k];
  const fill = offsets.slice(0, ids.length);
  const rowsByUser = new Int32Array(rows.count);
  for (let r = 0; r < rows.count; r++) rowsByUser[fill[orderOfDense[denseOfRow[r]]]++] = r;

  return ids.map((id, k) => {
    const interactions: Interaction[] = [];
    let sorted = true;
    for (let p = offsets[k]; p < offsets[k + 1]; p++) {
      const r = rowsByUser[p];
      const timestamp = rows.timestamps[r];
      if (interactions.length > 0 && timestamp < interactions[interactions.length - 1].timestamp) sorted = false;
      interactions.push({ item: rows.items[r], timestamp, kind: 'view' });
    }
    if (!sorted) interactions.sort((a, b) => a.timestamp - b.timestamp); // stable: ties keep file order
    return { user: String(id), interactions };
  });
}
