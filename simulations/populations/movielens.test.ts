import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadDataFileError } from './errors.js';
import { loadMovieLens } from './movielens.js';

// Tiny fixtures in each format, written to a temp dir: no MovieLens data lives in the repo.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-movielens-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, text: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function loadError(path: string): Promise<BadDataFileError> {
  const err = await loadMovieLens(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadDataFileError);
  return err as BadDataFileError;
}

// The same five ratings in every format: user 10 rated item 7 and 3, user 2 rated items 3, 5, 9.
const RATINGS = [
  [10, 7, '4', 300],
  [2, 9, '3.5', 200],
  [10, 3, '1', 100],
  [2, 3, '5', 50],
  [2, 5, '2', 200],
] as const;
const EXPECTED_USERS = [
  {
    user: '2',
    interactions: [
      { item: 3, timestamp: 50, kind: 'view' },
      { item: 9, timestamp: 200, kind: 'view' }, // tie at 200: file order kept
      { item: 5, timestamp: 200, kind: 'view' },
    ],
  },
  {
    user: '10',
    interactions: [
      { item: 3, timestamp: 100, kind: 'view' },
      { item: 7, timestamp: 300, kind: 'view' },
    ],
  },
];

describe('loadMovieLens', () => {
  it.each([
    ['u.data', RATINGS.map((r) => r.join('\t')).join('\n') + '\n'],
    ['ratings.dat', RATINGS.map((r) => r.join('::')).join('\n') + '\n'],
    ['ratings.csv', 'userId,movieId,rating,timestamp\n' + RATINGS.map((r) => r.join(',')).join('\n') + '\n'],
    ['crlf.csv', 'userId,movieId,rating,timestamp\r\n' + RATINGS.map((r) => r.join(',')).join('\r\n')],
    ['renamed.txt', RATINGS.map((r) => r.join('::')).join('\n')],
  ])('parses %s: users by numeric id, histories by timestamp, catalogue = items in the file', async (name, text) => {
    const population = await loadMovieLens(await fixture(name, text));
    expect(population.users).toEqual(EXPECTED_USERS);
    expect(Array.from(population.itemIds)).toEqual([3, 5, 7, 9]);
    expect(population.itemIds).toBeInstanceOf(Int32Array);
    expect(population.name).toMatch(new RegExp(`^movielens:fedrec-movielens-\\w+/${name.replace('.', '\\.')}$`));
  });

  it('finds the ratings file in a directory', async () => {
    await mkdir(join(dir, 'ml-1m'));
    await fixture('ml-1m/ratings.dat', RATINGS.map((r) => r.join('::')).join('\n'));
    await fixture('ml-1m/movies.dat', '1::Toy Story (1995)::Animation\n');
    const population = await loadMovieLens(join(dir, 'ml-1m'));
    expect(population.users).toEqual(EXPECTED_USERS);
    expect(population.name).toBe('movielens:ml-1m/ratings.dat');
  });

  it('loads 200,000 ratings', async () => {
    const lines: string[] = [];
    for (let k = 0; k < 200_000; k++) lines.push(`${1 + (k % 1000)}::${1 + ((k * 7919) % 3000)}::${1 + (k % 5)}::${1_000_000_000 - k}`);
    const path = await fixture('big.dat', lines.join('\n') + '\n');
    const population = await loadMovieLens(path);
    expect(population.users).toHaveLength(1000);
    expect(population.users[0].interactions[0].timestamp).toBeLessThan(population.users[0].interactions[1].timestamp);
  });

  it.each([
    ['empty.csv', '', 1, 'the file is empty'],
    ['blank.dat', '\n\n  \n', 1, 'the file is empty'],
    ['header-only.csv', 'userId,movieId,rating,timestamp\n', 1, 'no ratings after the header'],
    ['no-header.csv', '1,2,3.5,100\n', 1, 'must start with the header'],
    ['other-header.csv', 'userId,movieId,tag,timestamp\n1,2,funny,100\n', 1, 'must start with the header'],
    ['spaces.data', '1 2 3 100\n', 1, 'unknown format'],
    ['short.data', '1\t2\t3\t100\n1\t2\t3\n', 2, 'expected 4 fields (user, item, rating, timestamp) separated by tabs, found 3'],
    ['long.dat', '1::2::3::100\n1::2::3::100::9\n', 2, 'separated by "::", found 5'],
    ['wrong-sep.csv', 'userId,movieId,rating,timestamp\n1,2,3,100\n1;2;3;100\n', 3, 'separated by commas, found 1'],
    ['user.csv', 'userId,movieId,rating,timestamp\n1,2,3,100\nx1,2,3,100\n', 3, 'user id is not a non-negative integer in "x1,2,3,100"'],
    ['item.data', '1\t2\t3\t100\n1\t-2\t3\t100\n', 2, 'item id is not a non-negative integer'],
    ['bigitem.data', '1\t2147483648\t3\t100\n', 1, 'item id is not a non-negative integer'],
    ['empty-item.dat', '1::::3::100\n', 1, 'item id'],
    ['rating.dat', '1::2::five::100\n', 1, 'rating is not a number'],
    ['time.dat', '1::2::3::1e9\n', 1, 'timestamp is not a non-negative integer'],
  ])('rejects %s', async (name, text, line, problem) => {
    const path = await fixture(name, text);
    const err = await loadError(path);
    expect(err.code).toBe('FEDREC_BAD_DATA_FILE');
    expect(err.file).toBe(path);
    expect(err.line).toBe(line);
    expect(err.message).toContain(`${path}: line ${line}: `);
    expect(err.message).toContain(problem);
  });

  it('rejects a missing file, and a directory without a ratings file', async () => {
    const missing = await loadError(join(dir, 'nope', 'ratings.csv'));
    expect(missing.code).toBe('FEDREC_BAD_DATA_FILE');
    expect(missing.message).toContain(join(dir, 'nope', 'ratings.csv'));
    expect(missing.message).toContain('no such file');
    await mkdir(join(dir, 'empty-dir'));
    const noRatings = await loadError(join(dir, 'empty-dir'));
    expect(noRatings.message).toContain('holds none of ratings.csv, ratings.dat, u.data');
  });
});
