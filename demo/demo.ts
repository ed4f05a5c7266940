// A running demo: a coordinator on loopback that also serves the web app, and a fleet of simulated
// clients (real FedrecClients in a worker thread, connected like browsers) so that rounds happen
// whether or not a person has joined yet.

import type { Logger } from 'pino';
import type { CoordinatorConfig } from '../coordinator/config.js';
import { type RunningCoordinator, startCoordinator } from '../coordinator/coordinator.js';
import type { RoundSummary } from '../coordinator/round-engine.js';
import { simulationDefaults, startFleet } from '../simulations/simulate.js';
import type { DemoPopulation } from './population.js';
import { demoConfig, DEMO_DEFAULTS } from './settings.js';

export interface DemoOptions {
  port: number;
  population: DemoPopulation;
  webDir: string;
  /** The coordinator's checkpoint and registry.json; null: in memory only. */
  stateDir?: string | null;
}

export interface DemoLoggers {
  /** One line per round and the fleet's progress. */
  demo: Logger;
  coordinator: Logger;
  clients: Logger;
}

export interface RunningDemo {
  coordinator: RunningCoordinator;
  config: CoordinatorConfig;
  /** The web app's address, http://127.0.0.1:PORT/. */
  url: string;
  /** Rejects if the simulated fleet fails (a worker crashed). */
  failed: Promise<never>;
  close(): Promise<void>;
}

export async function startDemo(o: DemoOptions, log: DemoLoggers): Promise<RunningDemo> {
  const config = demoConfig(o.port, o.population.splits.length, o.stateDir ?? null);
  const { population } = o;
  const coordinator = await startCoordinator({ config, logger: log.coordinator, itemIds: population.itemIds, catalogueMetadata: population.metadata, staticDir: o.webDir, deferRounds: true });
  coordinator.engine.on('round', (s: RoundSummary) => log.demo.info({ event: 'demo-round', round: s.round, committed: s.committed, reported: s.reported, sampled: s.sampled, epsilon: s.epsilon, seconds: s.seconds }, roundLine(s)));
  // One worker thread hosts every simulated client: the coordinator keeps the other core.
  const fleetOptions = { ...simulationDefaults, workers: 1, fleet: 'persistent' as const, seed: DEMO_DEFAULTS.seed, aggregation: 'secure' as const };
  const fleet = startFleet(population.splits, fleetOptions, coordinator.url, coordinator.httpUrl, log.demo, log.clients, () => void coordinator.engine.start());
  return {
    coordinator,
    config,
    url: `${coordinator.httpUrl}/`,
    failed: fleet.failed,
    async close() {
      await Promise.all([fleet.stop(), coordinator.close()]);
    },
  };
}

function roundLine(s: RoundSummary): string {
  const eps = Number.isFinite(s.epsilon) ? s.epsilon.toFixed(1) : '∞';
  const outcome = s.committed ? `committed, ${s.reported} of ${s.sampled} selected clients sent masked updates` : `abandoned (${s.abandonedBy}), ${s.reported} of ${s.sampled} reported`;
  return `round ${s.round} ${outcome}; ε spent ${eps} (${s.seconds.toFixed(1)} s)`;
}
