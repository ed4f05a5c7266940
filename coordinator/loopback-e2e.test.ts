import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../client/store.js';
import { useHarness } from '../test-helpers/harness.js';
import { tinyDataset } from '../test-helpers/tiny.js';
import type { RoundSummary } from './round-engine.js';

const h = useHarness();

/** A coordinator, its round summaries, and a promise for the end of its configured rounds. */
async function coordinator(patch: Parameters<typeof h.coordinator>[0]) {
  const running = await h.coordinator(patch);
  const rounds: RoundSummary[] = [];
  running.engine.on('round', (s: RoundSummary) => rounds.push(s));
  const done = new Promise((r) => running.engine.once('done', r));
  return { running, rounds, done };
}

describe('loopback end to end', () => {
  it('persistent clients train a few rounds and the model changes', async () => {
    const { running, rounds, done } = await coordinator({ rounds: 3, clientsPerRound: 6, minClients: 6, roundDeadlineMs: 10_000, evaluation: { every: 1, clientsPerRound: 6, deadlineMs: 10_000 } });
    const before = Float32Array.from(running.engine.model.params);
    for (let k = 0; k < 6; k++) void h.client(running.url, k).run();
    await done;
    expect(rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    for (const r of rounds) {
      expect(r.committed).toBe(true);
      expect(r.reported).toBe(6);
      expect(r.evaluation?.clients).toBe(6);
    }
    expect(running.engine.currentModelVersion).toBe(3);
    // Transparency: the un-noised evaluation releases are counted and said to be outside ε.
    const privacy = await (await fetch(`${running.httpUrl}/privacy`)).json();
    expect(privacy.evaluation).toMatchObject({ released: 3, noised: false });
    let changed = 0;
    for (let i = 0; i < before.length; i++) if (before[i] !== running.engine.model.params[i]) changed++;
    expect(changed).toBeGreaterThan(0);
  });
});

describe('compressed updates', () => {
  // Compression is a plaintext-mode option: secure inputs are words of the 2^32 field.
  it.each(['f16', 'q8'] as const)('%s updates are decoded, clipped and summed like f32 ones', async (compression) => {
    const { running, rounds, done } = await coordinator({ aggregation: 'plaintext', rounds: 2, clientsPerRound: 3, minClients: 3, roundDeadlineMs: 10_000, evaluation: { every: 0, clientsPerRound: 3, deadlineMs: 10_000 } });
    const store = new MemoryStore();
    for (let k = 0; k < 3; k++) void h.client(running.url, k, { compression, allowPlaintext: true, ...(k === 0 ? { store } : {}) }).run();
    await done;
    expect(rounds.map((r) => [r.committed, r.reported, r.rejected])).toEqual([[true, 3, 0], [true, 3, 0]]);
    const params = running.engine.model.params.length;
    // The client writes its ledger once the ack arrives, which can be just after the round event.
    for (let i = 0; i < 100 && (await store.load())!.ledger.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const bytes = params * (compression === 'f16' ? 2 : 1);
    expect((await store.load())!.ledger.map((e) => e.bytes)).toEqual([bytes, bytes]);
  });
});

describe('evaluation with a device that keeps no held-out item', () => {
  // Deadlines far beyond the test timeout: a phase that waited for one would fail the test.
  const long = { roundDeadlineMs: 600_000, evaluation: { every: 1, deadlineMs: 600_000 } };

  it('does not stall a phase when NO selected device can evaluate (regression)', async () => {
    const { running, rounds, done } = await coordinator({ ...long, rounds: 2, clientsPerRound: 2, minClients: 2, evaluation: { ...long.evaluation, clientsPerRound: 2 } });
    for (let k = 0; k < 2; k++) void h.client(running.url, k, { data: { ...tinyDataset(k), heldOut: null } }).run();
    await done;
    expect(rounds.map((r) => [r.reported, r.evaluation])).toEqual([[2, null], [2, null]]);
  });

  it('is not offered the evaluation and the phase does not wait for it', async () => {
    const { running, rounds, done } = await coordinator({ ...long, rounds: 2, clientsPerRound: 3, minClients: 3, evaluation: { ...long.evaluation, clientsPerRound: 3 } });
    for (let k = 0; k < 3; k++) void h.client(running.url, k, k === 0 ? { data: { ...tinyDataset(k), heldOut: null } } : {}).run();
    await done;
    expect(rounds.map((r) => [r.reported, r.evaluation?.clients])).toEqual([[3, 2], [3, 2]]);
  });
});
