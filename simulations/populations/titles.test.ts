// Titles and genres that populations carry for GET /catalogue: made up for the synthetic generator,
// read from the movies file beside MovieLens ratings.

import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMovieLens } from './movielens.js';
import { generateSynthetic } from './synthetic.js';
import { clusterGenres, syntheticItemMetadata } from './synthetic-titles.js';

describe('synthetic titles and genres', () => {
  const { population, truth } = generateSynthetic({ users: 20, items: 1000 });
  const metadata = population.metadata!;

  it('every item has a readable, unique title "Words (Year)" and its cluster\'s genre', () => {
    expect(metadata.size).toBe(1000);
    const seen = new Set<string>();
    for (let row = 0; row < 1000; row++) {
      const d = metadata.get(population.itemIds[row])!;
      expect(d.title).toMatch(/^[A-Z][A-Za-z-]*( [A-Za-z-]+)*( \d+)? \((19[5-9]\d|20[0-2]\d)\)$/);
      expect(d.genres).toEqual(clusterGenres(truth.itemCluster[row]));
      seen.add(d.title!);
    }
    expect(seen.size).toBe(1000);
  });

  it('items of one cluster share a genre, items of different clusters (≤ 16) do not', () => {
    const genreOf = (row: number) => metadata.get(row + 1)!.genres![0];
    const byCluster = new Map<number, Set<string>>();
    for (let row = 0; row < 1000; row++) {
      const c = truth.itemCluster[row];
      byCluster.set(c, (byCluster.get(c) ?? new Set()).add(genreOf(row)));
    }
    expect([...byCluster.values()].every((g) => g.size === 1)).toBe(true);
    expect(new Set([...byCluster.values()].map((g) => [...g][0])).size).toBe(byCluster.size);
  });

  it('is deterministic and does not depend on how many users there are', () => {
    expect(generateSynthetic({ users: 20, items: 1000 }).population.metadata).toEqual(metadata);
    expect(generateSynthetic({ users: 57, items: 1000 }).population.metadata).toEqual(metadata);
    expect(syntheticItemMetadata(truth.itemCluster)).toEqual(metadata);
    // Another seed plants other clusters, so other genres and titles.
    expect(generateSynthetic({ users: 20, items: 1000, seed: 2 }).population.metadata).not.toEqual(metadata);
  });

  it('more clusters than genres get distinct genre pairs', () => {
    const pairs = new Set(Array.from({ length: 256 }, (_, c) => clusterGenres(c).join('|')));
    expect(pairs.size).toBe(256);
    expect(clusterGenres(3)).toHaveLength(1);
    expect(clusterGenres(20)).toHaveLength(2);
  });
});

describe('MovieLens titles beside the ratings', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  async function dirWith(files: Record<string, string | Buffer>): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'fedrec-titles-'));
    dirs.push(d);
    for (const [name, text] of Object.entries(files)) await writeFile(join(d, name), text);
    return d;
  }

  it('reads movies.csv beside ratings.csv', async () => {
    const d = await dirWith({
      'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4,10\n1,11,3,20\n',
      'movies.csv': 'movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n11,"American President, The (1995)",Comedy\n',
    });
    const p = await loadMovieLens(join(d, 'ratings.csv'));
    expect(p.metadata?.get(11)).toEqual({ title: 'American President, The (1995)', genres: ['Comedy'] });
    expect(p.metadata?.get(1)).toEqual({ title: 'Toy Story (1995)', genres: ['Animation', 'Comedy'] });
  });

  it('reads a Latin-1 movies.dat beside ratings.dat (ml-1m)', async () => {
    const d = await dirWith({
      'ratings.dat': '1::2::5::100\n',
      'movies.dat': Buffer.from('2::Jumanji (1995)::Adventure|Children\'s\n3::Misérables, Les (1995)::Drama\n', 'latin1'),
    });
    const p = await loadMovieLens(d);
    expect(p.metadata?.get(2)).toEqual({ title: 'Jumanji (1995)', genres: ['Adventure', "Children's"] });
    expect(p.metadata?.get(3)?.title).toBe('Misérables, Les (1995)');
  });

  it('has no titles when no movies file is beside the ratings, and names a broken one', async () => {
    const none = await dirWith({ 'u.data': '1\t2\t5\t100\n' });
    expect((await loadMovieLens(none)).metadata).toBeUndefined();
    const broken = await dirWith({ 'ratings.csv': 'userId,movieId,rating,timestamp\n1,1,4,10\n', 'movies.csv': 'movieId,title\n1,"open\n' });
    await expect(loadMovieLens(broken)).rejects.toMatchObject({ code: 'FEDREC_BAD_DATA_FILE', message: expect.stringMatching(/movies\.csv: line 2: a quoted field is never closed/) });
  });

  const RATINGS = fileURLToPath(new URL('../../../shared/data/ml-latest-small/ratings.csv', import.meta.url));
  const present = existsSync(RATINGS);
  it.skipIf(!present)(`ml-latest-small: every rated movie has a title (skipped when ${RATINGS} is absent)`, async () => {
    const p = await loadMovieLens(RATINGS);
    const missing = Array.from(p.itemIds).filter((id) => !p.metadata?.get(id)?.title);
    expect(missing).toEqual([]);
    expect(p.metadata?.get(1)).toEqual({ title: 'Toy Story (1995)', genres: ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy'] });
    expect(p.metadata?.get(7789)?.title).toBe('11\'09"01 - September 11 (2002)');
  });
});
