// The worker's job: keep one FedrecClient running exactly when the person's stored consent and
// history say so. Every change (consent, history, expiry) goes through apply(), serialized; a change
// that arrives while this device is in a round waits for the round's end, so the device does not
// drop out of secure aggregation half way. Pause does not wait: it leaves at once.

import type { Interaction } from '../../../shared/data/types.js';
import type { RunEnd } from '../../client-options.js';
import { FedrecClient, newClientId, type ClientStore, type SocketFactory } from '../../index.js';
import type { PrivacyFetch } from '../../privacy-check.js';
import type { AppDb } from './app-db.js';
import { consentStatus } from './consent-policy.js';
import { trainableCount } from './history.js';
import { RoundWatch } from './round-watch.js';
import * as say from './status-text.js';
import type { WorkerToPage } from './worker-protocol.js';

export interface RunnerDeps {
  wsUrl: string;
  /** The app's store: it keeps the consent apart (loadConsent is there). */
  store: ClientStore & Required<Pick<ClientStore, 'loadConsent'>>;
  app: AppDb;
  socketFactory: SocketFactory;
  post: (m: WorkerToPage) => void;
  fetch?: PrivacyFetch;
  now?: () => Date;
  /** Wait before trying again after an unreachable coordinator or a failure (ms). */
  retryMs?: number;
  /** Quiet time after a history change before the client restarts with it (ms). */
  settleMs?: number;
  /**
   * Runs fn while no other tab runs this device's client (they share its id, which the coordinator
   * admits once); the worker passes a Web Lock. Rejects when the signal aborts the wait.
   */
  exclusive?: (fn: () => Promise<RunEnd>, signal: AbortSignal) => Promise<RunEnd>;
}

/** Re-check at least daily: setTimeout cannot wait the 90 days a consent lasts. */
const MAX_TIMER_MS = 24 * 3600 * 1000;

export class Runner {
  private client: FedrecClient | null = null;
  private abort: AbortController | null = null;
  private running: Promise<void> = Promise.resolve();
  /** What the running client was started with; a change restarts it. */
  private signature: { choices: string; history: string } | null = null;
  private applyWhenIdle = false;
  private readonly watch: RoundWatch;
  private queue: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private settle: ReturnType<typeof setTimeout> | null = null;
  private readonly now: () => Date;
  private readonly socketFactory: SocketFactory;

  constructor(private readonly d: RunnerDeps) {
    this.now = d.now ?? (() => new Date());
    this.watch = new RoundWatch(d.post, () => {
      if (!this.applyWhenIdle) return;
      this.applyWhenIdle = false;
      void this.apply();
    });
    this.socketFactory = this.watch.sockets(d.socketFactory);
  }

  /** Make the client match what is stored now. */
  apply(): Promise<void> {
    this.queue = this.queue.then(() => this.reconcile()).catch((err) => this.status(say.failureText(err)));
    return this.queue;
  }

  /**
   * History changes settle for a moment first: marking five items in a row restarts the client
   * once, not five times (each restart is a reconnect, and a device that reconnects as a round
   * opens waits for the next one).
   */
  historyChanged(): void {
    if (this.settle) clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      this.settle = null;
      void this.apply();
    }, this.d.settleMs ?? 1_000);
  }

  /** Opt-out: leave at once, then settle the rest in order. */
  pause(): Promise<void> {
    const c = this.client;
    // leave() throws while the socket is still connecting; stop() then closes it all the same.
    c?.leave(false).catch(() => c.stop());
    return this.apply().then(() => this.d.post({ type: 'paused' }));
  }

  /** Stops the client and asks the coordinator to drop this device's id; then wipes both stores. */
  forget(): Promise<WorkerToPage & { type: 'forgotten' }> {
    const done = this.queue.then(async () => {
      this.clearTimer();
      await this.stopClient(true);
      let result: WorkerToPage & { type: 'forgotten' } = { type: 'forgotten', remote: 'never-joined' };
      if (await this.d.store.load()) {
        const c = new FedrecClient({ url: this.d.wsUrl, socketFactory: this.d.socketFactory, store: this.d.store, data: { train: [], heldOut: null }, fetch: this.d.fetch });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer in 10 s')), 10_000)));
        try {
          await Promise.race([c.forgetRemotely(), timeout]);
          result = { type: 'forgotten', remote: 'dropped' };
        } catch (err) {
          c.stop();
          result = { type: 'forgotten', remote: 'unreachable', detail: (err as Error).message };
        } finally {
          clearTimeout(timer);
        }
      }
      await this.d.store.clear();
      this.d.post(result);
      return result;
    });
    this.queue = done.then(() => {}, () => {});
    return done;
  }

  private async reconcile(): Promise<void> {
    this.clearTimer();
    const consent = consentStatus(await this.d.app.consent(), this.now());
    if (consent.kind !== 'granted') {
      await this.stopClient(false);
      return this.status({ phase: 'idle', text: say.idleText(consent) });
    }
    this.schedule(consent.expiresAt.getTime() - this.now().getTime());
    const history = await this.d.app.history();
    if (trainableCount(history, consent.consent.kinds) === 0) {
      await this.stopClient(false);
      return this.status({ phase: 'idle', text: say.NO_HISTORY });
    }
    const signature = { choices: JSON.stringify([consent.consent.kinds, consent.consent.maxEpsilon]), history: JSON.stringify(history) };
    const same = (k: keyof typeof signature) => this.signature !== null && this.signature[k] === signature[k];
    if (this.client && same('choices') && same('history')) return;
    // New history waits for the round's end; new choices (fewer kinds, a lower limit) apply at once.
    if (this.client && this.watch.busyRound !== null && same('choices')) {
      this.applyWhenIdle = true;
      return;
    }
    await this.stopClient(false);
    await this.ensureId();
    this.start(history, signature);
  }

  /**
   * The client core saves its state only after its first round, but joining registers its id: keep
   * the id from the start, so a reload reuses it and forget me can drop it.
   */
  private async ensureId(): Promise<void> {
    if (await this.d.store.load()) return;
    await this.d.store.save({ clientId: newClientId(), userVector: null, catalogue: null, model: null, ledger: [], consent: await this.d.store.loadConsent() });
  }

  private start(history: Interaction[], signature: { choices: string; history: string }): void {
    const client = new FedrecClient({ url: this.d.wsUrl, socketFactory: this.socketFactory, store: this.d.store, data: { train: history, heldOut: null }, logger: this.watch.logger(), fetch: this.d.fetch, consentPollMs: 250 });
    const abort = new AbortController();
    this.client = client;
    this.abort = abort;
    this.signature = signature;
    let started = false;
    const exclusive = this.d.exclusive ?? ((fn) => fn());
    const queued = setTimeout(() => started || this.status({ phase: 'idle', text: say.OTHER_TAB }), 300);
    this.running = exclusive(() => {
      started = true;
      clearTimeout(queued);
      if (this.client !== client) return Promise.resolve('stopped' as const);
      this.status({ phase: 'connecting', text: say.CONNECTING });
      return client.run(
        () => this.d.post({ type: 'state-changed' }),
        () => this.status({ phase: 'waiting', text: say.WAITING }),
      );
    }, abort.signal).then(
      (end) => {
        if (this.client !== client) return; // stopped by the app, which says why
        this.client = null;
        const line = say.endText(end);
        if (line) this.status(line);
        if (end === 'consent-revoked' || end === 'shut-down') this.retry(end === 'shut-down');
      },
      (err: unknown) => {
        clearTimeout(queued);
        if (this.client !== client) return;
        this.client = null;
        const line = say.failureText(err);
        this.status(line);
        if (line.retry) this.retry(true);
      },
    );
  }

  /** After a failure, try again later; after a revoke or expiry, settle at once (the status says why). */
  private retry(later: boolean): void {
    this.clearTimer();
    if (later) this.timer = setTimeout(() => void this.apply(), this.d.retryMs ?? 15_000);
    else void this.apply();
  }

  private async stopClient(leave: boolean): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = null;
    this.abort?.abort(); // a client still waiting for another tab stops waiting
    this.watch.busyRound = null;
    this.applyWhenIdle = false;
    this.signature = null;
    if (leave) await client.leave(false).catch(() => client.stop());
    else client.stop();
    await this.running;
  }

  private status(line: say.StatusLine): void {
    this.watch.status(line);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => void this.apply(), Math.max(0, Math.min(ms, MAX_TIMER_MS)));
  }

  /** Stops everything (tests, and a worker being replaced). */
  async dispose(): Promise<void> {
    if (this.settle) clearTimeout(this.settle);
    this.clearTimer();
    await this.queue;
    this.clearTimer();
    await this.stopClient(true);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
