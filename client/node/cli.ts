// Node-only: `fedrec client` (run, ledger, forget) and `fedrec recommend`.

import { isPosInt, num, parseFlags, UsageError } from '../../bin/args.js';
import { createLogger, type LogFormat } from '../../shared/node/logger.js';
import { FedrecClient } from '../fedrec-client.js';
import { recommendTopK } from '../recommend.js';
import { FileStore } from './file-store.js';
import { deleteHistory, importHistory, storedHistory } from './history-file.js';
import { nodeSocketFactory } from './ws-socket.js';

export const clientUsage = `fedrec client --server ws://HOST:PORT --history FILE.csv --state-dir DIR [--log-format json|pretty]
fedrec client ledger --state-dir DIR      what left this device: round, model version, bytes, norm
fedrec client forget --state-dir DIR      delete the local history, user vector, model and ledger
history FILE.csv: item_id,timestamp[,kind] with kind view|purchase`;

export async function runClientCommand(argv: string[]): Promise<number> {
  const sub = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'run';
  const rest = sub === 'run' ? argv : argv.slice(1);
  const { values } = parseFlags(rest, {
    server: { type: 'string' }, history: { type: 'string' }, 'state-dir': { type: 'string' }, 'log-format': { type: 'string' },
    'exit-after-rounds': { type: 'string' }, help: { type: 'boolean' },
  });
  if (values.help) {
    console.log(clientUsage);
    return 0;
  }
  const stateDir = values['state-dir'];
  if (!stateDir) throw new UsageError('--state-dir DIR is required');
  const store = new FileStore(stateDir);
  switch (sub) {
    case 'ledger': {
      const state = await store.load();
      console.log(JSON.stringify({ clientId: state?.clientId ?? null, updates: state?.ledger ?? [] }, null, 2));
      return 0;
    }
    case 'forget': {
      await store.clear();
      await deleteHistory(stateDir);
      console.log(JSON.stringify({ forgotten: true, stateDir }));
      return 0;
    }
    case 'run':
      break;
    default:
      throw new UsageError(`unknown client subcommand "${sub}"`);
  }
  if (!values.server) throw new UsageError('--server ws://HOST:PORT is required');
  if (!values.history) throw new UsageError('--history FILE.csv is required');
  const logger = createLogger({ format: values['log-format'] as LogFormat | undefined, name: 'client' });
  const history = await importHistory(values.history, stateDir);
  const exitAfter = num(values, 'exit-after-rounds', isPosInt, 'a positive integer');
  const client = new FedrecClient({ url: values.server, socketFactory: nodeSocketFactory(), store, data: { train: history, heldOut: null }, logger });
  logger.info({ event: 'start', interactions: history.length, server: values.server }, `client with ${history.length} local interactions; only clipped model updates leave this device`);
  let trained = 0;
  const stop = () => client.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await client.run((o) => {
    if (o.task === 'train' && exitAfter !== undefined && ++trained >= exitAfter) client.stop();
  });
  return 0;
}

export async function runRecommendCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { 'state-dir': { type: 'string' }, k: { type: 'string' }, help: { type: 'boolean' } });
  if (values.help) {
    console.log('fedrec recommend --state-dir DIR [--k 10]');
    return 0;
  }
  const stateDir = values['state-dir'];
  if (!stateDir) throw new UsageError('--state-dir DIR is required');
  const k = num(values, 'k', isPosInt, 'a positive integer') ?? 10;
  const state = await new FileStore(stateDir).load();
  if (!state?.model || !state.userVector || !state.catalogue) {
    throw Object.assign(new Error(`no trained model in ${stateDir} yet: run \`fedrec client\` until it has taken part in a round`), { code: 'FEDREC_NO_MODEL' });
  }
  const seen = new Set((await storedHistory(stateDir)).map((i) => i.item));
  const model = { kind: 'mf' as const, items: state.model.items, dim: state.model.dim, params: state.model.params };
  const recs = recommendTopK(model, state.userVector, state.catalogue.itemIds, seen, k);
  console.log(JSON.stringify({ modelVersion: state.model.version, items: recs }, null, 2));
  return 0;
}
