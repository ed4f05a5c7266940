// `npm run bench -- --out results/bench.json [--only w1,w2,w2s,w3,w4,w5,bundle] [--repeat N]`
//
// Runs the six default workloads (W1 client round, W2 coordinator ingest, W3 10k connections, W4 one
// simulated round of ml-latest-small, W5 the same round secure vs plaintext, `bundle` the browser
// bundle's bytes) and, when asked for with --only, W2 secure (`w2s`: the masked stage of a real
// secure round against bare ws; over a minute, as every trial runs 400 clients' key and share
// stages and masking first), prints one human line per workload on stdout, progress on
// stderr, and writes (and prints) one JSON object. W3 runs before W2 so that the coordinator RSS it
// reports is not inflated by the large buffers W2 leaves behind in this process.

import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { availableCores, killAllChildren, progress, round } from './util.js';
import { runW1 } from './w1-client-round.js';
import { runW2 } from './w2-ingest.js';
import { runW2Secure } from './w2-secure.js';
import { runW3 } from './w3-connections.js';
import { runW4 } from './w4-simulation-round.js';
import { runW5 } from './w5-secure-round.js';
import { runBundle } from './bundle-size.js';

const ALL = ['w1', 'w2', 'w2s', 'w3', 'w4', 'w5', 'bundle'] as const;
type Id = (typeof ALL)[number];
/** What runs without --only. */
const DEFAULT: readonly Id[] = ['w1', 'w2', 'w3', 'w4', 'w5', 'bundle'];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'results/bench.json' },
      only: { type: 'string' },
      repeat: { type: 'string' },
      clients: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(`npm run bench -- [--out results/bench.json] [--only ${ALL.join(',')} (default ${DEFAULT.join(',')})] [--repeat N (W4 trials per worker count, default 3; W2 and W2s run max(5, N) trials per side)] [--clients N (W3, default 10000)]`);
    return 0;
  }
  const only = new Set<Id>();
  for (const part of (values.only ?? DEFAULT.join(',')).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (!(ALL as readonly string[]).includes(part)) throw new Error(`--only takes a list of ${ALL.join(', ')}; got "${part}"`);
    only.add(part as Id);
  }
  const repeat = values.repeat === undefined ? 3 : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be a positive integer, got ${values.repeat}`);
  const w3Clients = values.clients === undefined ? 10_000 : Number(values.clients);
  if (!Number.isInteger(w3Clients) || w3Clients < 1) throw new Error(`--clients must be a positive integer, got ${values.clients}`);

  const started = Date.now();
  const result: Record<string, unknown> = {
    backend: 'kernel',
    node: process.version,
    cpus: availableParallelism(),
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  };
  const guard = async (id: Id, fn: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown>> => {
    const t = Date.now();
    progress(id, 'start');
    try {
      const r = await fn();
      progress(id, `done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      return r;
    } catch (err) {
      progress(id, `FAILED: ${(err as Error)?.stack ?? err}`);
      console.log(`${id.toUpperCase()}: failed: ${(err as Error)?.message ?? err}`);
      return { error: String((err as Error)?.message ?? err) };
    }
  };

  // The machine may be shared: say how much of it this run could actually get.
  result.coresAvailableAtStart = await availableCores();
  progress('run', `cores this process can get right now (1 s spin test): ${result.coresAvailableAtStart} of ${result.cpus}`);
  let msProject: number | null = null;
  if (only.has('w1')) {
    const w1 = await guard('w1', () => runW1({ pairs: 300, warmup: 40, tfjs: true }));
    result.clientRound = w1;
    if (typeof w1.msProject === 'number') msProject = w1.msProject;
  }
  if (only.has('w3')) result.connections = await guard('w3', () => runW3({ clients: w3Clients }));
  if (only.has('w2')) result.ingest = await guard('w2', () => runW2({ trials: repeat }));
  if (only.has('w2s')) result.ingestSecure = await guard('w2s', () => runW2Secure({ trials: repeat }));
  if (only.has('w4')) {
    if (msProject === null) {
      // The bound needs W1's project time: a short kernel-only W1 (no tfjs), not printed as W1.
      progress('w4', 'W1 was not run: measuring its project time (kernel only) for the bound');
      const quick = await runW1({ pairs: 100, warmup: 20, tfjs: false, quiet: true });
      if (typeof quick.msProject === 'number') msProject = quick.msProject;
    }
    result.simulationRound = await guard('w4', () => runW4({ trials: repeat, msProject }));
  }
  if (only.has('w5')) result.secureRound = await guard('w5', () => runW5({ trials: repeat }));
  if (only.has('bundle')) result.bundle = await guard('bundle', runBundle);
  result.coresAvailableAtEnd = await availableCores();
  // Stable key order in the file whatever order the workloads ran in.
  const ordered: Record<string, unknown> = {};
  for (const k of ['backend', 'node', 'cpus', 'coresAvailableAtStart', 'coresAvailableAtEnd', 'platform', 'date', 'command', 'clientRound', 'ingest', 'ingestSecure', 'connections', 'simulationRound', 'secureRound', 'bundle']) if (k in result) ordered[k] = result[k];
  ordered.totalSeconds = round((Date.now() - started) / 1000, 1);

  const out = resolve(values.out!);
  await mkdir(dirname(out), { recursive: true });
  const text = JSON.stringify(ordered, null, 2) + '\n';
  await writeFile(out, text);
  process.stdout.write(text);
  progress('run', `wrote ${out}`);
  return 0;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}
process.on('exit', killAllChildren);

main().then(
  (code) => {
    killAllChildren();
    process.exit(code);
  },
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    killAllChildren();
    process.exit(1);
  },
);
