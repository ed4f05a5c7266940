// GET /privacy names everything the coordinator releases and what ε covers: the model only.

import { describe, expect, it } from 'vitest';
import { useHarness } from '../test-helpers/harness.js';
import type { Release } from './releases.js';

const h = useHarness();

async function releases(patch: Parameters<typeof h.coordinator>[0]): Promise<Release[]> {
  const c = await h.coordinator(patch);
  return (await (await fetch(`${c.httpUrl}/privacy`)).json()).releases;
}

describe('GET /privacy releases', () => {
  it('with noise: the model (and an adaptive clip norm) are covered by ε; status, evaluation, catalogue and operator views are not', async () => {
    const r = await releases({ noiseMultiplier: 1, adaptiveClipping: { targetQuantile: 0.5, learningRate: 0.2, countNoiseStddev: 1 }, evaluation: { every: 1 } });
    const by = (s: string) => r.find((x) => x.what.includes(s))!;
    expect(by('the model')).toMatchObject({ coveredBy: 'epsilon', to: 'selected devices' });
    expect(by('clip norm')).toMatchObject({ coveredBy: 'epsilon' });
    expect(by('round status')).toMatchObject({ coveredBy: 'not covered', to: 'public' });
    expect(by('evaluation averages')).toMatchObject({ coveredBy: 'not covered', note: expect.stringContaining('without noise') });
    expect(by('catalogue')).toMatchObject({ coveredBy: 'not covered' });
    expect(by('operator views')).toMatchObject({ to: 'operator' });
    expect(r.filter((x) => x.coveredBy === 'epsilon')).toHaveLength(2);
  });

  it('without noise nothing is covered, and evaluation (off by default: it is not noised) says none is published', async () => {
    const r = await releases({ noiseMultiplier: 0 });
    expect(r.every((x) => x.coveredBy === 'not covered')).toBe(true);
    expect(r.find((x) => x.what.includes('evaluation'))!.note).toMatch(/none published/);
  });
});
