import { describe, expect, it } from 'vitest';
import { useHarness } from '../../test-helpers/harness.js';

describe('secure aggregation end to end (real coordinator, real clients on loopback)', () => {
  const h = useHarness();

  it('commits rounds of 4 clients with masked updates only', async () => {
    const c = await h.cluster({ rounds: 2 }, 4);
    await c.done;
    expect(c.rounds.map((r) => r.abandonedBy)).toEqual([null, null]);
    expect(c.rounds.map((r) => r.committed)).toEqual([true, true]);
    expect(c.rounds[0].aggregation).toBe('secure');
    expect(c.rounds[0].reported).toBe(4);
    expect(c.rounds[0].meanUpdateNorm).toBeNull();
    expect(c.rounds[0].secure?.degree).toBe(3);
  });
});

describe('declaring and insisting on the mode', () => {
  const h = useHarness();

  it('GET /privacy and the welcome declare secure aggregation; fresh keys and session every round', async () => {
    const c = await h.cluster({ rounds: 2 }, 3);
    await c.done;
    const privacy = await (await fetch(`${c.coordinator.httpUrl}/privacy`)).json();
    expect(privacy).toMatchObject({ aggregation: 'secure', mechanism: expect.stringContaining('SecAgg+') });
    expect(c.rounds.map((r) => r.secure?.threshold)).toEqual([2, 2]);
  });

  it('a client refuses a plaintext coordinator with FEDREC_INSECURE_AGGREGATION unless its user allows it', async () => {
    const running = await h.coordinator({ aggregation: 'plaintext', rounds: 1, minClients: 1, clientsPerRound: 1, evaluation: { every: 0 } });
    const privacy = await (await fetch(`${running.httpUrl}/privacy`)).json();
    expect(privacy.aggregation).toBe('plaintext');
    await expect(h.client(running.url, 0).run()).rejects.toMatchObject({ code: 'FEDREC_INSECURE_AGGREGATION' });
    // (The refused client's id was registered by its join: a fresh coordinator for the second half.)
    const other = await h.coordinator({ aggregation: 'plaintext', rounds: 1, minClients: 1, clientsPerRound: 1, evaluation: { every: 0 } });
    const done = new Promise((r) => other.engine.once('done', r));
    void h.client(other.url, 1, { allowPlaintext: true }).run();
    await done;
    expect(other.engine.lastCommittedRound).toBe(1);
  });
});
