// Node-only pieces of the client: a socket factory over `ws`, the state-dir store, history files,
// and tfjs backend selection.

export { nodeSocketFactory } from './ws-socket.js';
export { nodeFetch } from './https-fetch.js';
export { FileStore } from './file-store.js';
export { importHistory, readHistoryFile, storedHistory, deleteHistory } from './history-file.js';
export { selectTfBackend } from './tf-backend.js';
