import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../bin/args.js';
import { runBaselineCommand, runSimulateCommand } from './cli.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-simcli-'));
  process.env.FEDREC_LOG_LEVEL = 'silent';
});
afterEach(async () => {
  delete process.env.FEDREC_LOG_LEVEL;
  await rm(dir, { recursive: true, force: true });
});

describe('fedrec simulate / baseline (the commands as typed)', () => {
  it('simulate writes the documented JSON', async () => {
    const out = join(dir, 'sim.json');
    const code = await runSimulateCommand(['--data', 'synthetic:users=60,items=50', '--rounds', '2', '--clients-per-round', '60', '--dim', '8', '--seed', '3', '--log-format', 'json', '--out', out]);
    expect(code).toBe(0);
    const r = JSON.parse(await readFile(out, 'utf8'));
    expect(r.config).toMatchObject({ rounds: 2, clientsPerRound: 60, dim: 8, seed: 3, noiseMultiplier: 0 });
    expect(r.rounds).toHaveLength(2);
    for (const x of r.rounds) expect(Object.keys(x)).toEqual(expect.arrayContaining(['round', 'participants', 'hr10', 'ndcg10', 'seconds']));
    expect(Object.keys(r.final)).toEqual(expect.arrayContaining(['hr10', 'ndcg10']));
  });

  it('baseline writes itemPop and model quality', async () => {
    const out = join(dir, 'b.json');
    expect(await runBaselineCommand(['--data', 'synthetic:users=60,items=50', '--epochs', '2', '--dim', '8', '--log-format', 'json', '--out', out])).toBe(0);
    const b = JSON.parse(await readFile(out, 'utf8'));
    expect(b.itemPop.hr10).toBeGreaterThanOrEqual(0);
    expect(b.model.hr10).toBeGreaterThanOrEqual(0);
    expect(b.model.ndcg10).toBeLessThanOrEqual(b.model.hr10);
  });

  it.each([
    [['--rounds', '0'], /--rounds must be a positive integer/],
    [['--sampling-rate', '1.5'], /--sampling-rate must be in \(0, 1\]/],
    [['--clients-per-round', '5', '--sampling-rate', '0.1'], /not both/],
    [['--compression', 'zip'], /--compression must be one of/],
    [['--bogus'], /bogus/],
  ])('rejects %j with a sentence naming the flag', async (argv, message) => {
    await expect(runSimulateCommand(argv)).rejects.toThrow(UsageError);
    await expect(runSimulateCommand(argv)).rejects.toThrow(message);
  });

  it('names the file when the data is missing', async () => {
    await expect(runSimulateCommand(['--data', `movielens:${join(dir, 'nope.csv')}`, '--log-format', 'json'])).rejects.toThrow(/nope\.csv/);
  });
});
