import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadPopulationSpecError } from './errors.js';
import { loadPopulation, parseSyntheticParams } from './load.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-load-'));
  await writeFile(join(dir, 'u.data'), '1\t5\t3\t10\n1\t6\t3\t20\n2\t5\t4\t15\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function specError(spec: string): Promise<BadPopulationSpecError> {
  const err = await loadPopulation(spec).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadPopulationSpecError);
  expect((err as BadPopulationSpecError).code).toBe('FEDREC_BAD_POPULATION_SPEC');
  return err as BadPopulationSpecError;
}

describe('loadPopulation', () => {
  it('loads the default synthetic population', async () => {
    const population = await loadPopulation('synthetic');
    expect(population.name).toBe('synthetic(users=2000,items=1000,seed=1)');
  });

  it('passes synthetic parameters, and uses opts.seed unless the spec names one', async () => {
    expect((await loadPopulation('synthetic:users=30,items=100, noise=0.2')).name).toBe('synthetic(users=30,items=100,seed=1,noise=0.2)');
    expect((await loadPopulation('synthetic:users=30', { seed: 4 })).name).toBe('synthetic(users=30,items=1000,seed=4)');
    expect((await loadPopulation('synthetic:users=30,seed=5', { seed: 4 })).name).toBe('synthetic(users=30,items=1000,seed=5)');
  });

  it('loads movielens:PATH, relative paths against baseDir', async () => {
    const absolute = await loadPopulation(`movielens:${join(dir, 'u.data')}`);
    expect(absolute.users.map((u) => u.user)).toEqual(['1', '2']);
    const relative = await loadPopulation('movielens:u.data', { baseDir: dir });
    expect(relative).toEqual(absolute);
    expect(relative.name).toBe(`movielens:${basename(dir)}/u.data`);
  });

  it.each([
    ['nonsense', 'expected "synthetic"'],
    ['movielens:', 'needs a path'],
    ['synthetic:users', 'is not key=number'],
    ['synthetic:users=lots', 'is not key=number'],
    ['synthetic:users=1=2', 'is not key=number'],
    ['synthetic:colour=3', 'unknown synthetic parameter "colour"'],
    ['synthetic:toString=3', 'unknown synthetic parameter "toString"'],
    ['synthetic:users=0', 'users must be at least 1'],
  ])('rejects %j', async (spec, problem) => {
    const err = await specError(spec);
    expect(err.message).toContain(`"${spec}"`);
    expect(err.message).toContain(problem);
  });

  it('reports a missing MovieLens file as a bad data file', async () => {
    await expect(loadPopulation('movielens:nope.csv', { baseDir: dir })).rejects.toMatchObject({ code: 'FEDREC_BAD_DATA_FILE' });
  });
});

describe('parseSyntheticParams', () => {
  it('reads key=number pairs', () => {
    expect(parseSyntheticParams('s', 'users=5000,items=2000,purchaseRate=0.25')).toEqual({ users: 5000, items: 2000, purchaseRate: 0.25 });
    expect(parseSyntheticParams('s', ' ')).toEqual({});
  });
});
