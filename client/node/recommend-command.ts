// Node-only: `fedrec recommend`: the top-k unseen items from this device's stored model and private user
// vector, each with why, titled from the coordinator's public catalogue (fetched once, kept in the
// state dir). Ranking and explanations run here; only the public catalogue is ever fetched.

import { isPosInt, num, parseFlags, UsageError } from '../../bin/args.js';
import { metadataOf } from '../../shared/model/catalogue-listing.js';
import { checkTransport } from '../transport-check.js';
import { catalogueFetch, catalogueTitles } from './catalogue-cache.js';
import { checkServerUrl, existingState, transportOptions } from './cli-common.js';
import { FileStore } from './file-store.js';
import { storedHistory } from './history-file.js';
import { explainedTopK, recommendationsJson, recommendationsTable } from './recommend-view.js';

export const recommendUsage = `fedrec recommend --state-dir DIR [--k 10] [--server ws://HOST:PORT] [--json]
  top-k unseen items, ranked on this device from its stored model, with titles and why each was picked
  [--server URL]     the coordinator to fetch titles from (GET /catalogue) when this device has none yet
                     (fedrec client saves them when it joins)
  [--ca FILE.pem]    trust this (private) CA for a wss:// coordinator
  [--insecure]       allow ws:// to a host that is not loopback
  [--json]           {modelVersion, catalogueVersion, items: [{rank, id, title, genres, score, match, because, factors}]}`;

export async function runRecommendCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    'state-dir': { type: 'string' }, k: { type: 'string' }, server: { type: 'string' }, ca: { type: 'string' },
    insecure: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' },
  });
  if (values.help) {
    console.log(recommendUsage);
    return 0;
  }
  const stateDir = values['state-dir'];
  if (!stateDir) throw new UsageError('--state-dir DIR is required');
  const k = num(values, 'k', isPosInt, 'a positive integer') ?? 10;
  if (values.server !== undefined) {
    checkServerUrl(values.server);
    checkTransport(values.server, values.insecure === true);
  }
  const transport = await transportOptions(values.ca, values.insecure === true);
  const state = await existingState(new FileStore(stateDir));
  if (!state.model || !state.userVector || !state.catalogue) {
    throw Object.assign(new Error(`no trained model in ${stateDir} yet: run \`fedrec client\` until it has taken part in a round`), { code: 'FEDREC_NO_MODEL' });
  }
  const model = { kind: 'mf' as const, items: state.model.items, dim: state.model.dim, params: state.model.params };
  const items = explainedTopK(model, state.userVector, state.catalogue, await storedHistory(stateDir), k);
  const titles = await catalogueTitles({
    stateDir,
    version: state.catalogue.version,
    server: values.server,
    fetch: catalogueFetch(transport.ca),
  });
  if (titles.note) console.error(`note: ${titles.note}`);
  const metadata = titles.listing ? metadataOf(titles.listing) : null;
  if (values.json) console.log(JSON.stringify(recommendationsJson(items, metadata, state.model.version, state.catalogue.version), null, 2));
  else console.log(recommendationsTable(items, metadata, state.model.version));
  return 0;
}
