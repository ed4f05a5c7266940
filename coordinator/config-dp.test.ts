// `dp` in the coordinator configuration and on the command lines: a default, and refusals that name it.
import { describe, expect, it } from 'vitest';
import { runSimulateCommand } from '../simulations/cli.js';
import { runCoordinatorCommand } from './cli.js';
import { defaultCoordinatorConfig, resolveConfig } from './config.js';
import { useHarness } from '../test-helpers/harness.js';

describe('config.dp', () => {
  it('defaults to central and accepts distributed with secure aggregation', () => {
    expect(defaultCoordinatorConfig().dp).toBe('central');
    expect(resolveConfig({ dp: 'distributed', noiseMultiplier: 1 }).dp).toBe('distributed');
  });

  it('refuses an unknown mode, plaintext aggregation and adaptive clipping with distributed DP', () => {
    expect(() => resolveConfig({ dp: 'local' as never })).toThrow(/dp must be "central" or "distributed"/);
    expect(() => resolveConfig({ dp: 'distributed', aggregation: 'plaintext' })).toThrow(/needs aggregation "secure"/);
    expect(() => resolveConfig({ dp: 'distributed', noiseMultiplier: 1, adaptiveClipping: { targetQuantile: 0.5, learningRate: 0.2, countNoiseStddev: 5 } })).toThrow(/adaptive clipping/);
  });

  it('--dp is checked by fedrec coordinator and fedrec simulate', async () => {
    await expect(runCoordinatorCommand(['--dp', 'local'])).rejects.toThrow(/--dp must be central or distributed/);
    await expect(runSimulateCommand(['--dp', 'local'])).rejects.toThrow(/--dp must be central or distributed/);
  });
});

describe('GET /privacy in distributed mode', () => {
  const h = useHarness();
  it('names the Skellam mechanism before any round ran', async () => {
    const c = await h.coordinator({ dp: 'distributed', noiseMultiplier: 1 });
    const privacy = await (await fetch(`${c.httpUrl}/privacy`)).json();
    expect(privacy.roundsDone).toBe(0);
    expect(privacy.mechanism).toMatch(/Skellam/);
  });
});
