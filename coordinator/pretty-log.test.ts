// What a person at a terminal sees: one line per event, a round in a few lines, the round line saying
// reports of selected, who is missing, ε so far, duration and outcome. JSON keeps every field.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fedrecBin } from '../test-helpers/run-cli.js';
import { freePort } from '../test-helpers/free-port.js';
import { useHarness } from '../test-helpers/harness.js';
import { describeRound } from './round-summary.js';
import type { RoundSummary } from './engine-types.js';

const h = useHarness();

const base: RoundSummary = {
  round: 7, committed: true, sampled: 12, reported: 9, dropped: 2, late: 1, declined: 1, rejected: 0, clippedFraction: null, meanUpdateNorm: null,
  clipNorm: 10, noiseStddev: 10, seconds: 4.25, modelVersion: 6, epsilon: 1.2345, evaluation: { clients: 5, hr10: 0.61234, ndcg10: 0.4 }, aggregation: 'secure', secure: null, abandonedBy: null,
};

describe('describeRound', () => {
  it('says reports of selected, who is missing, ε so far, quality, time and outcome', () => {
    expect(describeRound(base)).toBe('round 7 committed (model v6): 9/12 reports (2 dropped, 1 could not train, 1 late), ε 1.23 so far, HR@10 0.612, 4.3 s');
    expect(describeRound({ ...base, committed: false, abandonedBy: 'FEDREC_TOO_FEW_REPORTS', dropped: 0, late: 0, declined: 0, evaluation: null, epsilon: Infinity })).toBe('round 7 abandoned (FEDREC_TOO_FEW_REPORTS): 9/12 reports, ε ∞ (no noise), 4.3 s');
  });
});

describe('pretty logs of a real coordinator', () => {
  it('print one line per event and three a round, with no field dumps', async () => {
    const port = await freePort();
    const proc = spawn(process.execPath, [fedrecBin, 'coordinator', '--items', '160', '--dim', '8', '--port', String(port), '--rounds', '2', '--min-clients', '2', '--round-delay-ms', '0', '--log-format', 'pretty'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FEDREC_LOG_LEVEL: 'info' } });
    let log = '';
    proc.stderr!.on('data', (d) => (log += d));
    const exited = new Promise((r) => proc.on('close', r));
    try {
      for (let i = 0; i < 100 && !log.includes('coordinator listening'); i++) await new Promise((r) => setTimeout(r, 50));
      const url = `ws://127.0.0.1:${port}`;
      expect(await Promise.all([0, 1].map((k) => h.client(url, k).run()))).toEqual(['done', 'done']);
      proc.kill('SIGINT');
      await exited;
    } finally {
      proc.kill('SIGKILL');
    }
    const lines = log.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN) \(coordinator\): \S/);
    expect(lines.filter((l) => l.includes('client joined'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('client left'))).toHaveLength(2);
    expect(log).toMatch(/round 1 committed \(model v1\): 2\/2 reports, ε ∞ \(no noise\)(, HR@10 \d\.\d{3})?, \d+\.\d s/);
    const round2 = lines.findIndex((l) => l.includes('round 2 train'));
    const done2 = lines.findIndex((l) => l.includes('round 2 committed'));
    expect(done2 - round2 + 1).toBeLessThanOrEqual(4);
  });
});
