import { describe, expect, it } from 'vitest';
import { computeRdp, rdpToEpsilon, DEFAULT_ORDERS } from '../shared/privacy/rdp.js';
import { useHarness } from '../test-helpers/harness.js';
import { CheckpointStore } from './checkpoint-store.js';

const h = useHarness();

describe('restart between rounds', () => {
  it('resumes at the next round with the same model and the same privacy ledger', async () => {
    const dir = await h.tempDir('fedrec-restart-');
    const base = { stateDir: dir, noiseMultiplier: 1.1, round: { clipNorm: 1 } };
    let cluster = await h.cluster({ ...base, rounds: 2 }, 4);
    await cluster.done;
    const saved = Float32Array.from(cluster.coordinator.engine.model.params);
    const eps2 = cluster.coordinator.ledger.epsilon();
    expect(cluster.rounds.map((r) => r.round)).toEqual([1, 2]);
    await cluster.stop(); // the coordinator is gone

    const checkpoint = await new CheckpointStore(dir).load();
    expect(checkpoint?.round).toBe(2);
    expect(checkpoint?.modelVersion).toBe(2);

    cluster = await h.cluster({ ...base, rounds: 4 }, 4);
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
    const dir = await h.tempDir('fedrec-restart-');
    const cluster = await h.cluster({ stateDir: dir, rounds: 1 }, 2);
    await cluster.done;
    await cluster.stop();
    const { startCoordinator } = await import('./coordinator.js');
    const { resolveConfig } = await import('./config.js');
    const { silentNodeLogger } = await import('../shared/node/logger.js');
    await expect(startCoordinator({ config: resolveConfig({ port: 0, stateDir: dir, model: { dim: 8 } }), logger: silentNodeLogger(), itemIds: Int32Array.from([1, 2, 3]) })).rejects.toThrow(/catalogue differs.*checkpoint\.msgpack/);
  });
});
