// `fedrec demo`: one command for a person to try fedrec: a coordinator on loopback with secure
// aggregation and open registration, simulated clients so rounds happen, and the web app served from
// the coordinator's own origin. Prints the address in one line; Ctrl-C stops it within a second.

import { isNonNegInt, num, parseFlags, UsageError } from '../bin/args.js';
import { checkDirFlag } from '../bin/path-checks.js';
import { checkListen, listenError } from '../coordinator/listen-check.js';
import { createLogger, type LogFormat } from '../shared/node/logger.js';
import { startDemo } from './demo.js';
import { defaultDataSpec, demoPopulation } from './population.js';
import { DEMO_DEFAULTS, startLine } from './settings.js';
import { builtWebDir, checkWebDir } from './web-root.js';

const HOST = '127.0.0.1';
/** Ctrl-C must end the process within a second, even if a close step hangs. */
const STOP_WITHIN_MS = 500;

export const demoUsage = `fedrec demo [--port ${DEMO_DEFAULTS.port}] [--data synthetic|synthetic:users=N,items=M,...|movielens:PATH] [--clients ${DEMO_DEFAULTS.clients}]
  [--web-dir DIR] [--state-dir DIR] [--log-format pretty|json]
  A coordinator on ${HOST} (secure aggregation, open registration), --clients simulated clients that
  train in every round, and the web app at http://${HOST}:PORT/ (--port 0: any free port).
  --data      the simulated clients' histories and the catalogue: synthetic (default: ${DEMO_DEFAULTS.clients} users,
              ${DEMO_DEFAULTS.syntheticItems} items with made-up titles) or movielens:PATH (ml-latest-small; titles from movies.csv)
  --web-dir   serve the web app from DIR instead of the built dist/web/
  --state-dir keep the coordinator's state in DIR (checkpoint.msgpack; registry.json, which holds the
              device ids: secrets) instead of in memory only
  Demo settings, not a deployment's: q = 1 (every connected device in every round), noise z ${DEMO_DEFAULTS.noiseMultiplier},
  clip ${DEMO_DEFAULTS.clipNorm}, budget ε ${DEMO_DEFAULTS.budgetEpsilon} at δ ${DEMO_DEFAULTS.delta}: with tens of clients and q = 1 an ε this
  large is no privacy guarantee; the demo shows the product. State is kept in memory unless --state-dir.`;

function logFormat(v: unknown): LogFormat {
  if (v === undefined) return process.stderr.isTTY ? 'pretty' : 'json';
  if (v !== 'pretty' && v !== 'json') throw new UsageError(`--log-format must be pretty or json, got "${v}"`);
  return v;
}

export async function runDemoCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    port: { type: 'string' }, data: { type: 'string' }, clients: { type: 'string' }, 'web-dir': { type: 'string' }, 'state-dir': { type: 'string' }, 'log-format': { type: 'string' },
  });
  if (values.help) {
    console.log(demoUsage);
    return 0;
  }
  // Every mistake is found here, before a port is bound or a client started.
  const port = num(values, 'port', (v) => isNonNegInt(v) && v <= 65535, 'a port number from 0 to 65535') ?? DEMO_DEFAULTS.port;
  const clients = num(values, 'clients', (v) => Number.isInteger(v) && v >= 2 && v <= 1000, 'an integer from 2 to 1000 (secure aggregation needs two)') ?? DEMO_DEFAULTS.clients;
  const format = logFormat(values['log-format']);
  const webDir = values['web-dir'] ?? builtWebDir();
  await checkWebDir(webDir, values['web-dir']);
  const stateDir = values['state-dir'] ?? null;
  if (stateDir !== null) await checkDirFlag('--state-dir', stateDir);
  await checkListen(HOST, port);
  const data = values.data ?? defaultDataSpec(clients);
  const population = await demoPopulation(data, clients, DEMO_DEFAULTS.seed);

  // Pretty (a terminal): one line per round from the demo, only warnings from the coordinator.
  const level = (quiet: string) => process.env.FEDREC_LOG_LEVEL ?? (format === 'pretty' ? quiet : 'info');
  const demoLog = createLogger({ format, name: 'demo', concise: true, level: level('info') });
  const loggers = { demo: demoLog, coordinator: createLogger({ format, name: 'coordinator', level: level('warn') }), clients: createLogger({ format, name: 'client', concise: true, level: 'warn' }) };
  let demo;
  try {
    demo = await startDemo({ port, population, webDir, stateDir }, loggers);
  } catch (err) {
    throw listenError(err, HOST, port) ?? err;
  }
  const line = startLine(demo.url, demo.config, population.splits.length, population.name);
  console.log(line);
  demoLog.info({ event: 'demo-ready', url: demo.url, clients: population.splits.length, data: population.name, webDir }, `serving the web app from ${webDir}`);

  const running = demo;
  const code = await new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      demoLog.info({ event: 'shutdown', signal }, 'stopping the demo');
      resolve(0);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    running.failed.catch((err: Error) => {
      demoLog.error({ event: 'fleet-failed', err: err.message }, `the simulated clients stopped: ${err.message.split('\n')[0]}`);
      resolve(1);
    });
  });
  await Promise.race([running.close(), new Promise((r) => setTimeout(r, STOP_WITHIN_MS))]);
  return code;
}
