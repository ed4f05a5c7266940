// Browser-only pieces of the client: persistent state in IndexedDB.
// tfjs is deliberately not reachable from here: it was 90 % of a bundle that named it, and the
// default trainer never calls it. Its trainer and backend selection are 'fedrec/client/browser/tfjs'
// (client/browser/tfjs.ts), for an app to load with import() only when the person chooses it.

export { IndexedDbStore } from './indexeddb-store.js';
