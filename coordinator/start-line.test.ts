// The first line an operator reads states the effective configuration: mode, sampling, thresholds,
// noise, budget and registration — not just the port.

import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { tinyItemIds } from '../test-helpers/tiny.js';
import { resolveConfig } from './config.js';
import { startCoordinator } from './coordinator.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, sink) };
}

describe('the start line', () => {
  it('warns about noise for the population a simulation will register, not the empty registry', async () => {
    const config = resolveConfig({ port: 0, model: { dim: 4 }, samplingRate: 0.02, minClients: 2, noiseMultiplier: 1 });
    const { lines, logger } = capture();
    // tinyItemIds × (dim + 1) parameters: √d/(q·N) decides the warning; 50,000 expected → ≈ 1,000 a round.
    const running = await startCoordinator({ config, logger, itemIds: tinyItemIds, expectedPopulation: 50_000 });
    await running.close();
    expect(lines.find((l) => l.event === 'start-warning')).toBeUndefined();
    const { lines: early, logger: earlyLogger } = capture();
    const alone = await startCoordinator({ config, logger: earlyLogger, itemIds: tinyItemIds });
    await alone.close();
    expect(early.find((l) => l.event === 'start-warning')).toMatchObject({ population: 2, samplingRate: 0.02 });
  });

  it('states aggregation, q, minClients, minReports, noise, budget and registration', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const config = resolveConfig({ port: 0, model: { dim: 4 }, samplingRate: 0.1, minClients: 3, minReports: 2, noiseMultiplier: 1.1, privacy: { budget: { epsilon: 4, delta: 1e-6 } } });
    const running = await startCoordinator({ config, logger: pino({ level: 'info' }, sink), itemIds: tinyItemIds });
    await running.close();
    const start = lines.find((l) => l.event === 'listening')!;
    expect(start).toMatchObject({ aggregation: 'secure', samplingRate: 0.1, minClients: 3, minReports: 2, noiseMultiplier: 1.1, budget: { epsilon: 4, delta: 1e-6 }, registration: 'open' });
    expect(start.msg).toMatch(/secure aggregation, q = 0\.1, rounds start at 3 connected clients, 2 s apart, 2 reports to commit, noise z 1\.1, budget ε 4 at δ 0\.000001, registration open/);
  });
});
