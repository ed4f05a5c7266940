import { afterEach, describe, expect, it } from 'vitest';
import { FedrecClient } from '../client/fedrec-client.js';
import { nodeSocketFactory } from '../client/node/ws-socket.js';
import { MemoryStore } from '../client/store.js';
import { silentNodeLogger } from '../shared/node/logger.js';
import { tinyDataset, tinyItemIds } from '../test-helpers/tiny.js';
import { resolveConfig } from './config.js';
import { startCoordinator, type RunningCoordinator } from './coordinator.js';
import type { RoundSummary } from './round-engine.js';

let running: RunningCoordinator | null = null;
const clients: FedrecClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.stop();
  await running?.close();
  running = null;
});

describe('loopback end to end', () => {
  it('persistent clients train a few rounds and the model changes', async () => {
    const config = resolveConfig({ port: 0, rounds: 3, clientsPerRound: 6, minClients: 6, roundDeadlineMs: 10_000, model: { dim: 8 }, evaluation: { every: 1, clientsPerRound: 6, deadlineMs: 10_000 } });
    running = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds });
    const before = Float32Array.from(running.engine.model.params);
    const rounds: RoundSummary[] = [];
    running.engine.on('round', (s: RoundSummary) => rounds.push(s));
    const done = new Promise((r) => running!.engine.once('done', r));
    for (let k = 0; k < 6; k++) {
      const c = new FedrecClient({ url: running.url, socketFactory: nodeSocketFactory(), store: new MemoryStore(), data: tinyDataset(k), seed: 1, clientId: `client-${k}`, consent: { granted: true, kinds: ['view'], maxEpsilon: null, at: '' } });
      clients.push(c);
      void c.run();
    }
    await done;
    expect(rounds.map((r) => r.round)).toEqual([1, 2, 3]);
    for (const r of rounds) {
      expect(r.committed).toBe(true);
      expect(r.reported).toBe(6);
      expect(r.evaluation?.clients).toBe(6);
    }
    expect(running.engine.currentModelVersion).toBe(3);
    let changed = 0;
    for (let i = 0; i < before.length; i++) if (before[i] !== running.engine.model.params[i]) changed++;
    expect(changed).toBeGreaterThan(0);
  });
});

describe('compressed updates', () => {
  it.each(['f16', 'q8'] as const)('%s updates are decoded, clipped and summed like f32 ones', async (compression) => {
    const config = resolveConfig({ port: 0, rounds: 2, clientsPerRound: 3, minClients: 3, roundDeadlineMs: 10_000, model: { dim: 8 }, evaluation: { every: 0, clientsPerRound: 3, deadlineMs: 10_000 } });
    running = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds });
    const rounds: RoundSummary[] = [];
    running.engine.on('round', (s: RoundSummary) => rounds.push(s));
    const done = new Promise((r) => running!.engine.once('done', r));
    const store = new MemoryStore();
    for (let k = 0; k < 3; k++) {
      const c = new FedrecClient({ url: running.url, socketFactory: nodeSocketFactory(), store: k === 0 ? store : new MemoryStore(), data: tinyDataset(k), seed: 1, clientId: `client-${k}`, compression, consent: { granted: true, kinds: ['view'], maxEpsilon: null, at: '' } });
      clients.push(c);
      void c.run();
    }
    await done;
    expect(rounds.map((r) => [r.committed, r.reported, r.rejected])).toEqual([[true, 3, 0], [true, 3, 0]]);
    const params = running.engine.model.params.length;
    // The client writes its ledger once the ack arrives, which can be just after the round event.
    for (let i = 0; i < 100 && (await store.load())!.ledger.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await store.load())!.ledger.map((e) => e.bytes)).toEqual([params * (compression === 'f16' ? 2 : 1), params * (compression === 'f16' ? 2 : 1)]);
  });
});

describe('evaluation with a device that keeps no held-out item', () => {
  it('does not stall a phase when NO selected device can evaluate (regression)', async () => {
    // Deadlines far beyond the test timeout: waiting for them would fail the test.
    const config = resolveConfig({ port: 0, rounds: 2, clientsPerRound: 2, minClients: 2, roundDeadlineMs: 600_000, model: { dim: 8 }, evaluation: { every: 1, clientsPerRound: 2, deadlineMs: 600_000 } });
    running = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds });
    const rounds: RoundSummary[] = [];
    running.engine.on('round', (s: RoundSummary) => rounds.push(s));
    const done = new Promise((r) => running!.engine.once('done', r));
    for (let k = 0; k < 2; k++) {
      const c = new FedrecClient({ url: running.url, socketFactory: nodeSocketFactory(), store: new MemoryStore(), data: { ...tinyDataset(k), heldOut: null }, seed: 1, clientId: `client-${k}`, consent: { granted: true, kinds: ['view'], maxEpsilon: null, at: '' } });
      clients.push(c);
      void c.run();
    }
    await done;
    expect(rounds.map((r) => [r.reported, r.evaluation])).toEqual([[2, null], [2, null]]);
  });

  it('is not offered the evaluation and the phase does not wait for it', async () => {
    // Deadlines far beyond the test timeout: a phase that waited for the silent device would time out.
    const config = resolveConfig({ port: 0, rounds: 2, clientsPerRound: 3, minClients: 3, roundDeadlineMs: 600_000, model: { dim: 8 }, evaluation: { every: 1, clientsPerRound: 3, deadlineMs: 600_000 } });
    running = await startCoordinator({ config, logger: silentNodeLogger(), itemIds: tinyItemIds });
    const rounds: RoundSummary[] = [];
    running.engine.on('round', (s: RoundSummary) => rounds.push(s));
    const done = new Promise((r) => running!.engine.once('done', r));
    for (let k = 0; k < 3; k++) {
      const data = k === 0 ? { ...tinyDataset(k), heldOut: null } : tinyDataset(k);
      const c = new FedrecClient({ url: running.url, socketFactory: nodeSocketFactory(), store: new MemoryStore(), data, seed: 1, clientId: `client-${k}`, consent: { granted: true, kinds: ['view'], maxEpsilon: null, at: '' } });
      clients.push(c);
      void c.run();
    }
    await done;
    expect(rounds.map((r) => [r.reported, r.evaluation?.clients])).toEqual([[3, 2], [3, 2]]);
  });
});
