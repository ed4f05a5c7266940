import { describe, expect, it } from 'vitest';
import { useHarness } from '../../test-helpers/harness.js';
import { dyingAfter } from '../../test-helpers/dying-socket.js';
import type { RoundSummary } from '../round-engine.js';

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
    // Refused from GET /privacy, before connecting: the coordinator never learnt the device's id.
    expect(running.engine.status().registered).toBe(0);
    const done = new Promise((r) => running.engine.once('done', r));
    void h.client(running.url, 1, { allowPlaintext: true }).run();
    await done;
    expect(running.engine.lastCommittedRound).toBe(1);
    expect(running.engine.status().registered).toBe(1);
  });
});

describe('a real client that vanishes mid-round', () => {
  const h = useHarness();

  it('after sharing its keys: the round commits without it, its masks removed via its key shares', async () => {
    const running = await h.coordinator({ rounds: 2, clientsPerRound: 5, minClients: 5, roundDeadlineMs: 10_000, evaluation: { every: 0 }, secureAggregation: { stageDeadlineMs: 5_000 } });
    const rounds: RoundSummary[] = [];
    running.engine.on('round', (s: RoundSummary) => rounds.push(s));
    const done = new Promise((r) => running.engine.once('done', r));
    // Client 0's socket dies right after it sends its shares in round 1 (it reconnects for round 2).
    const dying = dyingAfter('sa-shares');
    for (let k = 0; k < 5; k++) void h.client(running.url, k, k === 0 ? { socketFactory: dying.factory } : {}).run().catch(() => {});
    await done;
    expect(dying.vanished()).toBe(true);
    expect(rounds[0]).toMatchObject({ committed: true, reported: 4, abandonedBy: null, secure: { dropped: 1 } });
    expect(rounds[1]).toMatchObject({ committed: true, abandonedBy: null });
  });
});
