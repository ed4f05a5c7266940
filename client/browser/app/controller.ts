// The page's side of the app: it records the person's decisions (history and consent, in the app's
// IndexedDB) and tells the worker, reads back what the client core stored, and keeps AppState.

import type { InteractionKind } from '../../../shared/data/types.js';
import type { ClientState } from '../../store.js';
import { AppDb } from './app-db.js';
import { type AppState, initialState, needsConsentScreen, PAGE_SIZE, withListing, withLog } from './app-state.js';
import type { AppConfig } from './config.js';
import { grant, parseEpsilonLimit, revoke, toStored } from './consent-policy.js';
import { fetchCatalogue, fetchPrivacy } from './coordinator-api.js';
import { collectDeviceData, deviceDataJson, saveJsonFile } from './download.js';
import { nowSeconds } from './history.js';
import { deleteDb, readRecord } from './idb.js';
import type { PageToWorker, WorkerToPage } from './worker-protocol.js';

/** GET /privacy is cheap and public; rounds can come every few seconds, so the ε shown follows them. */
const PRIVACY_POLL_MS = 3_000;

export class Controller {
  state: AppState;
  private readonly app: AppDb;
  private worker: Worker | null = null;
  private listeners = new Set<(s: AppState) => void>();
  private listingLoad: Promise<void> | null = null;
  private forgotten: ((m: WorkerToPage & { type: 'forgotten' }) => void) | null = null;

  constructor(
    readonly config: AppConfig,
    private readonly workerUrl: string,
  ) {
    this.state = initialState(config);
    this.app = new AppDb(config.appDb);
  }

  subscribe(fn: (s: AppState) => void): void {
    this.listeners.add(fn);
  }

  private set(patch: Partial<AppState> | ((s: AppState) => AppState)): void {
    this.state = typeof patch === 'function' ? patch(this.state) : { ...this.state, ...patch };
    for (const fn of this.listeners) fn(this.state);
  }

  async start(): Promise<void> {
    await this.reloadLocal();
    this.set({ consentOpen: needsConsentScreen(this.state) });
    this.startWorker();
    setInterval(() => void this.refreshPrivacy(), PRIVACY_POLL_MS);
    // A consent that runs out while the page is open brings the consent screen back.
    setInterval(() => !this.state.consentOpen && needsConsentScreen(this.state) && this.set({ consentOpen: true }), 30_000);
    await this.refreshPrivacy();
  }

  private loadListing(): Promise<void> {
    this.listingLoad ??= fetchCatalogue(this.config.httpBase)
      .then(
        (listing) => this.set((s) => withListing(s, listing)),
        (err: Error) => this.set({ listingError: `Could not load the catalogue: ${err.message}` }),
      )
      .finally(() => (this.listingLoad = null));
    return this.listingLoad;
  }

  async refreshPrivacy(): Promise<void> {
    // A catalogue that failed to load (coordinator down at start) is tried again with the privacy report.
    if (!this.state.listing) void this.loadListing();
    try {
      this.set({ privacy: await fetchPrivacy(this.config.httpBase), privacyError: null });
    } catch (err) {
      this.set({ privacyError: `Could not read the coordinator's privacy report: ${(err as Error).message}` });
    }
  }

  private async reloadLocal(): Promise<void> {
    const [history, consent] = await Promise.all([this.app.history(), this.app.consent()]);
    this.set({ history, consent });
    await this.reloadClient();
  }

  private async reloadClient(): Promise<void> {
    const client = await readRecord<ClientState>(indexedDB, this.config.clientDb, 'state', 'client');
    this.set({ client });
  }

  private startWorker(): void {
    const w = new Worker(this.workerUrl);
    this.worker = w;
    w.onmessage = (ev: MessageEvent<WorkerToPage>) => this.onWorker(ev.data);
    w.onerror = (ev) => this.set({ status: { phase: 'error', text: `The training worker failed: ${ev.message}` } });
    this.post({ type: 'configure', wsUrl: this.config.wsUrl, clientDb: this.config.clientDb, appDb: this.config.appDb });
  }

  private post(m: PageToWorker): void {
    this.worker?.postMessage(m);
  }

  private onWorker(m: WorkerToPage): void {
    const at = new Date().toISOString();
    switch (m.type) {
      case 'status':
        this.set((s) => withLog({ ...s, status: { phase: m.phase, text: m.text } }, { at, level: m.phase === 'error' ? 'warn' : 'info', text: m.text }));
        return;
      case 'log':
        if (m.level !== 'info') this.set((s) => withLog(s, { at, level: m.level, text: m.text }));
        return;
      case 'state-changed':
      case 'round-end':
        void this.reloadClient();
        void this.refreshPrivacy();
        return;
      case 'paused':
        return;
      case 'forgotten':
        this.forgotten?.(m);
        return;
    }
  }

  /** An action that failed (IndexedDB refused, say): tell the person rather than fail silently. */
  report(err: unknown): void {
    this.set({ notice: `That did not work: ${(err as Error)?.message ?? String(err)}` });
  }

  // ---- the person's actions -------------------------------------------------------------

  async toggleMark(item: number, kind: InteractionKind): Promise<void> {
    const marked = this.state.history.some((i) => i.item === item && i.kind === kind);
    if (marked) await this.app.unmark(item, kind);
    else await this.app.mark(item, kind, nowSeconds());
    this.set({ history: await this.app.history() });
    this.post({ type: 'changed', what: 'history' });
  }

  async accept(kinds: InteractionKind[], epsilonText: string): Promise<void> {
    let consent;
    try {
      consent = grant(kinds, parseEpsilonLimit(epsilonText), new Date());
    } catch (err) {
      return this.set({ consentError: (err as Error).message });
    }
    const stored = toStored(consent);
    await this.app.saveConsent(stored);
    this.set({ consent: stored, consentOpen: false, consentError: null, notice: null });
    this.post({ type: 'changed', what: 'consent' });
  }

  decline(): void {
    this.set({ consentOpen: false, consentError: null });
  }

  openConsent(): void {
    this.set({ consentOpen: true, consentError: null });
  }

  /** Opt out: the revoke is stored first (the running client polls it), then the worker leaves at once. */
  async pause(): Promise<void> {
    const stored = toStored(revoke(this.state.consent?.consent ?? null, new Date()));
    await this.app.saveConsent(stored);
    this.post({ type: 'pause' });
    this.set({ consent: stored, status: { phase: 'idle', text: 'Paused: nothing leaves this device.' } });
  }

  setQuery(query: string): void {
    this.set({ query, shown: PAGE_SIZE });
  }

  setOnlyHistory(onlyHistory: boolean): void {
    this.set({ onlyHistory, shown: PAGE_SIZE });
  }

  showMore(): void {
    this.set({ shown: this.state.shown + PAGE_SIZE });
  }

  async download(): Promise<void> {
    const data = await collectDeviceData(indexedDB, [this.config.clientDb, this.config.appDb], this.config.wsUrl, new Date());
    saveJsonFile(document, deviceDataJson(data), 'fedrec-my-data.json');
    this.set({ notice: 'Your data was saved as fedrec-my-data.json: everything this app keeps on this device.' });
  }

  askForget(): void {
    this.set({ forget: 'confirm', notice: null });
  }

  cancelForget(): void {
    this.set({ forget: 'idle' });
  }

  /** The worker drops the id on the coordinator and wipes its store; then both databases are deleted. */
  async forget(): Promise<void> {
    this.set({ forget: 'working' });
    const answer = new Promise<WorkerToPage & { type: 'forgotten' }>((resolve) => {
      this.forgotten = resolve;
      setTimeout(() => resolve({ type: 'forgotten', remote: 'unreachable', detail: 'the worker did not answer' }), 20_000);
    });
    this.post({ type: 'forget' });
    const result = await answer;
    this.forgotten = null;
    // No connection may hold the databases open while they are deleted.
    this.worker?.terminate();
    this.worker = null;
    this.app.close();
    await Promise.all([deleteDb(indexedDB, this.config.clientDb), deleteDb(indexedDB, this.config.appDb)]);
    const remote = {
      dropped: 'The coordinator dropped this device’s id.',
      'never-joined': 'This device had never joined the coordinator, so it held no id to drop.',
      unreachable: `The coordinator could not be reached to drop this device’s id (${result.detail ?? 'no answer'}).`,
    }[result.remote];
    this.set({ history: [], consent: null, client: null, forget: 'idle', consentOpen: false, notice: `Forgotten: everything this app kept on this device is deleted. ${remote}` });
    this.startWorker();
  }
}
