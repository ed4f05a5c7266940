// The demo's settings say what they do: every device in every round, secure aggregation, noise with
// an honest budget, and a round count in the start line that the accountant agrees with.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../shared/privacy/index.js';
import { demoConfig, DEMO_DEFAULTS, roundsWithinBudget, startLine } from './settings.js';
import { checkWebDir } from './web-root.js';

const epsilonAfter = (rounds: number) => rdpToEpsilon(DEFAULT_ORDERS, computeRdp(1, DEMO_DEFAULTS.noiseMultiplier, rounds), DEMO_DEFAULTS.delta).epsilon;

describe('demo settings', () => {
  it('select every client in every round, aggregate securely, register openly, publish no evaluation', () => {
    const c = demoConfig(0, 40);
    expect(c).toMatchObject({ host: '127.0.0.1', port: 0, samplingRate: 1, aggregation: 'secure', registration: 'open', minClients: 40, rounds: 0, noiseMultiplier: 0.2, stateDir: null });
    expect(c.evaluation.every).toBe(0);
    expect(c.privacy.budget).toEqual({ epsilon: 250_000, delta: 1e-5 });
    expect(c.round.clipNorm).toBe(1);
  });

  it('the rounds the budget allows are the last T with ε(T) within it', () => {
    const budget = { epsilon: DEMO_DEFAULTS.budgetEpsilon, delta: DEMO_DEFAULTS.delta };
    const t = roundsWithinBudget(1, DEMO_DEFAULTS.noiseMultiplier, budget);
    expect(epsilonAfter(t)).toBeLessThanOrEqual(budget.epsilon);
    expect(epsilonAfter(t + 1)).toBeGreaterThan(budget.epsilon);
    // Half a day or more at a round every ~3 s.
    expect(t).toBeGreaterThan(14_000);
    expect(roundsWithinBudget(1, DEMO_DEFAULTS.noiseMultiplier, { epsilon: 1, delta: 1e-5 })).toBe(0);
  });

  it('the start line gives the address first, then q, N, noise, budget and that it is a demo', () => {
    const line = startLine('http://127.0.0.1:1234/', demoConfig(1234, 40), 40, 'synthetic(users=40,items=200,seed=1)');
    expect(line.startsWith('fedrec demo: open http://127.0.0.1:1234/ in a browser.')).toBe(true);
    for (const part of ['40 simulated clients', '(q = 1)', 'secure aggregation', 'noise z 0.2', 'budget ε 250000 at δ 1e-5', 'about 15,997 rounds', 'no privacy guarantee']) expect(line).toContain(part);
    expect(line).not.toContain('\n');
  });
});

describe('the web app directory', () => {
  it('a missing build is one sentence that says to run npm run build', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedrec-web-'));
    try {
      await expect(checkWebDir(dir, undefined)).rejects.toMatchObject({ code: 'FEDREC_BAD_PATH', message: expect.stringContaining('run `npm run build` first') });
      await expect(checkWebDir(dir, 'my-dir')).rejects.toMatchObject({ code: 'FEDREC_BAD_PATH', message: expect.stringContaining('--web-dir my-dir holds no index.html') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
