// Test lifecycle in one place: whatever a test starts (coordinators, clients, raw sockets, clusters,
// temp dirs) is stopped after it, newest first, so clients go before the coordinator they talk to.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { FedrecClient, type ClientOptions } from '../client/fedrec-client.js';
import { nodeSocketFactory } from '../client/node/ws-socket.js';
import { MemoryStore } from '../client/store.js';
import { resolveConfig } from '../coordinator/config.js';
import { startCoordinator, type RunningCoordinator } from '../coordinator/coordinator.js';
import { silentNodeLogger } from '../shared/node/logger.js';
import { grantedConsent, startCluster, type Cluster } from './cluster.js';
import { RawSocket } from './raw-socket.js';
import { tinyDataset, tinyItemIds } from './tiny.js';

/**
 * One client per round, plain FedAvg (server lr 1), no evaluation: the device-side tests' coordinator.
 * Plaintext: a sum over one client is that client's update, so secure aggregation needs two or more.
 */
export const oneClientRounds = {
  aggregation: 'plaintext' as const,
  clientsPerRound: 1,
  minClients: 1,
  roundDeadlineMs: 10_000,
  evaluation: { every: 0 },
  serverOptimizer: { name: 'fedavg' as const, lr: 1 },
};

export function useHarness() {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  const track = <T>(value: T, stop: (v: T) => unknown): T => {
    cleanups.push(() => stop(value));
    return value;
  };
  return {
    /** A coordinator on a free port with a tiny catalogue (dim 8 unless the patch says otherwise). */
    async coordinator(patch: Parameters<typeof resolveConfig>[0] = {}, itemIds = tinyItemIds): Promise<RunningCoordinator> {
      const config = resolveConfig({ port: 0, model: { dim: 8 }, interRoundDelayMs: 0, ...patch });
      return track(await startCoordinator({ config, logger: silentNodeLogger(), itemIds }), (r) => r.close());
    },
    /** A consenting FedrecClient on tiny dataset k (options override). */
    client(url: string, k: number, options: Partial<ClientOptions> = {}): FedrecClient {
      const c = new FedrecClient({ url, socketFactory: nodeSocketFactory(), store: new MemoryStore(), data: tinyDataset(k), seed: 1, clientId: `client-${k}`, consent: grantedConsent, ...options });
      return track(c, (x) => x.stop());
    },
    async socket(url: string): Promise<RawSocket> {
      return track(await RawSocket.connect(url), (s) => s.close());
    },
    async cluster(patch: Parameters<typeof resolveConfig>[0], clients: number): Promise<Cluster> {
      return track(await startCluster(patch, clients), (c) => c.stop());
    },
    async tempDir(prefix = 'fedrec-test-'): Promise<string> {
      return track(await mkdtemp(join(tmpdir(), prefix)), (d) => rm(d, { recursive: true, force: true }));
    },
  };
}
