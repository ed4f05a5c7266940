// What W2 (plaintext intake) and W2 secure (masked intake) share: the coordinator they measure and
// the error tally of their sender processes.

import { resolveConfig } from '../coordinator/config.js';
import type { AggregationMode } from '../shared/protocol/messages.js';

/**
 * One round open to `updates` clients, no evaluation or noise, heartbeats and stage deadlines far
 * beyond a trial, so a slow machine changes the rate, never who is counted.
 */
export function intakeConfig(updates: number, dim: number, aggregation: AggregationMode) {
  return resolveConfig({
    host: '127.0.0.1',
    port: 0,
    stateDir: null,
    model: { dim },
    rounds: 1,
    samplingRate: 1,
    clientsPerRound: updates,
    minClients: updates,
    roundDeadlineMs: 600_000,
    evaluation: { every: 0 },
    noiseMultiplier: 0,
    aggregation,
    // On a loaded machine 400 clients' keys and shares can outlast the 30 s network default.
    secureAggregation: { stageDeadlineMs: 300_000 },
    limits: { heartbeatIntervalMs: 300_000, heartbeatTimeoutMs: 900_000 },
  });
}

export function sumErrors(done: { errors: number; errorCodes: Record<string, number> }[]): { errors: number; errorCodes: Record<string, number> } {
  const errorCodes: Record<string, number> = {};
  let errors = 0;
  for (const d of done) {
    errors += d.errors;
    for (const [k, v] of Object.entries(d.errorCodes)) errorCodes[k] = (errorCodes[k] ?? 0) + v;
  }
  return { errors, errorCodes };
}
