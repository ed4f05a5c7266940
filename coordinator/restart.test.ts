import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { computeRdp, rdpToEpsilon, DEFAULT_ORDERS } from '../shared/privacy/rdp.js';
import { startCluster, type Cluster } from '../test-helpers/cluster.js';
import { CheckpointStore } from './checkpoint-store.js';

let cluster: Cluster | null = null;
let dir = '';
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('restart between rounds', () => {
  it('resumes at the next round with the same model and the same privacy ledger', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedrec-restart-'));
    const base = { stateDir: dir, noiseMultiplier: 1.1, round: { clipNorm: 1 } };
    cluster = await startCluster({ ...base, rounds: 2 }, 4);
    await cluster.done;
    const saved = Float32Array.from(cluster.coordinator.engine.model.params);
    const eps2 = cluster.coordinator.ledger.epsilon();
    expect(cluster.rounds.map((r) => r.round)).toEqual([1, 2]);
    await cluster.stop(); // the coordinator process is gone
    cluster = null;

    const checkpoint = await new CheckpointStore(dir).load();
    expect(checkpoint?.round).toBe(2);
    expect(checkpoint?.modelVersion).toBe(2);

    cluster = await startCluster({ ...base, rounds: 4 }, 4);
    const engine = cluster.coordinator.engine;
    expect(engine.lastCommittedRound).toBe(2);
    expect(engine.currentModelVersion).toBe(2);
    expect(Array.from(engine.model.params)).toEqual(Array.from(saved));
    expect(cluster.coordinator.ledger.epsilon()).toBe(eps2);
    await cluster.done;
    expect(cluster.rounds.map((r) => r.round)).toEqual([3, 4]);
    expect(engine.currentModelVersion).toBe(4);
    // Four rounds at q = 1, z = 1.1 in all: neither reset nor counted twice.
    const expected = rdpToEpsilon(DEFAULT_ORDERS, computeRdp(1, 1.1, 4, DEFAULT_ORDERS), 1e-5).epsilon;
    expect(cluster.coordinator.ledger.epsilon()).toBeCloseTo(expected, 10);
    expect(cluster.coordinator.ledger.epsilon()).toBeGreaterThan(eps2);
  });

  it('refuses a state dir whose catalogue differs, naming the file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'fedrec-restart-'));
    cluster = await startCluster({ stateDir: dir, rounds: 1 }, 2);
    await cluster.done;
    await cluster.stop();
    cluster = null;
    const { startCoordinator } = await import('./coordinator.js');
    const { resolveConfig } = await import('./config.js');
    const { silentNodeLogger } = await import('../shared/node/logger.js');
    await expect(startCoordinator({ config: resolveConfig({ port: 0, stateDir: dir, model: { dim: 8 } }), logger: silentNodeLogger(), itemIds: Int32Array.from([1, 2, 3]) })).rejects.toThrow(/catalogue differs.*checkpoint\.msgpack/);
  });
});
