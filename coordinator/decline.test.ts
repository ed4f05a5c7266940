// A device that cannot do its task (here: a history touching almost every item, so no negatives are
// left to sample) says so with a reasonless `decline`: the round closes without waiting out its
// deadline, counts it, and the device learns the code and the fix.

import { describe, expect, it } from 'vitest';
import type { TaskOutcome } from '../client/fedrec-client.js';
import { tinyDataset, tinyItemIds } from '../test-helpers/tiny.js';
import { useHarness } from '../test-helpers/harness.js';
import type { RoundSummary } from './round-engine.js';
import { validateClientMessage } from '../shared/protocol/validate.js';

const h = useHarness();

/** 57 of the 60 tiny items: 4 negatives per interaction cannot be drawn from the 3 left. */
const hoarder = { train: Array.from(tinyItemIds.slice(0, 57), (item, t) => ({ item, timestamp: t, kind: 'view' as const })), heldOut: null };

describe('a device that cannot train', () => {
  it.each(['secure', 'plaintext'] as const)('%s: declines, the round commits with the others long before its deadline', async (aggregation) => {
    const c = await h.coordinator({ aggregation, rounds: 1, minClients: 3, clientsPerRound: 3, roundDeadlineMs: 600_000, evaluation: { every: 0 } });
    const summaries: RoundSummary[] = [];
    c.engine.on('round', (s: RoundSummary) => summaries.push(s));
    const outcomes: TaskOutcome[] = [];
    const started = Date.now();
    const allowPlaintext = aggregation === 'plaintext';
    const ends = await Promise.all([
      h.client(c.url, 0, { data: hoarder, allowPlaintext }).run((o) => outcomes.push(o)),
      h.client(c.url, 1, { allowPlaintext }).run(),
      h.client(c.url, 2, { data: tinyDataset(2), allowPlaintext }).run(),
    ]);
    expect(ends).toEqual(['done', 'done', 'done']);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ round: 1, committed: true, sampled: 3, reported: 2, declined: 1 });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ task: 'failed', round: 1, code: 'FEDREC_HISTORY_TOO_LARGE' });
    expect((outcomes[0] as { message: string }).message).toMatch(/touches 57 of the catalogue's 60 items, leaving 3 to draw 4 negatives .* lower the coordinator's round\.negatives or leave this user out/);
  });

  it('the decline message carries the round and task only, and is validated', () => {
    expect(validateClientMessage({ type: 'decline', round: 3, task: 'train', why: 'secret' })).toEqual({ type: 'decline', round: 3, task: 'train' });
    expect(() => validateClientMessage({ type: 'decline', round: 0, task: 'train' })).toThrow(/round/);
    expect(() => validateClientMessage({ type: 'decline', round: 1, task: 'sing' })).toThrow(/task/);
  });
});
