// `fedrec coordinator`: run a coordinator from flags and an optional JSON config file.

import { readFile } from 'node:fs/promises';
import { exclusive, isNonNeg, isNonNegInt, isPosInt, isPositive, isRate, num, parseFlags, UsageError } from '../bin/args.js';
import { checkDirFlag, checkInputFile } from '../bin/path-checks.js';
import { createLogger, type LogFormat } from '../shared/node/logger.js';
import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import { readAdminToken } from './admin-access.js';
import { readCatalogue } from './catalogue-file.js';
import type { ItemMetadata } from '../shared/model/catalogue-listing.js';
import { resolveConfig } from './config.js';
import { startCoordinator } from './coordinator.js';
import { readEnrollmentKey } from './enrollment-gate.js';
import { parseTtl } from './enrollment-token.js';
import { checkListen, listenError } from './listen-check.js';

export const coordinatorUsage = `fedrec coordinator [--port 8787] [--host 127.0.0.1] [--state-dir DIR] [--config FILE.json]
  (--catalogue FILE | --items N)       public item catalogue: one id per line, or movies.csv (ids, titles, genres),
                                       or ids 1..N; served at GET /catalogue
  [--rounds N] [--clients-per-round K | --sampling-rate Q] [--min-clients N] [--min-reports N]
  [--deadline-ms MS] [--round-delay-ms MS] [--dim D] [--local-epochs E] [--lr X] [--clip C] [--noise-multiplier Z]
  [--server-lr X] [--server-optimizer fedavg|fedadam] [--target-epsilon E --delta D] [--log-format json|pretty]
  [--registration token|open|closed]  token (default off loopback): a new id needs an enrollment token
                                      (--enrollment-key FILE.pub from \`fedrec keys\`, one id per account);
                                      open (default on loopback): any id; closed: only ids in DIR/registry.json
  [--enrollment-key FILE.pub] [--enrollment-audience NAME] [--idle-expiry 30d]   ids idle this long leave N
  [--aggregation secure|plaintext]    secure (default): SecAgg+, this coordinator sees only each round's sum
  [--dp central|distributed]          central (default): this coordinator noises the unmasked sum; distributed:
                                      each client adds its share of Skellam noise, the sum arrives noised
  [--tls-cert FILE.pem --tls-key FILE.pem]   serve https:// and wss:// (needed beyond loopback)
  [--admin-token-file FILE]           the operator's bearer token for GET /metrics and /dashboard (open on
                                      loopback without it, off beyond loopback without it)`;

export async function runCoordinatorCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: 'string' }, host: { type: 'string' }, 'state-dir': { type: 'string' }, config: { type: 'string' },
    catalogue: { type: 'string' }, items: { type: 'string' }, rounds: { type: 'string' },
    'clients-per-round': { type: 'string' }, 'sampling-rate': { type: 'string' }, 'min-clients': { type: 'string' },
    'min-reports': { type: 'string' }, 'deadline-ms': { type: 'string' }, 'round-delay-ms': { type: 'string' }, dim: { type: 'string' },
    'local-epochs': { type: 'string' }, lr: { type: 'string' }, clip: { type: 'string' },
    'noise-multiplier': { type: 'string' }, 'server-lr': { type: 'string' }, 'server-optimizer': { type: 'string' },
    'target-epsilon': { type: 'string' }, delta: { type: 'string' }, 'log-format': { type: 'string' }, help: { type: 'boolean' },
    registration: { type: 'string' }, aggregation: { type: 'string' }, dp: { type: 'string' },
    'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'admin-token-file': { type: 'string' },
    'enrollment-key': { type: 'string' }, 'enrollment-audience': { type: 'string' }, 'idle-expiry': { type: 'string' },
  });
  if (values.help) {
    console.log(coordinatorUsage);
    return 0;
  }
  // Everything a person can get wrong is checked here, before the model is built or a port bound.
  exclusive(values, 'catalogue', 'items');
  exclusive(values, 'clients-per-round', 'sampling-rate');
  let file: Record<string, any> = {};
  if (values.config) {
    await checkInputFile('--config', values.config);
    try {
      file = JSON.parse(await readFile(values.config, 'utf8'));
    } catch (err) {
      throw new UsageError(`--config ${values.config} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const patch: Record<string, any> = { ...file, round: { ...file.round }, model: { ...file.model }, serverOptimizer: { ...file.serverOptimizer }, privacy: { ...file.privacy } };
  const set = (obj: Record<string, any>, key: string, v: unknown) => v !== undefined && (obj[key] = v);
  set(patch, 'port', num(values, 'port', (v) => isNonNegInt(v) && v <= 65535, 'a port number from 0 to 65535'));
  set(patch, 'host', values.host);
  set(patch, 'registration', values.registration);
  if (values['enrollment-key'] !== undefined) await checkInputFile('--enrollment-key', values['enrollment-key']);
  patch.enrollment = { ...file.enrollment };
  set(patch.enrollment, 'publicKeyFile', values['enrollment-key']);
  set(patch.enrollment, 'audience', values['enrollment-audience']);
  if (values['idle-expiry'] !== undefined) {
    try {
      patch.enrollment.idleExpiryMs = parseTtl(values['idle-expiry']) * 1000;
    } catch (err) {
      throw new UsageError(`--idle-expiry: ${(err as Error).message}`);
    }
  }
  set(patch, 'aggregation', values.aggregation);
  if (values.dp !== undefined && values.dp !== 'central' && values.dp !== 'distributed') throw new UsageError(`--dp must be central or distributed, got "${values.dp}"`);
  set(patch, 'dp', values.dp);
  set(patch, 'stateDir', values['state-dir']);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together: give both PEM files, or neither');
  if (values['tls-cert'] !== undefined && values['tls-key'] !== undefined) {
    await checkInputFile('--tls-cert', values['tls-cert']);
    await checkInputFile('--tls-key', values['tls-key']);
    patch.tls = { certFile: values['tls-cert'], keyFile: values['tls-key'] };
  }
  set(patch, 'adminTokenFile', values['admin-token-file']);
  set(patch, 'rounds', num(values, 'rounds', isNonNegInt, 'an integer ≥ 0'));
  set(patch, 'clientsPerRound', num(values, 'clients-per-round', isPosInt, 'a positive integer'));
  set(patch, 'samplingRate', num(values, 'sampling-rate', isRate, 'in (0, 1]'));
  set(patch, 'minClients', num(values, 'min-clients', isPosInt, 'a positive integer'));
  set(patch, 'minReports', num(values, 'min-reports', isPosInt, 'a positive integer'));
  set(patch, 'roundDeadlineMs', num(values, 'deadline-ms', isPosInt, 'a positive integer'));
  set(patch, 'interRoundDelayMs', num(values, 'round-delay-ms', isNonNegInt, 'an integer ≥ 0'));
  set(patch, 'noiseMultiplier', num(values, 'noise-multiplier', isNonNeg, 'a number ≥ 0'));
  set(patch.model, 'dim', num(values, 'dim', isPosInt, 'a positive integer'));
  set(patch.round, 'localEpochs', num(values, 'local-epochs', isPosInt, 'a positive integer'));
  set(patch.round, 'lr', num(values, 'lr', isPositive, 'a number > 0'));
  set(patch.round, 'clipNorm', num(values, 'clip', isPositive, 'a number > 0'));
  set(patch.serverOptimizer, 'lr', num(values, 'server-lr', isPositive, 'a number > 0'));
  set(patch.serverOptimizer, 'name', values['server-optimizer']);
  const targetEpsilon = num(values, 'target-epsilon', isPositive, 'a number > 0');
  const delta = num(values, 'delta', (v) => v > 0 && v < 1, 'in (0, 1)');
  if (delta !== undefined) patch.privacy.delta = delta;
  if (targetEpsilon !== undefined) patch.privacy.budget = { epsilon: targetEpsilon, delta: delta ?? patch.privacy.delta ?? 1e-5 };
  let config;
  try {
    config = resolveConfig(patch);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (config.stateDir) await checkDirFlag('--state-dir', config.stateDir);
  if (config.registration === 'token') {
    await checkInputFile('--enrollment-key', config.enrollment.publicKeyFile!);
    await readEnrollmentKey(config.enrollment.publicKeyFile!).catch((err: Error) => {
      throw new UsageError(err.message, ErrorCodes.BAD_PATH);
    });
  }
  if (config.adminTokenFile) {
    await checkInputFile('--admin-token-file', config.adminTokenFile);
    await readAdminToken(config.adminTokenFile).catch((err: Error) => {
      throw new UsageError(err.message, ErrorCodes.BAD_PATH);
    });
  }
  await checkListen(config.host, config.port);
  let itemIds: Int32Array;
  let catalogueMetadata: ItemMetadata | null = null;
  if (values.catalogue) ({ itemIds, metadata: catalogueMetadata } = await catalogue(values.catalogue));
  else {
    const n = num(values, 'items', isPosInt, 'a positive integer');
    if (n === undefined) throw new UsageError('give the public catalogue: --catalogue FILE or --items N');
    itemIds = Int32Array.from({ length: n }, (_, i) => i + 1);
  }
  const logger = createLogger({ format: values['log-format'] as LogFormat | undefined, name: 'coordinator' });
  let running;
  try {
    running = await startCoordinator({ config, logger, itemIds, catalogueMetadata });
  } catch (err) {
    if (err instanceof FedrecError && err.code === ErrorCodes.BUDGET_TOO_SMALL) throw new UsageError(err.message, err.code);
    throw listenError(err, config.host, config.port) ?? err;
  }
  const stop = async () => {
    logger.info({ event: 'shutdown' }, 'shutting down');
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A finished coordinator stays up: people and devices can still read /privacy, /round and the
  // model, and joining devices are told it is done. Ctrl-C (or SIGTERM) stops it.
  await new Promise<void>(() => {});
  return 0;
}

async function catalogue(path: string): Promise<{ itemIds: Int32Array; metadata: ItemMetadata | null }> {
  await checkInputFile('--catalogue', path);
  try {
    return await readCatalogue(path);
  } catch (err) {
    throw new UsageError(`--catalogue ${(err as Error).message}`, ErrorCodes.BAD_PATH);
  }
}
