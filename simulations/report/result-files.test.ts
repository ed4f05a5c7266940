import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../bin/args.js';
import { parseResultFile, readResultFile } from './result-files.js';

const simulation = () => ({
  config: { population: 'synthetic(users=60,items=40,seed=1)', noiseMultiplier: 1 },
  rounds: [
    { round: 1, committed: true, hr10: null, ndcg10: null, epsilon: 1.2 },
    { round: 2, committed: false, hr10: 0.5, ndcg10: 0.3, epsilon: 1.2 },
  ],
  final: { hr10: 0.5, ndcg10: 0.3, epsilon: 1.2, delta: 1e-5, stoppedBy: 'rounds' },
  wallSeconds: 4,
});

/** The refusal a text gets, as (code, message). */
function refusal(text: string): { code: string; message: string } {
  try {
    parseResultFile(text, 'r.json');
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError); // exit code 2, one sentence
    return { code: (err as UsageError).code, message: (err as Error).message };
  }
  throw new Error('accepted');
}

function without(path: string): string {
  const o = simulation() as unknown as Record<string, unknown>;
  const keys = path.split('.');
  let at = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  delete at[keys.at(-1)!];
  return JSON.stringify(o);
}

describe('reading result files', () => {
  it('reads a simulation result as written, keeping nulls as "not measured"', () => {
    const r = parseResultFile(JSON.stringify(simulation()), 'dir/z1.0.json');
    expect(r).toMatchObject({ kind: 'simulation', name: 'z1.0', source: 'dir/z1.0.json', final: { hr10: 0.5, epsilon: 1.2, delta: 1e-5, stoppedBy: 'rounds' }, wallSeconds: 4 });
    expect(r.kind === 'simulation' && r.rounds).toEqual([
      { round: 1, committed: true, hr10: null, ndcg10: null, epsilon: 1.2 },
      { round: 2, committed: false, hr10: 0.5, ndcg10: 0.3, epsilon: 1.2 },
    ]);
  });

  it('reads a baseline result', () => {
    const r = parseResultFile(JSON.stringify({ data: 'synthetic(users=60,items=40,seed=1)', itemPop: { hr10: 0.3, ndcg10: 0.2 }, model: { hr10: 0.7, ndcg10: 0.4, epochs: 2 } }), 'b.json');
    expect(r).toEqual({ kind: 'baseline', source: 'b.json', name: 'b', population: 'synthetic(users=60,items=40,seed=1)', model: { hr10: 0.7, ndcg10: 0.4 }, itemPop: { hr10: 0.3, ndcg10: 0.2 } });
  });

  it.each([
    ['{"rounds": [', /^r\.json is not JSON \(/],
    ['[1, 2]', 'r.json is not a fedrec result: it holds no JSON object'],
    ['{"hello": 1}', 'r.json is not a fedrec result: it has neither "rounds" and "final" (from fedrec simulate --out) nor "model" and "itemPop" (from fedrec baseline --out)'],
    [without('config'), 'r.json is not a fedrec result: config is missing'],
    [without('rounds'), 'r.json is not a fedrec result: rounds is missing'],
    [without('final'), 'r.json is not a fedrec result: final is missing'],
    [without('final.epsilon'), 'r.json is not a fedrec result: final.epsilon is missing'],
    [without('rounds.1.hr10'), 'r.json is not a fedrec result: rounds[1].hr10 is missing'],
    [without('rounds.0.round'), 'r.json is not a fedrec result: rounds[0].round is missing'],
    [JSON.stringify({ ...simulation(), rounds: [{ round: 1, hr10: '0.5', ndcg10: null, epsilon: null }] }), 'rounds[0].hr10 must be a number or null, got "0.5"'],
    [JSON.stringify({ ...simulation(), rounds: [{ round: 0, hr10: null, ndcg10: null, epsilon: null }] }), 'rounds[0].round must be a positive integer, got 0'],
    [JSON.stringify({ itemPop: { hr10: 0.3, ndcg10: 0.2 }, model: { ndcg10: 0.4 } }), 'r.json is not a fedrec result: model.hr10 is missing'],
  ])('refuses %s with FEDREC_BAD_RESULT_FILE naming what is wrong', (text, message) => {
    const r = refusal(text);
    expect(r.code).toBe('FEDREC_BAD_RESULT_FILE');
    if (typeof message === 'string') expect(r.message).toContain(message);
    else expect(r.message).toMatch(message);
  });

  describe('from disk', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'fedrec-report-read-'));
      await writeFile(join(dir, 'ok.json'), JSON.stringify(simulation()));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('reads a file, and names one it cannot read (FEDREC_BAD_PATH)', async () => {
      expect((await readResultFile(join(dir, 'ok.json'))).kind).toBe('simulation');
      await expect(readResultFile(join(dir, 'nope.json'))).rejects.toMatchObject({ code: 'FEDREC_BAD_PATH', message: expect.stringContaining('nope.json cannot be read: it does not exist') });
    });
  });
});
