// Node-only: `fedrec client` (run, consent, ledger, forget); `fedrec recommend` is recommend-command.ts.

import { isPosInt, num, parseFlags, unknownWord, UsageError } from '../../bin/args.js';
import { checkDirFlag, checkInputFile } from '../../bin/path-checks.js';
import { createLogger, type LogFormat } from '../../shared/node/logger.js';
import type { InteractionKind } from '../../shared/data/types.js';
import { FedrecClient } from '../fedrec-client.js';
import { localEpsilon } from '../local-privacy.js';
import { type DeclaredPrivacy, newClientId } from '../store.js';
import { FileStore } from './file-store.js';
import { deleteHistory, importHistory } from './history-file.js';
import { catalogueFetch, deleteCatalogueCache, saveCatalogueListing } from './catalogue-cache.js';
import { checkServerUrl, existingState, transportOptions } from './cli-common.js';
import { nodeSocketFactory } from './ws-socket.js';
import { readFile } from 'node:fs/promises';
import { nodeSecAggCrypto } from '../../shared/node/node-secagg-crypto.js';
import { selectTfBackend } from './tf-backend.js';
import type { SubTableTrainer } from '../../shared/model/local-trainer.js';
import { UPDATE_ENCODINGS, type UpdateEncoding } from '../../shared/protocol/update-encoding.js';

export const clientUsage = `fedrec client consent --state-dir DIR --grant [--kinds view,purchase] [--max-epsilon E]
fedrec client consent --state-dir DIR --revoke     opt out (nothing trains until granted again)
fedrec client --server ws://HOST:PORT --history FILE.csv --state-dir DIR [--local-noise Z] [--trainer kernel|tfjs]
                 [--compression f32|f16|q8] [--log-format json|pretty]
                 [--allow-plaintext]   also join a coordinator without secure aggregation (it would see each update)
                 [--ca FILE.pem]       trust this (private) CA for a wss:// coordinator
                 [--insecure]          allow ws:// to a host that is not loopback (id and updates travel in clear)
                 [--token TOKEN | --token-file FILE]   enrollment token from the app (a token-mode coordinator
                                       needs one to register this device the first time)
fedrec client ledger --state-dir DIR [--delta 1e-5]   what left this device: round, model version, bytes, norm
fedrec client forget --state-dir DIR [--server URL]   delete the local history, user vector, model, ledger
                                                     (with --server, also ask the coordinator to drop this id)
history FILE.csv: item_id,timestamp[,kind] with kind view|purchase`;

const SUBCOMMANDS = ['run', 'consent', 'ledger', 'forget'];

/** What the coordinator last declared: the ε of the published model, which covers this device too. */
function centralDp(d: DeclaredPrivacy | null) {
  if (!d) return { note: 'this device has not joined a coordinator yet' };
  const epsilon = Number.isFinite(d.epsilon) ? d.epsilon : null;
  return { epsilon, delta: d.delta, budget: d.budget, aggregation: d.aggregation, at: d.at, note: epsilon === null ? 'the coordinator adds no noise: the published model has no DP guarantee (ε = ∞)' : `ε spent by the coordinator as of ${d.at}, for everyone in its population` };
}

export async function runClientCommand(argv: string[]): Promise<number> {
  const named = argv[0] !== undefined && !argv[0].startsWith('-');
  const sub = named ? argv[0] : 'run';
  if (!SUBCOMMANDS.includes(sub)) throw unknownWord('client subcommand', sub, SUBCOMMANDS);
  const rest = named ? argv.slice(1) : argv;
  const { values } = parseFlags(rest, {
    server: { type: 'string' }, history: { type: 'string' }, 'state-dir': { type: 'string' }, 'log-format': { type: 'string' },
    'exit-after-rounds': { type: 'string' }, help: { type: 'boolean' }, grant: { type: 'boolean' }, revoke: { type: 'boolean' },
    kinds: { type: 'string' }, 'max-epsilon': { type: 'string' }, 'allow-plaintext': { type: 'boolean' }, 'local-noise': { type: 'string' }, delta: { type: 'string' }, trainer: { type: 'string' }, compression: { type: 'string' },
    ca: { type: 'string' }, insecure: { type: 'boolean' }, token: { type: 'string' }, 'token-file': { type: 'string' },
  });
  if (values.help) {
    console.log(clientUsage);
    return 0;
  }
  const stateDir = values['state-dir'];
  if (!stateDir) throw new UsageError('--state-dir DIR is required');
  await checkDirFlag('--state-dir', stateDir);
  if (values.server !== undefined) checkServerUrl(values.server);
  const store = new FileStore(stateDir);
  const transport = await transportOptions(values.ca, values.insecure === true);
  switch (sub) {
    case 'ledger': {
      const state = await existingState(store);
      const delta = num(values, 'delta', (v) => v > 0 && v < 1, 'in (0, 1)') ?? 1e-5;
      const ledger = state.ledger;
      const eps = localEpsilon(ledger, delta);
      console.log(JSON.stringify({
        clientId: state.clientId,
        consent: state.consent,
        leftThisDevice: ledger.some((e) => e.aggregation !== 'secure')
          ? 'clipped model updates (dense item-table deltas); those marked plaintext were readable by the coordinator; never the history or the user vector'
          : 'clipped model updates, masked by secure aggregation (the coordinator learns only each round\'s sum); never the history or the user vector',
        updates: ledger.filter((e) => e.kind !== 'metrics'),
        metrics: ledger.filter((e) => e.kind === 'metrics'),
        unacknowledged: ledger.filter((e) => e.acknowledged === false).length,
        totalBytes: ledger.reduce((a, e) => a + e.bytes, 0),
        localDp: { delta, epsilon: Number.isFinite(eps) ? eps : null, note: Number.isFinite(eps) ? 'ε of the local noise alone, against the coordinator itself' : 'some updates or evaluation metrics left without local noise: they are protected only by the coordinator\'s central DP' },
        centralDp: centralDp(state.declaredPrivacy ?? null),
      }, null, 2));
      return 0;
    }
    case 'forget': {
      if (values.server) {
        const client = new FedrecClient({ url: values.server, socketFactory: nodeSocketFactory(transport.tls), store, data: { train: [], heldOut: null }, ...transport.client });
        await client.forgetRemotely().catch((err: Error) => console.error(`could not reach ${values.server} to drop this id there: ${err.message}`));
      }
      await store.clear();
      await deleteHistory(stateDir);
      await deleteCatalogueCache(stateDir);
      console.log(JSON.stringify({ forgotten: true, stateDir }));
      return 0;
    }
    case 'consent': {
      if (values.grant === values.revoke) throw new UsageError('give exactly one of --grant or --revoke');
      const state = (await store.load()) ?? { clientId: newClientId(), userVector: null, catalogue: null, model: null, ledger: [], consent: await store.loadConsent() };
      if (values.revoke) {
        state.consent = { ...(state.consent ?? { kinds: [], maxEpsilon: null }), granted: false, at: new Date().toISOString() };
      } else {
        const kinds = (values.kinds ?? 'view,purchase').split(',').map((k) => k.trim());
        for (const k of kinds) if (k !== 'view' && k !== 'purchase') throw new UsageError(`--kinds takes view and/or purchase, got "${k}"`);
        const maxEpsilon = num(values, 'max-epsilon', (v) => v > 0, 'a number > 0') ?? null;
        state.consent = { granted: true, kinds: kinds as InteractionKind[], maxEpsilon, at: new Date().toISOString() };
      }
      await store.save(state);
      // Its own file, read by a running client within half a second.
      await store.saveConsent(state.consent);
      console.log(JSON.stringify({ consent: state.consent }));
      return 0;
    }
  }
  if (!values.server) throw new UsageError('--server ws://HOST:PORT is required');
  if (!values.history) throw new UsageError('--history FILE.csv is required');
  await checkInputFile('--history', values.history);
  const logger = createLogger({ format: values['log-format'] as LogFormat | undefined, name: 'client' });
  const enrollmentToken = await tokenOption(values.token, values['token-file']);
  const history = await importHistory(values.history, stateDir);
  const exitAfter = num(values, 'exit-after-rounds', isPosInt, 'a positive integer');
  const localNoise = num(values, 'local-noise', (v) => v > 0, 'a number > 0');
  let trainer: SubTableTrainer | undefined;
  if (values.trainer === 'tfjs') {
    await selectTfBackend(logger); // logs the backend that runs
    trainer = (await import('../../shared/model/tfjs-trainer.js')).tfjsSubTableTrainer;
  } else if (values.trainer !== undefined && values.trainer !== 'kernel') throw new UsageError('--trainer must be kernel or tfjs');
  else logger.info({ event: 'trainer', trainer: 'kernel' }, 'local training: Float32Array SGD kernel (tfjs not needed)');
  const compression = values.compression ?? 'f32';
  if (!UPDATE_ENCODINGS.includes(compression as UpdateEncoding)) throw new UsageError(`--compression must be one of ${UPDATE_ENCODINGS.join(', ')}`);
  const client = new FedrecClient({ url: values.server, socketFactory: nodeSocketFactory(transport.tls), store, data: { train: history, heldOut: null }, logger, ...transport.client, localNoiseMultiplier: localNoise, trainer, compression: compression as UpdateEncoding, allowPlaintext: values['allow-plaintext'] === true, secaggCrypto: nodeSecAggCrypto, enrollmentToken });
  logger.info({ event: 'start', interactions: history.length, server: values.server }, `client with ${history.length} local interactions; only clipped model updates leave this device`);
  let trained = 0;
  let titles: Promise<void> | undefined;
  // Once joined (consent given, checks passed), keep the public titles so `fedrec recommend` has them offline.
  const saveTitles = () => {
    titles ??= saveCatalogueListing(stateDir, values.server!, catalogueFetch(transport.ca)).then((note) => {
      if (note) logger.info({ event: 'catalogue-titles', note }, note);
    });
  };
  // Ctrl-C: stop at once (the run loop does not wait out a backoff); a second Ctrl-C kills.
  const stop = () => client.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const end = await client.run((o) => {
    if (o.task === 'train' && exitAfter !== undefined && ++trained >= exitAfter) client.stop();
  }, saveTitles);
  await titles;
  process.removeListener('SIGINT', stop);
  process.removeListener('SIGTERM', stop);
  logger.info({ event: 'client-exit', end }, RUN_END[end]);
  process.stderr.write(`${RUN_END[end]}\n`);
  return 0;
}

/** The one sentence a finished client leaves (exit 0). */
const RUN_END = {
  stopped: 'client stopped.',
  'consent-revoked': 'consent was revoked: client stopped, nothing more left this device.',
  done: 'the coordinator has finished its rounds: client done.',
  'budget-exhausted': 'the coordinator has spent its privacy budget and runs no more rounds: client done.',
  'shut-down': 'the coordinator shut down: client done.',
} as const;

/** --token or --token-file (the file keeps the token out of the shell history and ps). */
async function tokenOption(token: string | undefined, file: string | undefined): Promise<string | undefined> {
  if (token !== undefined && file !== undefined) throw new UsageError('give --token or --token-file, not both');
  if (file === undefined) return token;
  await checkInputFile('--token-file', file);
  const text = (await readFile(file, 'utf8')).trim();
  if (text === '') throw new UsageError(`--token-file ${file} is empty: it should hold one enrollment token`);
  return text;
}

export { runRecommendCommand } from './recommend-command.js';
