// The device ledger counts what left, when it left: an update the coordinator rejects still left the
// device (recorded, unacknowledged); evaluation metrics that left are recorded too; nothing is
// recorded for what never left.

import { describe, expect, it } from 'vitest';
import { MemoryStore } from './store.js';
import type { UpdateMiddleware } from './middleware/types.js';
import { clipUpdate } from './middleware/clip.js';
import { localEpsilon } from './local-privacy.js';
import { useHarness, oneClientRounds } from '../test-helpers/harness.js';

const h = useHarness();

/** Makes the update non-finite after clipping: the coordinator refuses it (FEDREC_NON_FINITE). */
const poison: UpdateMiddleware = (u) => {
  const delta = Float32Array.from(u.delta);
  delta[0] = Number.NaN;
  return { ...u, delta };
};

describe('the device ledger', () => {
  it('records an update the coordinator rejected: it left the device, unacknowledged', async () => {
    const c = await h.coordinator({ ...oneClientRounds, rounds: 1, roundDeadlineMs: 1_500 });
    const store = new MemoryStore();
    const outcomes: string[] = [];
    const client = h.client(c.url, 0, { store, allowPlaintext: true, middleware: [clipUpdate, poison] });
    const ran = client.run((o) => outcomes.push(o.task));
    await expect.poll(async () => (await store.load())?.ledger.length ?? 0, { timeout: 10_000 }).toBe(1);
    const [entry] = (await store.load())!.ledger;
    expect(entry).toMatchObject({ round: 1, acknowledged: false, aggregation: 'plaintext' });
    expect(entry.bytes).toBeGreaterThan(0);
    client.stop();
    await ran;
    expect(outcomes).not.toContain('train'); // never counted as a success
  });

  it('records evaluation metrics that left (never noised, so the local ε is ∞) and acknowledges them', async () => {
    const c = await h.coordinator({ ...oneClientRounds, rounds: 1, evaluation: { every: 1, clientsPerRound: 1, deadlineMs: 10_000 } });
    const store = new MemoryStore();
    expect(await h.client(c.url, 0, { store, allowPlaintext: true }).run()).toBe('done');
    const ledger = (await store.load())!.ledger;
    expect(ledger.map((e) => [e.kind ?? 'update', e.acknowledged])).toEqual([['update', true], ['metrics', true]]);
    expect(localEpsilon(ledger.filter((e) => e.kind === 'metrics'), 1e-5)).toBe(Infinity);
  });
});
