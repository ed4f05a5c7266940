// The client's public surface for app developers (browser and Node). Node-only pieces live in
// client/node/ and are not exported here.

export { FedrecClient, type ClientOptions, type CheckInResult, type TaskOutcome } from './fedrec-client.js';
export { MemoryStore, newClientId, type ClientState, type ClientStore, type Consent, type LedgerEntry } from './store.js';
export { browserSocketFactory, type SocketFactory, type SocketLike } from './socket.js';
export { clipUpdate } from './middleware/clip.js';
export { sizeGuard } from './middleware/size-guard.js';
export { localGaussianNoise } from './middleware/local-noise.js';
export { localEpsilon } from './local-privacy.js';
export { checkPrivacy, fetchDeclaredPrivacy, privacyUrl } from './privacy-check.js';
export { runMiddleware, type OutgoingUpdate, type UpdateContext, type UpdateMiddleware } from './middleware/types.js';
export { parseHistoryCsv, formatHistoryCsv } from './history-csv.js';
export { recommendTopK, type Recommendation } from './recommend.js';
export { explainRecommendation, type Because, type Explanation } from './explain.js';
export { catalogueUrl, fetchCatalogueListing } from './catalogue-fetch.js';
export { parseCatalogueListing, type CatalogueListing, type ItemInfo } from '../shared/model/catalogue-listing.js';
export { rankHeldOut } from './evaluate.js';
export type { LocalDataset, HeldOut } from './local-data.js';
export { consoleLogger, silentLogger, type ClientLogger } from './logger.js';
// The trainer option's type; the tfjs trainer itself is 'fedrec/client/browser/tfjs' (never imported here).
export type { SubTableTrainer } from '../shared/model/local-trainer.js';
