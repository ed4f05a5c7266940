// `fedrec simulate`: a real coordinator on 127.0.0.1 and one real client per user, hosted by worker
// threads (one per core), each client joining over its own WebSocket. Returns the per-round and
// final quality measured on the clients themselves.

import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { UserSplit } from '../shared/data/types.js';
import type { UpdateEncoding } from '../shared/protocol/update-encoding.js';
import { resolveConfig } from '../coordinator/config.js';
import { type RunningCoordinator, startCoordinator } from '../coordinator/coordinator.js';
import type { RoundSummary } from '../coordinator/round-engine.js';
import type { FromWorker, ToWorker } from './fleet-protocol.js';
import { loadPopulation } from './populations/load.js';
import { leaveOneOut } from './populations/split.js';
import { workerScript } from './worker-script.js';

export interface SimulationOptions {
  data: string;
  rounds: number;
  clientsPerRound: number | null;
  samplingRate: number | null;
  localEpochs: number;
  dim: number;
  lr: number;
  l2: number;
  clip: number;
  noiseMultiplier: number;
  /** Target quantile for adaptive clipping (null: fixed --clip). */
  adaptiveClipQuantile: number | null;
  serverLr: number;
  serverOptimizer: 'fedavg' | 'fedadam';
  negatives: number;
  /** kernel: Float32Array SGD (default); tfjs: the tfjs trainer on the best backend that loads. */
  trainer: 'kernel' | 'tfjs';
  /** Wire encoding of client updates. */
  compression: UpdateEncoding;
  /** secure (default): SecAgg+, the coordinator sees only sums; plaintext: every update (comparison). */
  aggregation: 'secure' | 'plaintext';
  /** central: the coordinator noises the unmasked sum; distributed: each client adds Skellam noise. */
  dp: 'central' | 'distributed';
  /** How simulated clients connect: auto = persistent up to 5,000 users, check-in beyond. */
  fleet: 'auto' | 'checkin' | 'persistent';
  evalClients: number;
  evalEvery: number;
  evalFitEpochs: number;
  seed: number;
  workers: number;
  concurrency: number;
  deadlineMs: number;
  stateDir: string | null;
  budget: { epsilon: number; delta: number } | null;
  delta: number;
}

export const simulationDefaults: SimulationOptions = {
  data: 'synthetic',
  rounds: 20,
  clientsPerRound: 200,
  samplingRate: null,
  localEpochs: 5,
  dim: 32,
  lr: 0.05,
  l2: 0.01,
  clip: 10,
  noiseMultiplier: 0,
  adaptiveClipQuantile: null,
  serverLr: 80,
  serverOptimizer: 'fedavg',
  negatives: 4,
  trainer: 'kernel',
  compression: 'f32',
  aggregation: 'secure',
  dp: 'central',
  fleet: 'auto',
  evalClients: 1000,
  evalEvery: 1,
  evalFitEpochs: 2,
  seed: 1,
  workers: Math.max(1, availableParallelism()),
  concurrency: 24,
  deadlineMs: 600_000,
  stateDir: null,
  budget: null,
  delta: 1e-5,
};

export interface SimulationRound {
  round: number;
  participants: number;
  committed: boolean;
  hr10: number | null;
  ndcg10: number | null;
  evaluatedClients: number;
  /** Secure aggregation: null unless adaptive clipping released a noised fraction. */
  clippedFraction: number | null;
  /** Plaintext aggregation only (secure: the coordinator never sees a single update's norm). */
  meanUpdateNorm: number | null;
  clipNorm: number;
  epsilon: number | null;
  seconds: number;
}

export interface SimulationResult {
  config: Record<string, unknown>;
  rounds: SimulationRound[];
  final: { hr10: number | null; ndcg10: number | null; epsilon: number | null; delta: number; stoppedBy: 'rounds' | 'budget' };
  wallSeconds: number;
}

/** Optional observers (benchmarks): nothing in a simulation depends on them. */
export interface SimulationHooks {
  /** Called once the coordinator is listening, before any client starts (e.g. to watch engine events). */
  onCoordinator?: (coordinator: RunningCoordinator) => void;
}

/** The population, its split and the coordinator configuration a simulation would run with (no work yet). */
export async function planSimulation(o: SimulationOptions) {
  const population = await loadPopulation(o.data, { seed: o.seed });
  const splits = leaveOneOut(population, { seed: o.seed });
  if (splits.length === 0) throw new Error(`population ${population.name} has no user with two or more interactions`);
  const n = splits.length;
  const config = resolveConfig({
    host: '127.0.0.1',
    port: 0,
    stateDir: null,
    rounds: o.rounds,
    samplingRate: o.samplingRate ?? Math.min(1, (o.clientsPerRound ?? n) / n),
    clientsPerRound: Math.min(n, o.clientsPerRound ?? n),
    // Persistent fleets are all connected before round 1. Check-in devices come only when a round is
    // open (the fleet polls /round): rounds start once the whole fleet registered (deferRounds), then
    // need only the two that secure aggregation needs.
    minClients: fleetMode(o, n) === 'persistent' ? n : Math.min(n, 2),
    roundDeadlineMs: o.deadlineMs,
    interRoundDelayMs: 0, // simulated devices do not mind back-to-back rounds
    model: { dim: o.dim, seed: o.seed },
    evaluation: { every: o.evalEvery, clientsPerRound: Math.min(n, o.evalClients), deadlineMs: o.deadlineMs },
    round: { localEpochs: o.localEpochs, lr: o.lr, l2: o.l2, clipNorm: o.clip, negatives: o.negatives, evalFitEpochs: o.evalFitEpochs },
    noiseMultiplier: o.noiseMultiplier,
    // σ_b = expected clients / 20, the setting Andrew et al. 2021 recommend.
    adaptiveClipping: o.adaptiveClipQuantile === null ? null : { targetQuantile: o.adaptiveClipQuantile, learningRate: 0.2, countNoiseStddev: Math.max(o.noiseMultiplier, ((o.samplingRate ?? Math.min(1, (o.clientsPerRound ?? n) / n)) * n) / 20) },
    serverOptimizer: { name: o.serverOptimizer, lr: o.serverLr },
    aggregation: o.aggregation,
    dp: o.dp,
    // Simulated devices never leave: a secure stage that outlasts the network default (30 s) only
    // means 1,000 clients share two cores. Counting them as dropouts would drop their noise under
    // distributed DP (more ε) and their updates, so the stages get the round's deadline.
    secureAggregation: { stageDeadlineMs: o.deadlineMs },
    // For the same reason a worker busy with other devices' crypto can miss a 45 s heartbeat.
    limits: { heartbeatTimeoutMs: o.deadlineMs },
    privacy: { delta: o.budget?.delta ?? o.delta, budget: o.budget },
    seed: o.seed,
    samplingSeed: o.seed, // reproducible selection; the noise still comes from the CSPRNG
  });
  return { population, splits, n, config };
}

export async function runSimulation(o: SimulationOptions, logger: Logger, coordinatorLogger: Logger, clientLogger: Logger, hooks: SimulationHooks = {}): Promise<SimulationResult> {
  const started = Date.now();
  const { population, splits, n, config } = await planSimulation(o);
  const ownStateDir = o.stateDir === null;
  config.stateDir = o.stateDir ?? (await mkdtemp(join(tmpdir(), 'fedrec-sim-')));
  logger.info({ event: 'population', population: population.name, users: n, items: population.itemIds.length, workers: o.workers, trainer: o.trainer }, `population ${population.name}: ${n} users, ${population.itemIds.length} items; ${o.workers} worker thread(s); ${fleetMode(o, n)} clients; local training: ${o.trainer === 'kernel' ? 'Float32Array SGD kernel (tfjs not needed)' : 'tfjs'}`);

  const coordinator = await startCoordinator({ config, logger: coordinatorLogger, itemIds: population.itemIds, catalogueMetadata: population.metadata ?? null, deferRounds: true, expectedPopulation: n });
  hooks.onCoordinator?.(coordinator);
  const rounds: SimulationRound[] = [];
  let stoppedBy: 'rounds' | 'budget' = 'rounds';
  coordinator.engine.on('round', (s: RoundSummary) => {
    rounds.push(toRound(s));
    const q = s.evaluation ? ` HR@10 ${s.evaluation.hr10.toFixed(4)} NDCG@10 ${s.evaluation.ndcg10.toFixed(4)}` : '';
    const eps = Number.isFinite(s.epsilon) ? ` ε ${s.epsilon.toFixed(3)}` : ' ε ∞ (no noise)';
    const missing = [s.declined ? `${s.declined} could not train` : '', s.dropped - s.declined > 0 ? `${s.dropped - s.declined} dropped` : ''].filter(Boolean).join(', ');
    const outcome = s.committed ? `${s.reported} updates` : `abandoned (${s.abandonedBy})`;
    logger.info({ event: 'progress', round: s.round, of: o.rounds, committed: s.committed, declined: s.declined, dropped: s.dropped }, `round ${s.round}/${o.rounds}: ${outcome}${missing ? ` (${missing})` : ''}${q}${eps} (${s.seconds.toFixed(1)} s)`);
  });
  coordinator.engine.once('budget-exhausted', () => (stoppedBy = 'budget'));
  const done = new Promise<void>((resolve) => coordinator.engine.once('done', () => resolve()));

  const workers = startFleet(splits, o, coordinator.url, coordinator.httpUrl, logger, clientLogger, () => void coordinator.engine.start());
  try {
    await Promise.race([done, workers.failed]);
  } finally {
    await workers.stop();
    await coordinator.close();
    if (ownStateDir) await rm(config.stateDir, { recursive: true, force: true });
  }
  const lastEval = [...rounds].reverse().find((r) => r.hr10 !== null);
  const eps = coordinator.ledger.epsilon();
  return {
    config: { ...o, fleet: fleetMode(o, n), stateDir: ownStateDir ? null : o.stateDir, population: population.name, users: n, items: population.itemIds.length, samplingRate: config.samplingRate },
    rounds,
    final: { hr10: lastEval?.hr10 ?? null, ndcg10: lastEval?.ndcg10 ?? null, epsilon: Number.isFinite(eps) ? eps : null, delta: config.privacy.budget?.delta ?? config.privacy.delta, stoppedBy },
    wallSeconds: (Date.now() - started) / 1000,
  };
}

/** Each persistent user holds two open files in this process (its socket and the coordinator's side). */
const PERSISTENT_FLEET_MAX = 5_000;

export function fleetMode(o: SimulationOptions, users: number): 'checkin' | 'persistent' {
  if (o.fleet !== 'auto') return o.fleet;
  return users <= PERSISTENT_FLEET_MAX ? 'persistent' : 'checkin';
}

function toRound(s: RoundSummary): SimulationRound {
  return {
    round: s.round,
    participants: s.reported,
    committed: s.committed,
    hr10: s.evaluation?.hr10 ?? null,
    ndcg10: s.evaluation?.ndcg10 ?? null,
    evaluatedClients: s.evaluation?.clients ?? 0,
    clippedFraction: s.clippedFraction,
    meanUpdateNorm: s.meanUpdateNorm,
    clipNorm: s.clipNorm,
    epsilon: Number.isFinite(s.epsilon) ? s.epsilon : null,
    seconds: s.seconds,
  };
}

/** Splits users round-robin over worker threads; each registers its users, then follows the rounds. */
export function startFleet(splits: UserSplit[], o: SimulationOptions, url: string, httpUrl: string, progress: Logger, log: Logger, onRegistered: () => void) {
  const count = Math.max(1, Math.min(o.workers, splits.length));
  const shards: UserSplit[][] = Array.from({ length: count }, () => []);
  splits.forEach((s, i) => shards[i % count].push(s));
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});
  let errors = 0;
  let backendLogged = false;
  let registered = 0;
  let ready = 0;
  const workers = shards.map((users) => {
    const w = new Worker(workerScript('fleet-worker'));
    w.on('message', (m: FromWorker) => {
      if (m.type === 'registered') {
        registered += m.count;
        progress.info({ event: 'registered', registered, of: splits.length }, `${registered} of ${splits.length} clients registered`);

      }
      if (m.type === 'ready' && ++ready === count) onRegistered();
      if (m.type === 'backend' && !backendLogged) {
        backendLogged = true;
        log.warn({ event: 'tf-backend', backend: m.backend }, `local training: tfjs on the ${m.backend} backend`);
      }
      if (m.type === 'client-error') {
        if (m.code === 'FEDREC_FLEET_FAILED') fail(new Error(m.message));
        else if (errors++ < 20) log.warn({ event: 'client-error', code: m.code }, m.message);
      }
    });
    w.on('error', (err) => fail(err));
    w.postMessage({ type: 'init', url, httpUrl, users, seed: o.seed, concurrency: o.concurrency, pollMs: 20, trainer: o.trainer, compression: o.compression, mode: fleetMode(o, splits.length), aggregation: o.aggregation } satisfies ToWorker);
    return w;
  });
  return {
    failed,
    async stop() {
      for (const w of workers) w.postMessage({ type: 'stop' } satisfies ToWorker);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

