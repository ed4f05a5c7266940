import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../shared/privacy/index.js';
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

  it('--dry-run prints the ε the ledger would report after every round, central or distributed', async () => {
    // README's 50,000-user runs: q = 0.02, 100 rounds, C = 1, δ = 1e-5.
    const plan = async (z: string, dp: string) => {
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      try {
        const code = await runSimulateCommand(['--data', 'synthetic:users=50000,items=2000', '--sampling-rate', '0.02', '--rounds', '100', '--clip', '1', '--noise-multiplier', z, '--delta', '1e-5', '--dp', dp, '--dry-run']);
        expect(code).toBe(0);
        return JSON.parse(String(log.mock.calls.at(-1)![0])) as { plannedEpsilon: number; delta: number };
      } finally {
        log.mockRestore();
      }
    };
    const central = await plan('1.0', 'central');
    expect(central.plannedEpsilon).toBeCloseTo(rdpToEpsilon(DEFAULT_ORDERS, computeRdp(0.02, 1, 100, DEFAULT_ORDERS), 1e-5).epsilon, 9);
    expect(central.plannedEpsilon).toBeCloseTo(1.85, 2); // the ledger's final ε of README's central run
    // Distributed DP accounts the same noise with the looser subsampling bound: z = 1.0 overshoots
    // ε 2 and z = 1.05 (README's row) plans just under it.
    const d100 = await plan('1.0', 'distributed');
    const d105 = await plan('1.05', 'distributed');
    expect(d100.plannedEpsilon).toBeGreaterThan(2);
    expect(d105.plannedEpsilon).toBeLessThan(2);
    expect(d105.plannedEpsilon).toBeGreaterThan(central.plannedEpsilon);
    // Adaptive clipping releases more than the plan covers: no number rather than a low one.
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await runSimulateCommand(['--data', 'synthetic:users=200,items=50', '--noise-multiplier', '1', '--adaptive-clip', '0.5', '--dry-run']);
    expect(JSON.parse(String(log.mock.calls.at(-1)![0])).plannedEpsilon).toBeNull();
    log.mockRestore();
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
