// A real coordinator plus real persistent clients on loopback, for end-to-end tests.

import { FedrecClient } from '../client/fedrec-client.js';
import { nodeSocketFactory } from '../client/node/ws-socket.js';
import { MemoryStore } from '../client/store.js';
import { resolveConfig } from '../coordinator/config.js';
import { startCoordinator, type RunningCoordinator } from '../coordinator/coordinator.js';
import type { RoundSummary } from '../coordinator/round-engine.js';
import { createLogger, silentNodeLogger } from '../shared/node/logger.js';
import { tinyDataset, tinyItemIds } from './tiny.js';

export const grantedConsent = { granted: true, kinds: ['view' as const, 'purchase' as const], maxEpsilon: null, at: '' };

export interface Cluster {
  coordinator: RunningCoordinator;
  clients: FedrecClient[];
  rounds: RoundSummary[];
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startCluster(patch: Parameters<typeof resolveConfig>[0], clientCount: number): Promise<Cluster> {
  const config = resolveConfig({ port: 0, model: { dim: 8 }, interRoundDelayMs: 0, minClients: clientCount, clientsPerRound: clientCount, roundDeadlineMs: 10_000, evaluation: { every: 0, clientsPerRound: clientCount, deadlineMs: 10_000 }, ...patch });
  const coordinator = await startCoordinator({ config, logger: process.env.DEBUG_LOG ? createLogger({ format: 'json' }) : silentNodeLogger(), itemIds: tinyItemIds });
  const rounds: RoundSummary[] = [];
  coordinator.engine.on('round', (s: RoundSummary) => rounds.push(s));
  const done = new Promise<void>((r) => coordinator.engine.once('done', () => r()));
  const clients = Array.from({ length: clientCount }, (_, k) => new FedrecClient({ url: coordinator.url, socketFactory: nodeSocketFactory(), store: new MemoryStore(), data: tinyDataset(k), seed: 1, clientId: `client-${k}`, consent: grantedConsent }));
  for (const c of clients) void c.run().catch(() => {});
  return {
    coordinator,
    clients,
    rounds,
    done,
    async stop() {
      for (const c of clients) c.stop();
      await coordinator.close();
    },
  };
}
