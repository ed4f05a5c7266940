// What W2 (plaintext intake) and W2 secure (masked intake) share: the coordinator they measure and
// its model size, the counter of what it took in, a trial's figures, the sender processes that feed
// it (or the bare-ws floor), and their error tally.

import { resolveConfig } from '../coordinator/config.js';
import { startCoordinator } from '../coordinator/coordinator.js';
import type { RoundEngine, RoundSummary } from '../coordinator/round-engine.js';
import { silentNodeLogger } from '../shared/node/logger.js';
import type { AggregationMode, ClientMessage } from '../shared/protocol/messages.js';
import type { Child } from './util.js';

export const SENDERS = 2;
/** ml-latest-small's catalogue at the default dimension: 299,178 parameters. */
export const ITEMS = 9066;
export const DIM = 32;

/** Figures of one timed trial, coordinator or bare floor. */
export interface IntakeTrial {
  updates: number;
  seconds: number;
  updatesPerSecond: number;
  errors: number;
  errorCodes: Record<string, number>;
}

/** A real coordinator with one round open to `updates` clients, and that round's summary to come. */
export async function startIntakeCoordinator(updates: number, aggregation: AggregationMode) {
  const itemIds = Int32Array.from({ length: ITEMS }, (_, i) => i + 1);
  const coordinator = await startCoordinator({ config: intakeConfig(updates, DIM, aggregation), logger: silentNodeLogger(), itemIds });
  const roundDone = new Promise<RoundSummary>((r) => coordinator.engine.once('round', (s: RoundSummary) => r(s)));
  return { coordinator, roundDone };
}

/**
 * Counts what the engine took in by wrapping one of its entry points, which throw on any rejection:
 * the bench's only hook into the path it measures. `counts` picks the messages to count.
 */
export function countTakenIn(engine: RoundEngine, entry: 'onUpdate' | 'onSecAgg', counts: (msg: ClientMessage) => boolean, onCount: (n: number) => void): void {
  const original = (engine[entry] as (clientId: string, msg: ClientMessage) => void).bind(engine);
  let n = 0;
  (engine as unknown as Record<string, (clientId: string, msg: ClientMessage) => void>)[entry] = (clientId, msg) => {
    original(clientId, msg);
    if (counts(msg)) onCount(++n);
  };
}

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

/** The two messages every W2 sender takes: connect its share of the ids, then send at a fixed depth. */
export type SenderCommand<Mode extends string> = { type: 'connect'; url: string; mode: Mode; ids: string[]; connectConcurrency: number } | { type: 'go'; inFlight: number };
type Reply = { type: 'ready' } | { type: 'done' } | { type: string };

/** SENDERS child processes from `spawn`, each connected with its share of `ids`, for the length of `fn`. */
export async function withSenders<Mode extends string, Out extends Reply, T>(
  spawn: () => Child<SenderCommand<Mode>, Out>,
  url: string,
  mode: Mode,
  ids: string[],
  readyTimeoutMs: number,
  fn: (senders: Child<SenderCommand<Mode>, Out>[], ready: Extract<Out, { type: 'ready' }>[]) => Promise<T>,
): Promise<T> {
  const senders = Array.from({ length: SENDERS }, spawn);
  try {
    senders.forEach((s, k) => s.send({ type: 'connect', url, mode, ids: ids.filter((_, i) => i % SENDERS === k), connectConcurrency: 32 }));
    const ready = await Promise.all(senders.map((s) => s.wait('ready' as Out['type'], readyTimeoutMs)));
    return await fn(senders, ready as Extract<Out, { type: 'ready' }>[]);
  } finally {
    await Promise.all(senders.map((s) => s.stop()));
  }
}

/** Starts every sender at `inFlight` uploads deep and waits for each one's tally. */
export function go<Mode extends string, Out extends Reply>(senders: Child<SenderCommand<Mode>, Out>[], inFlight: number): Promise<Extract<Out, { type: 'done' }>[]> {
  for (const s of senders) s.send({ type: 'go', inFlight });
  return Promise.all(senders.map((s) => s.wait('done' as Out['type'], 600_000))) as Promise<Extract<Out, { type: 'done' }>[]>;
}
