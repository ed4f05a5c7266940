// The training worker: the client core (FedrecClient, IndexedDbStore, secure aggregation on
// WebCrypto) runs here, so training and masking never block the page. It answers the page's
// messages (worker-protocol.ts) through the Runner.

import type { RunEnd } from '../../client-options.js';
import { browserSocketFactory } from '../../index.js';
import { IndexedDbStore } from '../index.js';
import { AppDb } from './app-db.js';
import { AppStore } from './app-store.js';
import { Runner } from './runner.js';
import type { PageToWorker, WorkerToPage } from './worker-protocol.js';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<PageToWorker>) => void) | null;
  postMessage(message: WorkerToPage): void;
}

const scope = globalThis as unknown as WorkerScope;
let runner: Runner | null = null;

scope.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.type === 'configure') {
    const sockets = browserSocketFactory();
    if (!sockets) return scope.postMessage({ type: 'status', phase: 'error', text: 'This browser has no WebSocket in workers; the device cannot take part.' });
    const app = new AppDb(msg.appDb);
    // One tab at a time takes part for this device (Web Locks are shared by the origin's workers).
    // request() resolves with fn's result, unwrapped, whatever its DOM typing says.
    const locks = (navigator as Navigator & { locks?: LockManager }).locks;
    const exclusive = locks ? (fn: () => Promise<RunEnd>, signal: AbortSignal) => locks.request(`fedrec-run ${msg.clientDb}`, { signal }, fn) as unknown as Promise<RunEnd> : undefined;
    runner = new Runner({ wsUrl: msg.wsUrl, app, store: new AppStore(new IndexedDbStore(msg.clientDb), app), socketFactory: sockets, post: (m) => scope.postMessage(m), exclusive });
    void runner.apply();
    return;
  }
  if (!runner) return;
  if (msg.type === 'changed' && msg.what === 'history') runner.historyChanged();
  else if (msg.type === 'changed') void runner.apply();
  else if (msg.type === 'pause') void runner.pause();
  else if (msg.type === 'forget') void runner.forget();
};
