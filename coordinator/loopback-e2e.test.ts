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
