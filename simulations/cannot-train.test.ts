// `fedrec simulate` when users cannot train: a user whose history leaves no negatives to sample is
// named with the fix and counted in its round (never a silent hang), and a run in which no round
// committed exits 1 with a coded sentence, never "HR@10 undefined".

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, STACK_LINE } from '../test-helpers/run-cli.js';

let dir = '';
const ITEMS = 30;

/** MovieLens ratings.csv: `normal` users with 6 items each, then `hoarders` who touched 29 of 30. */
async function ratings(name: string, normal: number, hoarders: number): Promise<string> {
  const rows = ['userId,movieId,rating,timestamp'];
  for (let u = 1; u <= normal; u++) for (let j = 0; j < 6; j++) rows.push(`${u},${((u * 7 + j * 5) % ITEMS) + 1},4.0,${1000 + j}`);
  for (let u = normal + 1; u <= normal + hoarders; u++) for (let i = 1; i < ITEMS; i++) rows.push(`${u},${i},4.0,${1000 + i}`);
  const path = join(dir, name);
  await writeFile(path, rows.join('\n') + '\n');
  return path;
}

const simulate = (file: string) =>
  runCli(['simulate', '--data', `movielens:${file}`, '--rounds', '1', '--dim', '4', '--local-epochs', '1', '--eval-every', '1', '--workers', '1', '--deadline-ms', '120000', '--log-format', 'json'], {
    env: { FEDREC_LOG_LEVEL: 'info' },
    timeoutMs: 60_000,
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fedrec-cannot-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fedrec simulate with users who cannot train', () => {
  it('names the user and the fix, counts it in its round, and finishes well before the deadline', async () => {
    const started = Date.now();
    const r = await simulate(await ratings('one-hoarder.csv', 6, 1));
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(50_000); // the deadline is 120 s
    expect(r.stderr).toMatch(/"code":"FEDREC_HISTORY_TOO_LARGE".*sim-7 \(round 1\): this history touches 28 of the catalogue's 30 items.*lower the coordinator's round\.negatives or leave this user out/);
    expect(r.stderr).toMatch(/round 1\/1: 6 updates \(1 could not train\)/);
    expect(r.stderr + r.stdout).not.toContain('undefined');
    expect(r.stderr).not.toContain('FEDREC_SECAGG_WRONG_STAGE'); // the decliner left the secure stages
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('exits 1 with FEDREC_NOTHING_TRAINED when no round committed', async () => {
    const r = await simulate(await ratings('all-hoarders.csv', 0, 3));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/FEDREC_NOTHING_TRAINED: no round committed \(1 abandoned, stopped by rounds\)/);
    expect(r.stderr + r.stdout).not.toContain('undefined');
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
