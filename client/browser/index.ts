// Browser-only pieces of the client: persistent state in IndexedDB and tfjs backend selection.

export { IndexedDbStore } from './indexeddb-store.js';
export { selectBrowserTfBackend } from './tf-backend.js';
