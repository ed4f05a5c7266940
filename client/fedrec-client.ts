// The client core (browser and Node): join a coordinator, answer its offers by training on local
// data or evaluating, and send back only a clipped model update. The history and the user vector
// stay on the device; the ledger records every byte that left. FedrecClient holds the device's
// state and consent and wires the parts: the connection loop (connection.ts) and the rounds it is
// in (round-desk.ts).

import { supportedCurves } from '../shared/secagg/key-agreement.js';
import type { Curve } from '../shared/protocol/secagg-messages.js';
import { type MappedData, mapToRows } from './local-data.js';
import { type ClientLogger, silentLogger } from './logger.js';
import { clipUpdate } from './middleware/clip.js';
import { localGaussianNoise } from './middleware/local-noise.js';
import { checkConsentAndHistory, checkDeclaredBeforeJoining } from './preflight-checks.js';
import { checkTransport } from './transport-check.js';
import { sizeGuard } from './middleware/size-guard.js';
import { type ClientState, type Consent, newClientId } from './store.js';
import type { CheckInResult, ClientOptions, RunEnd, TaskOutcome } from './client-options.js';
import { rowIndexFor } from './connection-helpers.js';
import { Connection } from './connection.js';
import { ConsentKeeper } from './consent-keeper.js';
import { RoundDesk } from './round-desk.js';

export type { CheckInResult, ClientOptions, RunEnd, TaskOutcome };

export class FedrecClient {
  private readonly o: Required<Pick<ClientOptions, 'mode' | 'logger' | 'middleware' | 'keepModel'>> & ClientOptions;
  private readonly log: ClientLogger;
  private state: ClientState | null = null;
  private mapped: { version: string; data: MappedData } | null = null;
  /** Curves this device's WebCrypto has (probed once before connecting). */
  private curves: Curve[] = [];
  /** The person's consent, read from the store whenever it matters (consent-keeper.ts). */
  private readonly consent: ConsentKeeper;
  /** A fresh id not yet in the store: saved before it is first sent, so a reload cannot orphan it. */
  private idUnsaved = false;
  private readonly connection: Connection;
  private readonly desk: RoundDesk;

  constructor(options: ClientOptions) {
    const z = options.localNoiseMultiplier ?? 0;
    const middleware = [clipUpdate, ...(z > 0 ? [localGaussianNoise(z)] : []), sizeGuard];
    this.o = { mode: 'persistent', logger: silentLogger, middleware, keepModel: true, ...options };
    this.log = this.o.logger;
    this.consent = new ConsentKeeper(this.o.store, () => this.state!, this.log, () => void this.leave(false));
    const { o, log, consent } = this;
    this.connection = new Connection({
      options: o,
      log,
      consent,
      state: () => this.state!,
      curves: () => this.curves,
      preflight: () => this.preflight(),
      mappedData: () => this.mappedData(),
      onRoundMessage: (m) => this.desk.onMessage(m),
      onClosed: (code, reason) => this.desk.onClosed(code, reason),
      idle: () => this.desk.idle(),
    });
    this.desk = new RoundDesk({
      options: o,
      log,
      state: () => this.state!,
      maxPayloadBytes: () => this.connection.limits.maxPayloadBytes,
      mappedData: () => this.mappedData(),
      ensureConsent: () => consent.ensure(this.connection.stopped),
      saveState: () => this.saveState(),
      send: (m) => this.connection.send(m),
      outcome: (x) => this.connection.listeners.onOutcome?.(x),
      error: (e) => this.connection.listeners.onError?.(e),
    });
  }

  get clientId(): string | null {
    return this.state?.clientId ?? null;
  }

  /** One check-in: connect, join, do the offered task or hear "wait", disconnect. */
  async checkIn(): Promise<CheckInResult> {
    await this.preflight();
    return this.connection.checkIn();
  }

  /**
   * Persistent mode: stay connected, answer offers until stop(); reconnects with backoff. Gives up
   * with FEDREC_UNREACHABLE after maxConnectAttempts tries if the coordinator was never reached;
   * returns when stopped, when consent is revoked (wherever the store is shared), or when the
   * coordinator says it is done.
   */
  run(onOutcome?: (o: TaskOutcome) => void, onJoined?: () => void): Promise<RunEnd> {
    return this.connection.run(onOutcome, onJoined);
  }

  /** Saves the state with the consent as stored now, never an older copy of it. */
  private async saveState(): Promise<void> {
    await this.consent.current();
    await this.o.store.save(this.state!);
  }

  stop(): void {
    this.connection.stop();
  }

  /** Leave the coordinator; with forget it also drops this client's id from its registry. */
  leave(forget: boolean): Promise<void> {
    return this.connection.leave(forget);
  }

  /** Connects only to ask the coordinator to drop this client's id (no consent needed to leave). */
  async forgetRemotely(): Promise<void> {
    await this.loadState();
    await this.connection.forgetRemotely();
  }

  /** Opt in (or change which kinds train, or the ε limit). */
  async grantConsent(consent: Omit<Consent, 'granted' | 'at'>): Promise<void> {
    await this.loadState();
    this.mapped = null;
    await this.consent.persist({ ...consent, granted: true, at: new Date().toISOString() });
  }

  /** Opt out at any time: stops at once, tells the coordinator, and records the decision. */
  async revokeConsent(): Promise<void> {
    await this.loadState();
    this.consent.revoked = true;
    await this.leave(false);
    await this.consent.persist({ ...(this.state!.consent ?? { kinds: [], maxEpsilon: null }), granted: false, at: new Date().toISOString() });
  }

  /** Opt out and delete everything on the device (history is the app's to delete; see client/node/cli.ts). */
  async forget(): Promise<void> {
    await this.leave(true);
    await this.o.store.clear();
    this.state = null;
    this.mapped = null;
  }

  /** No connection before consent; with a user limit, no connection to a coordinator over it. */
  private async preflight(): Promise<void> {
    checkTransport(this.o.url, this.o.allowInsecureTransport === true);
    await this.loadState();
    this.curves = await supportedCurves();
    const consent = checkConsentAndHistory(await this.consent.current(), this.o.data);
    this.consent.revoked = false;
    if (this.idUnsaved) {
      await this.saveState();
      this.idUnsaved = false;
    }
    await checkDeclaredBeforeJoining(consent, this.o);
  }

  private async loadState(): Promise<void> {
    if (this.state) return;
    const stored = await this.o.store.load();
    const state: ClientState = stored ?? { clientId: this.o.clientId ?? newClientId(), userVector: null, catalogue: null, model: null, ledger: [], consent: null };
    if (this.o.clientId) state.clientId = this.o.clientId;
    if (this.o.consent) state.consent = this.o.consent;
    this.state = state;
    this.idUnsaved = stored === null;
  }

  private mappedData(): MappedData {
    const cat = this.state!.catalogue!;
    if (this.mapped?.version !== cat.version) {
      const kinds = this.state!.consent?.kinds;
      const data = mapToRows(this.o.data, rowIndexFor(cat.itemIds, cat.version), kinds ? new Set(kinds) : null);
      if (data.ignored > 0) this.log.info({ event: 'items-ignored', count: data.ignored }, `${data.ignored} history items are not in the catalogue and were ignored`);
      this.mapped = { version: cat.version, data };
    }
    return this.mapped.data;
  }
}
