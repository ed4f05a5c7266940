// A fleet worker (worker thread): hosts many simulated users, each a real FedrecClient with its own
// WebSocket per check-in. Users hold only their data and private user vector between check-ins; no
// model stays in memory for users that are not in the current round.

import { parentPort } from 'node:worker_threads';
import { FedrecClient, type TaskOutcome } from '../client/fedrec-client.js';
import { nodeSocketFactory } from '../client/node/ws-socket.js';
import { MemoryStore } from '../client/store.js';
import type { LocalDataset } from '../client/local-data.js';
import type { InteractionKind } from '../shared/data/types.js';
import { isSelected } from '../shared/sampling.js';
import { kernelTrainer, type SubTableTrainer } from '../shared/model/local-trainer.js';
import { FedrecError } from '../shared/protocol/errors.js';
import type { FleetInit, FromWorker, ToWorker } from './fleet-protocol.js';
import { forEachLimited } from './pool.js';
import { nodeSecAggCrypto } from '../shared/node/node-secagg-crypto.js';

/** Simulated users stand for people who opted in to every kind, with no ε limit of their own. */
const simulatedConsent = { granted: true, kinds: ['view', 'purchase'] as InteractionKind[], maxEpsilon: null, at: new Date(0).toISOString() };

interface SimUser {
  id: string;
  store: MemoryStore;
  data: LocalDataset;
}

const port = parentPort!;
let stopped = false;
const post = (m: FromWorker) => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') stopped = true;
  else void run(m).catch((err) => post({ type: 'client-error', code: 'FEDREC_FLEET_FAILED', message: String(err?.stack ?? err) }));
});

async function run(init: FleetInit): Promise<void> {
  const socketFactory = nodeSocketFactory();
  let trainer: SubTableTrainer = kernelTrainer;
  if (init.trainer === 'tfjs') {
    const { selectTfBackend } = await import('../client/node/tf-backend.js');
    const { tfjsSubTableTrainer } = await import('../shared/model/tfjs-trainer.js');
    post({ type: 'backend', backend: (await selectTfBackend()).backend });
    trainer = tfjsSubTableTrainer;
  }
  const catalogueCache = new Map<string, Int32Array>();
  const users: SimUser[] = init.users.map((u) => ({
    id: `sim-${u.user}`,
    store: new MemoryStore(),
    data: { train: u.train, heldOut: { item: u.test, negatives: u.evalNegatives } },
  }));
  const tally = { done: 0, waited: 0, failed: 0 };
  const makeClient = (u: SimUser) =>
    new FedrecClient({ url: init.url, socketFactory, store: u.store, data: u.data, mode: init.mode, seed: init.seed, keepModel: false, clientId: u.id, catalogueCache, consent: simulatedConsent, trainer, compression: init.compression, allowPlaintext: init.aggregation === 'plaintext', secaggCrypto: nodeSecAggCrypto });
  if (init.mode === 'persistent') return runPersistent(users, makeClient, init.concurrency);
  const checkIn = async (u: SimUser) => {
    const client = makeClient(u);
    try {
      const r = await client.checkIn();
      if (r.kind === 'done') tally.done++;
      else tally.waited++;
    } catch (err) {
      tally.failed++;
      const e = err as FedrecError;
      post({ type: 'client-error', code: e.code ?? 'FEDREC_CLIENT_FAILED', message: `${u.id}: ${e.message}` });
    }
  };
  // Register everyone once: the coordinator's population N is the registered ids. Report progress
  // in slices so a 50,000-user registration is visibly moving.
  const slice = Math.max(1000, Math.ceil(users.length / 10));
  for (let i = 0; i < users.length; i += slice) {
    const part = users.slice(i, i + slice);
    await forEachLimited(part, init.concurrency, checkIn);
    post({ type: 'registered', count: part.length });
  }
  post({ type: 'ready' });
  let last = '';
  while (!stopped) {
    let status: { open: boolean; round: number; phase: string; seed: string | null; samplingRate: number };
    try {
      status = (await (await fetch(`${init.httpUrl}/round`)).json()) as typeof status;
    } catch {
      await sleep(init.pollMs);
      continue;
    }
    const key = `${status.round}:${status.phase}:${status.seed}`;
    if (!status.open || !status.seed || key === last) {
      await sleep(init.pollMs);
      continue;
    }
    last = key;
    const seed = status.seed;
    const picked = users.filter((u) => isSelected(seed, u.id, status.samplingRate));
    tally.done = tally.waited = tally.failed = 0;
    // A secure train round moves stage by stage for everyone picked: they must all be connected at once.
    const together = init.aggregation === 'secure' && status.phase === 'train';
    await forEachLimited(picked, together ? Math.max(1, picked.length) : init.concurrency, checkIn);
    post({ type: 'phase-done', round: status.round, task: status.phase, ...tally });
  }
  post({ type: 'stopped' });
}

/**
 * Persistent fleet: every user stays connected and the coordinator pushes offers, as browsers and
 * `fedrec client` do. Saves a WebSocket upgrade and a join per user and phase; bounded by open files
 * (two per user with the coordinator in the same process), so for populations of thousands.
 */
async function runPersistent(users: SimUser[], makeClient: (u: SimUser) => FedrecClient, concurrency: number): Promise<void> {
  const clients = users.map(makeClient);
  let welcomed = 0;
  // Connect in waves so the coordinator is not handed thousands of upgrades at once.
  await forEachLimited(clients, concurrency, (c) =>
    new Promise<void>((resolve) => {
      // A task this user cannot do is declined to the coordinator; name the user here, where it is known.
      const onOutcome = (o: TaskOutcome) => {
        if (o.task === 'failed') post({ type: 'client-error', code: o.code, message: `${c.clientId} (round ${o.round}): ${o.message}` });
      };
      void c.run(onOutcome, () => {
        welcomed++;
        resolve();
      }).catch((err: FedrecError) => {
        post({ type: 'client-error', code: err.code ?? 'FEDREC_CLIENT_FAILED', message: `${c.clientId}: ${err.message}` });
        resolve();
      });
    }),
  );
  post({ type: 'registered', count: welcomed });
  post({ type: 'ready' });
  while (!stopped) await sleep(50);
  for (const c of clients) c.stop();
  post({ type: 'stopped' });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
