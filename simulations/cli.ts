// `fedrec simulate` and `fedrec baseline`.

import { writeFile } from 'node:fs/promises';
import { exclusive, isNonNeg, isNonNegInt, isPosInt, isPositive, isRate, num, parseFlags, UsageError } from '../bin/args.js';
import { checkDirFlag, checkExists, prepareOutputFile } from '../bin/path-checks.js';
import { createLogger, type LogFormat } from '../shared/node/logger.js';
import { ErrorCodes } from '../shared/protocol/errors.js';
import { parameterCount } from '../shared/model/mf-model.js';
import { plannedEpsilon } from '../coordinator/start-checks.js';
import { baselineDefaults, runBaseline } from './baseline.js';
import { loadPopulation } from './populations/load.js';
import { leaveOneOut } from './populations/split.js';
import { planSimulation, runSimulation, simulationDefaults, type SimulationOptions } from './simulate.js';
import { UPDATE_ENCODINGS, type UpdateEncoding } from '../shared/protocol/update-encoding.js';

export const simulateUsage = `fedrec simulate [--data synthetic|synthetic:users=N,items=M,...|movielens:PATH] [--out FILE.json]
  [--rounds ${simulationDefaults.rounds}] [--clients-per-round ${simulationDefaults.clientsPerRound} | --sampling-rate Q] [--local-epochs ${simulationDefaults.localEpochs}]
  [--dim ${simulationDefaults.dim}] [--lr ${simulationDefaults.lr}] [--l2 ${simulationDefaults.l2}] [--clip ${simulationDefaults.clip}] [--noise-multiplier ${simulationDefaults.noiseMultiplier}] [--server-lr ${simulationDefaults.serverLr}]
  [--server-optimizer fedavg|fedadam] [--eval-clients ${simulationDefaults.evalClients}] [--eval-every ${simulationDefaults.evalEvery}] [--seed ${simulationDefaults.seed}]
  [--adaptive-clip QUANTILE] [--trainer kernel|tfjs] [--aggregation secure|plaintext] [--dp central|distributed] [--compression f32|f16|q8 (plaintext only)] [--fleet auto|checkin|persistent] [--workers ${simulationDefaults.workers}] [--target-epsilon E] [--delta ${simulationDefaults.delta}] [--state-dir DIR] [--log-format pretty|json]
  [--dry-run]   check the flags, data and configuration, print what would run, and stop`;

export const baselineUsage = `fedrec baseline --data SPEC [--out FILE.json] [--epochs ${baselineDefaults.epochs}] [--dim ${baselineDefaults.dim}] [--lr ${baselineDefaults.lr}] [--l2 ${baselineDefaults.l2}] [--seed ${baselineDefaults.seed}] [--dry-run]`;

function logFormat(v: unknown): LogFormat {
  if (v === undefined) return process.stderr.isTTY ? 'pretty' : 'json';
  if (v !== 'pretty' && v !== 'json') throw new UsageError(`--log-format must be pretty or json, got "${v}"`);
  return v;
}

/** Writes the result; `path` was checked by prepareOutputFile before the run. */
async function writeJson(path: string | undefined, value: unknown): Promise<void> {
  const text = JSON.stringify(value, null, 2) + '\n';
  if (!path) {
    process.stdout.write(text);
    return;
  }
  await writeFile(path, text);
}

/** Checks what a run will read and write before it starts, so it never fails after the work. */
async function checkPaths(values: { data?: string; out?: string; 'state-dir'?: string }): Promise<void> {
  const data = /^\s*movielens:(.+)$/.exec(values.data ?? '')?.[1];
  if (data) await checkExists('--data', data, `movielens:${data}`);
  if (values['state-dir']) await checkDirFlag('--state-dir', values['state-dir']);
  if (values.out) await prepareOutputFile('--out', values.out);
}

export async function runSimulateCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    data: { type: 'string' }, out: { type: 'string' }, rounds: { type: 'string' }, 'clients-per-round': { type: 'string' },
    'sampling-rate': { type: 'string' }, 'local-epochs': { type: 'string' }, dim: { type: 'string' }, lr: { type: 'string' },
    clip: { type: 'string' }, 'noise-multiplier': { type: 'string' }, 'server-lr': { type: 'string' }, 'server-optimizer': { type: 'string' },
    'eval-clients': { type: 'string' }, 'eval-every': { type: 'string' }, 'eval-fit-epochs': { type: 'string' }, seed: { type: 'string' },
    workers: { type: 'string' }, concurrency: { type: 'string' }, 'deadline-ms': { type: 'string' }, 'target-epsilon': { type: 'string' },
    delta: { type: 'string' }, 'state-dir': { type: 'string' }, 'log-format': { type: 'string' }, help: { type: 'boolean' },
    'adaptive-clip': { type: 'string' }, trainer: { type: 'string' }, l2: { type: 'string' }, compression: { type: 'string' }, fleet: { type: 'string' }, aggregation: { type: 'string' }, dp: { type: 'string' }, 'dry-run': { type: 'boolean' },
  });
  if (values.help) {
    console.log(simulateUsage);
    return 0;
  }
  const o: SimulationOptions = { ...simulationDefaults };
  const pick = <K extends keyof SimulationOptions>(key: K, v: SimulationOptions[K] | undefined) => v !== undefined && (o[key] = v);
  pick('data', values.data);
  pick('rounds', num(values, 'rounds', isPosInt, 'a positive integer'));
  exclusive(values, 'clients-per-round', 'sampling-rate');
  const rate = num(values, 'sampling-rate', isRate, 'in (0, 1]');
  const k = num(values, 'clients-per-round', isPosInt, 'a positive integer');
  if (rate !== undefined) (o.samplingRate = rate), (o.clientsPerRound = null);
  if (k !== undefined) o.clientsPerRound = k;
  pick('localEpochs', num(values, 'local-epochs', isPosInt, 'a positive integer'));
  pick('dim', num(values, 'dim', isPosInt, 'a positive integer'));
  pick('lr', num(values, 'lr', isPositive, 'a number > 0'));
  pick('l2', num(values, 'l2', isNonNeg, 'a number ≥ 0'));
  pick('clip', num(values, 'clip', isPositive, 'a number > 0'));
  pick('noiseMultiplier', num(values, 'noise-multiplier', isNonNeg, 'a number ≥ 0'));
  pick('serverLr', num(values, 'server-lr', isPositive, 'a number > 0'));
  pick('adaptiveClipQuantile', num(values, 'adaptive-clip', (v) => v > 0 && v < 1, 'a target quantile in (0, 1)'));
  if (values['server-optimizer'] !== undefined) {
    if (values['server-optimizer'] !== 'fedavg' && values['server-optimizer'] !== 'fedadam') throw new UsageError(`--server-optimizer must be fedavg or fedadam`);
    o.serverOptimizer = values['server-optimizer'];
  }
  if (values.trainer !== undefined) {
    if (values.trainer !== 'kernel' && values.trainer !== 'tfjs') throw new UsageError('--trainer must be kernel or tfjs');
    o.trainer = values.trainer;
  }
  if (values.aggregation !== undefined) {
    if (values.aggregation !== 'secure' && values.aggregation !== 'plaintext') throw new UsageError(`--aggregation must be secure or plaintext, got "${values.aggregation}"`);
    o.aggregation = values.aggregation;
  }
  if (values.dp !== undefined) {
    if (values.dp !== 'central' && values.dp !== 'distributed') throw new UsageError(`--dp must be central or distributed, got "${values.dp}"`);
    o.dp = values.dp;
  }
  if (values.compression !== undefined) {
    if (!UPDATE_ENCODINGS.includes(values.compression as UpdateEncoding)) throw new UsageError(`--compression must be one of ${UPDATE_ENCODINGS.join(', ')}`);
    o.compression = values.compression as UpdateEncoding;
    if (o.aggregation !== 'plaintext' && o.compression !== 'f32') throw new UsageError('--compression applies to plaintext updates only: secure inputs are 32-bit words of the masking field (add --aggregation plaintext)');
  }
  if (values.fleet !== undefined) {
    if (values.fleet !== 'auto' && values.fleet !== 'checkin' && values.fleet !== 'persistent') throw new UsageError('--fleet must be auto, checkin or persistent');
    o.fleet = values.fleet;
  }
  pick('evalClients', num(values, 'eval-clients', isPosInt, 'a positive integer'));
  pick('evalEvery', num(values, 'eval-every', isNonNegInt, 'an integer ≥ 0'));
  pick('evalFitEpochs', num(values, 'eval-fit-epochs', isNonNegInt, 'an integer ≥ 0'));
  pick('seed', num(values, 'seed', Number.isSafeInteger, 'an integer'));
  pick('workers', num(values, 'workers', isPosInt, 'a positive integer'));
  pick('concurrency', num(values, 'concurrency', isPosInt, 'a positive integer'));
  pick('deadlineMs', num(values, 'deadline-ms', isPosInt, 'a positive integer'));
  pick('delta', num(values, 'delta', (v) => v > 0 && v < 1, 'in (0, 1)'));
  const target = num(values, 'target-epsilon', isPositive, 'a number > 0');
  if (target !== undefined) o.budget = { epsilon: target, delta: o.delta };
  if (values['state-dir']) o.stateDir = values['state-dir'];
  const format = logFormat(values['log-format']);
  await checkPaths(values);
  if (values['dry-run']) return dryRunSimulation(o, values.out);
  // People get one line per round; the JSON mode keeps the coordinator's full round log.
  const logger = createLogger({ format, name: 'simulate', concise: true });
  const coordinatorLogger = createLogger({ format, name: 'coordinator', level: format === 'pretty' ? 'warn' : 'info' });
  const clientLogger = createLogger({ format, name: 'client', level: 'warn', concise: true });
  const result = await runSimulation(o, logger, coordinatorLogger, clientLogger);
  await writeJson(values.out, result);
  const committed = result.rounds.filter((r) => r.committed).length;
  if (committed === 0) {
    logger.error({ event: 'finished', code: ErrorCodes.NOTHING_TRAINED, rounds: result.rounds.length, stoppedBy: result.final.stoppedBy }, `${ErrorCodes.NOTHING_TRAINED}: no round committed (${result.rounds.length} abandoned, stopped by ${result.final.stoppedBy}); the warnings above say why`);
    return 1;
  }
  const quality = result.final.hr10 === null ? 'no evaluation released' : `final HR@10 ${result.final.hr10.toFixed(4)} NDCG@10 ${result.final.ndcg10!.toFixed(4)}`;
  logger.info({ event: 'finished', final: result.final, committed, wallSeconds: result.wallSeconds, out: values.out ?? 'stdout' }, `${quality} after ${committed} committed round(s) in ${result.wallSeconds.toFixed(1)} s`);
  return 0;
}

/** Everything checked that the run would check before its long work, then one JSON line: the plan. */
async function dryRunSimulation(o: SimulationOptions, out: string | undefined): Promise<number> {
  let plan;
  try {
    plan = await planSimulation(o);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const c = plan.config;
  const items = plan.population.itemIds.length;
  // What the ledger would report after every round (adaptive clipping adds its own releases: no plan).
  const epsilon =
    c.noiseMultiplier > 0 && c.adaptiveClipping === null
      ? plannedEpsilon(c, c.samplingRate ?? c.clientsPerRound / plan.n, plan.n, parameterCount({ items, dim: c.model.dim }), c.privacy.delta, c.rounds)
      : null;
  console.log(JSON.stringify({ dryRun: true, population: plan.population.name, users: plan.n, items, rounds: c.rounds, samplingRate: c.samplingRate, aggregation: c.aggregation, dp: c.dp, noiseMultiplier: c.noiseMultiplier, clipNorm: c.round.clipNorm, plannedEpsilon: epsilon, delta: c.privacy.delta, budget: c.privacy.budget, out: out ?? null }));
  return 0;
}

export async function runBaselineCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    data: { type: 'string' }, out: { type: 'string' }, epochs: { type: 'string' }, dim: { type: 'string' }, lr: { type: 'string' }, l2: { type: 'string' },
    seed: { type: 'string' }, 'log-format': { type: 'string' }, help: { type: 'boolean' }, 'dry-run': { type: 'boolean' },
  });
  if (values.help) {
    console.log(baselineUsage);
    return 0;
  }
  const o = { ...baselineDefaults };
  o.epochs = num(values, 'epochs', isPosInt, 'a positive integer') ?? o.epochs;
  o.dim = num(values, 'dim', isPosInt, 'a positive integer') ?? o.dim;
  o.lr = num(values, 'lr', isPositive, 'a number > 0') ?? o.lr;
  o.l2 = num(values, 'l2', isNonNeg, 'a number ≥ 0') ?? o.l2;
  o.seed = num(values, 'seed', Number.isSafeInteger, 'an integer') ?? o.seed;
  const logger = createLogger({ format: logFormat(values['log-format']), name: 'baseline', concise: true });
  await checkPaths(values);
  const population = await loadPopulation(values.data ?? 'synthetic', { seed: o.seed });
  const splits = leaveOneOut(population, { seed: o.seed });
  if (values['dry-run']) {
    console.log(JSON.stringify({ dryRun: true, population: population.name, users: splits.length, items: population.itemIds.length, epochs: o.epochs, out: values.out ?? null }));
    return 0;
  }
  const started = Date.now();
  const result = runBaseline(population.itemIds, splits, o, (epoch, q) =>
    logger.info({ event: 'epoch', epoch, of: o.epochs, ...q }, `epoch ${epoch}/${o.epochs}: HR@10 ${q.hr10.toFixed(4)} NDCG@10 ${q.ndcg10.toFixed(4)}`),
  );
  await writeJson(values.out, { data: population.name, config: o, ...result, seconds: (Date.now() - started) / 1000 });
  logger.info({ event: 'finished', itemPop: result.itemPop, model: result.model }, `central MF HR@10 ${result.model.hr10.toFixed(4)}; ItemPop HR@10 ${result.itemPop.hr10.toFixed(4)}`);
  return 0;
}
