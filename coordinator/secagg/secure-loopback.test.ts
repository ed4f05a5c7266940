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
