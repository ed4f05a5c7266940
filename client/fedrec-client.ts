// The client core (browser and Node): join a coordinator, answer its offers by training on local
// data or evaluating, and send back only a clipped model update. The history and the user vector
// stay on the device; the ledger records every byte that left.

import { RowIndex, makeCatalogue } from '../shared/model/catalogue.js';
import type { SubTableTrainer } from '../shared/model/local-trainer.js';
import { initUserVector } from '../shared/model/mf-model.js';
import { bytesToInt32 } from '../shared/protocol/binary.js';
import { decodeFrame, encodeMessage } from '../shared/protocol/codec.js';
import { CloseCodes, ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { CoordinatorMessage, JoinMode, OfferMessage, PrivacySummary, WelcomeMessage } from '../shared/protocol/messages.js';
import { validateCoordinatorMessage } from '../shared/protocol/validate.js';
import type { UpdateEncoding } from '../shared/protocol/update-encoding.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { SeededRandom } from '../shared/random.js';
import { modelFromOffer, prepareMetrics, prepareUpdate, trainUpdate } from './tasks.js';
import { supportedCurves } from '../shared/secagg/key-agreement.js';
import { type MaskExpander, webCryptoExpander } from '../shared/secagg/prg.js';
import type { Curve } from '../shared/protocol/secagg-messages.js';
import { SecureClientRound } from './secagg/secure-client-round.js';
import { SecureTask } from './secagg/secure-task.js';
import { type LocalDataset, type MappedData, mapToRows } from './local-data.js';
import { type ClientLogger, silentLogger } from './logger.js';
import { clipUpdate } from './middleware/clip.js';
import { localGaussianNoise } from './middleware/local-noise.js';
import { checkPrivacy, fetchDeclaredPrivacy } from './privacy-check.js';
import { sizeGuard } from './middleware/size-guard.js';
import { forEachRange, type UpdateMiddleware } from './middleware/types.js';
import { frameBytes, type SocketFactory, type SocketLike } from './socket.js';
import { type ClientState, type ClientStore, type Consent, newClientId } from './store.js';

export interface ClientOptions {
  url: string;
  socketFactory: SocketFactory;
  store: ClientStore;
  data: LocalDataset;
  mode?: JoinMode;
  logger?: ClientLogger;
  /** Steps between training and the wire; default: clip, local noise (if asked), size guard. */
  middleware?: UpdateMiddleware[];
  /** Local training of the touched rows; default the Float32Array SGD kernel (tfjsSubTableTrainer is the tfjs one). */
  trainer?: SubTableTrainer;
  /** Wire encoding of updates: f32 (default), f16 or q8 (shared/protocol/update-encoding.ts). */
  compression?: UpdateEncoding;
  /** Local DP: noise multiplier of Gaussian noise added on the device (0: none). */
  localNoiseMultiplier?: number;
  /** The user's consent; saved to the store. Without a granted consent nothing connects or trains. */
  consent?: Consent;
  /** Extra check of the coordinator's declared privacy on welcome; throw to refuse. */
  admit?: (privacy: PrivacySummary) => void;
  /** Seed for negative sampling (reproducible simulations); default: fresh randomness. */
  seed?: number | string;
  /** Keep the latest global model in the store for offline recommendations (default true). */
  keepModel?: boolean;
  /** Fixed id (simulations); default: the stored one, or a new random one. */
  clientId?: string;
  /** Shared decoded catalogues, so thousands of simulated clients hold one copy. */
  catalogueCache?: Map<string, Int32Array>;
  /**
   * Join a coordinator that does not run secure aggregation (it would see each update). Off by
   * default: the user must allow it explicitly.
   */
  allowPlaintext?: boolean;
  /** Mask expansion for secure aggregation (default WebCrypto AES-CTR; Node may pass node:crypto's). */
  expander?: MaskExpander;
}

export type TaskOutcome = { task: 'train'; round: number; bytes: number; norm: number; clipped: boolean } | { task: 'evaluate'; round: number; hit: number; ndcg: number };

export type CheckInResult = { kind: 'done'; outcome: TaskOutcome } | { kind: 'wait'; reason: string; retryAfterMs: number };

export class FedrecClient {
  private readonly o: Required<Pick<ClientOptions, 'mode' | 'logger' | 'middleware' | 'keepModel'>> & ClientOptions;
  private readonly log: ClientLogger;
  private state: ClientState | null = null;
  private socket: SocketLike | null = null;
  private limits = { maxPayloadBytes: Infinity, heartbeatIntervalMs: 15_000 };
  private mapped: { version: string; data: MappedData } | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private work: Promise<void> = Promise.resolve();
  private stopped = false;
  private refusal: FedrecError | null = null;
  /** Connected only to be forgotten: nothing will be sent but the id, so no privacy check applies. */
  private forgetting = false;
  private listeners: { onWelcome?: (w: WelcomeMessage) => void; onWait?: (reason: string, ms: number) => void; onOutcome?: (o: TaskOutcome) => void; onError?: (e: FedrecError) => void; onClose?: (code: number, reason: string) => void } = {};
  private pendingAck: { round: number; resolve: () => void; reject: (e: Error) => void } | null = null;
  /** Curves this device's WebCrypto has (probed once before connecting). */
  private curves: Curve[] = [];
  private secureTask: SecureTask | null = null;

  constructor(options: ClientOptions) {
    const z = options.localNoiseMultiplier ?? 0;
    const middleware = [clipUpdate, ...(z > 0 ? [localGaussianNoise(z)] : []), sizeGuard];
    this.o = { mode: 'persistent', logger: silentLogger, middleware, keepModel: true, ...options };
    this.log = this.o.logger;
  }

  get clientId(): string | null {
    return this.state?.clientId ?? null;
  }

  /** One check-in: connect, join, do the offered task or hear "wait", disconnect. */
  async checkIn(): Promise<CheckInResult> {
    await this.preflight();
    return new Promise<CheckInResult>((resolve, reject) => {
      let settled = false;
      const finish = (r: CheckInResult | Error) => {
        if (settled) return;
        settled = true;
        this.socket?.close(CloseCodes.NORMAL, 'done');
        r instanceof Error ? reject(r) : resolve(r);
      };
      this.listeners = {
        onWait: (reason, ms) => finish({ kind: 'wait', reason, retryAfterMs: ms }),
        onOutcome: (outcome) => finish({ kind: 'done', outcome }),
        onError: (e) => finish(e),
        onClose: (code, reason) => finish(closeError(code, reason)),
      };
      this.open('checkin');
    });
  }

  /** Persistent mode: stay connected, answer offers until stop(); reconnects with backoff. */
  async run(onOutcome?: (o: TaskOutcome) => void, onJoined?: () => void): Promise<void> {
    // A new run starts fresh: an earlier stop() (e.g. by revokeConsent) or refusal must not end it.
    this.stopped = false;
    this.refusal = null;
    await this.preflight();
    let backoff = 500;
    while (!this.stopped) {
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        this.listeners = {
          onWelcome: () => {
            backoff = 500;
            onJoined?.();
          },
          onOutcome: (o) => onOutcome?.(o),
          onError: (e) => this.log.warn({ event: 'coordinator-error', code: e.code, round: e.round }, e.message),
          onClose: (code, reason) => resolve({ code, reason }),
        };
      });
      this.open('persistent');
      const { code, reason } = await closed;
      this.stopHeartbeat();
      if (this.refusal) throw this.refusal;
      if (this.stopped) break;
      if (code === CloseCodes.PROTOCOL_ERROR) throw closeError(code, reason);
      this.log.warn({ event: 'disconnected', code, reason, retryInMs: backoff }, 'connection lost; reconnecting');
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 30_000);
    }
  }

  stop(): void {
    this.stopped = true;
    this.stopHeartbeat();
    this.socket?.close(CloseCodes.NORMAL, 'client stopping');
  }

  /** Leave the coordinator; with forget it also drops this client's id from its registry. */
  async leave(forget: boolean): Promise<void> {
    this.socket?.send(encodeMessage({ type: 'leave', forget }));
    this.stop();
  }

  /** Connects only to ask the coordinator to drop this client's id (no consent needed to leave). */
  async forgetRemotely(): Promise<void> {
    await this.loadState();
    this.forgetting = true;
    await new Promise<void>((resolve, reject) => {
      this.listeners = { onWelcome: () => this.leave(true).then(resolve, reject), onClose: (code, reason) => reject(closeError(code, reason)) };
      this.open('checkin');
    }).finally(() => {
      this.forgetting = false;
    });
  }

  /** Opt in (or change which kinds train, or the ε limit). */
  async grantConsent(consent: Omit<Consent, 'granted' | 'at'>): Promise<void> {
    await this.loadState();
    this.state!.consent = { ...consent, granted: true, at: new Date().toISOString() };
    this.mapped = null;
    await this.o.store.save(this.state!);
  }

  /** Opt out at any time: stops at once, tells the coordinator, and records the decision. */
  async revokeConsent(): Promise<void> {
    await this.loadState();
    await this.leave(false);
    this.state!.consent = { ...(this.state!.consent ?? { kinds: [], maxEpsilon: null }), granted: false, at: new Date().toISOString() };
    await this.o.store.save(this.state!);
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
    await this.loadState();
    this.curves = await supportedCurves();
    const consent = this.state!.consent;
    if (!consent?.granted) throw new FedrecError(ErrorCodes.NO_CONSENT, 'the user has not opted in to federated training on this device');
    if (consent.maxEpsilon !== null) checkPrivacy(await fetchDeclaredPrivacy(this.o.url), consent.maxEpsilon);
  }

  // ---- connection --------------------------------------------------------------------------

  private async loadState(): Promise<void> {
    if (this.state) return;
    const stored = await this.o.store.load();
    const state: ClientState = stored ?? { clientId: this.o.clientId ?? newClientId(), userVector: null, catalogue: null, model: null, ledger: [], consent: null };
    if (this.o.clientId) state.clientId = this.o.clientId;
    if (this.o.consent) state.consent = this.o.consent;
    this.state = state;
  }

  private open(mode: JoinMode): void {
    const ws = this.o.socketFactory(this.o.url);
    this.socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      const join: Record<string, unknown> = { type: 'join', protocol: PROTOCOL_VERSION, clientId: this.state!.clientId, mode, capabilities: { tasks: this.o.data.heldOut ? ['train', 'evaluate'] : ['train'], curves: this.curves } };
      if (this.state!.catalogue) join.catalogueVersion = this.state!.catalogue.version;
      ws.send(encodeMessage(join));
    };
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onerror = () => {}; // a close event follows with the reason
    ws.onclose = (ev) => {
      if (this.socket === ws) this.socket = null;
      this.pendingAck?.reject(closeError(ev.code, ev.reason));
      this.pendingAck = null;
      this.secureTask?.abort(closeError(ev.code, ev.reason));
      this.secureTask = null;
      this.listeners.onClose?.(ev.code, ev.reason);
    };
  }

  private send(message: object): void {
    if (!this.socket) throw new FedrecError(ErrorCodes.CONNECTION_CLOSED, 'not connected');
    this.socket.send(encodeMessage(message));
  }

  private onFrame(data: unknown): void {
    let msg: CoordinatorMessage;
    try {
      const bytes = frameBytes(data);
      if (!bytes) throw new FedrecError(ErrorCodes.BINARY_REQUIRED, 'the coordinator sent a text frame');
      msg = validateCoordinatorMessage(decodeFrame(bytes));
    } catch (err) {
      const e = err instanceof FedrecError ? err : new FedrecError(ErrorCodes.MALFORMED_FRAME, String(err));
      this.log.warn({ event: 'bad-frame', code: e.code }, e.message);
      return;
    }
    switch (msg.type) {
      case 'welcome':
        return this.onWelcome(msg);
      case 'offer':
        this.work = this.work.then(() => this.onOffer(msg)).catch((err) => this.fail(err, msg.round));
        return;
      case 'wait':
        return this.listeners.onWait?.(msg.reason, msg.retryAfterMs);
      case 'ack':
        if (this.pendingAck?.round === msg.round) this.pendingAck.resolve();
        return;
      case 'roundResult':
        this.log.debug({ event: 'round-result', round: msg.round, committed: msg.committed, modelVersion: msg.modelVersion }, 'round result');
        if (this.secureTask?.round.round === msg.round) this.secureTask.onRoundEnd(msg.committed);
        // The round is over: an acknowledgement still awaited for it will not come.
        if (this.pendingAck?.round === msg.round) this.pendingAck.reject(new FedrecError(ErrorCodes.LATE_UPDATE, `round ${msg.round} closed before this device's answer was acknowledged`, { round: msg.round }));
        return;
      case 'sa-neighbours':
      case 'sa-relay':
      case 'sa-unmask-request': {
        // Answered at once, not queued behind training: the other clients' stages wait on it.
        const task = this.secureTask;
        if (!task) return this.log.warn({ event: 'bad-frame', code: ErrorCodes.SECAGG_WRONG_STAGE, round: msg.round }, `${msg.type} outside a secure round`);
        task.onMessage(msg).catch((err: FedrecError) => {
          this.log.warn({ event: 'secagg-refused', code: err.code, round: msg.round }, err.message);
          this.listeners.onError?.(err);
        });
        return;
      }
      case 'error': {
        const e = new FedrecError(msg.code, msg.message, msg.round === undefined ? undefined : { round: msg.round });
        if (this.pendingAck && (msg.round === undefined || msg.round === this.pendingAck.round)) {
          this.pendingAck.reject(e);
          this.pendingAck = null;
        } else this.listeners.onError?.(e);
        return;
      }
      case 'heartbeat':
        return;
    }
  }

  private onWelcome(w: WelcomeMessage): void {
    const st = this.state!;
    try {
      const limit = st.consent?.maxEpsilon;
      if (!this.forgetting && limit !== null && limit !== undefined) checkPrivacy(w.privacy, limit);
      if (!this.forgetting && w.privacy.aggregation !== 'secure' && !this.o.allowPlaintext) {
        throw new FedrecError(ErrorCodes.INSECURE_AGGREGATION, 'the coordinator does not run secure aggregation, so it would see this device\'s update; refusing (allow plaintext aggregation explicitly to join anyway)');
      }
      if (!this.forgetting) this.o.admit?.(w.privacy);
    } catch (err) {
      this.log.warn({ event: 'refused-coordinator', reason: (err as Error).message }, 'refusing this coordinator');
      this.socket?.close(CloseCodes.NORMAL, 'refused by client');
      const e = err instanceof FedrecError ? err : new FedrecError(ErrorCodes.PRIVACY_LIMIT, (err as Error).message);
      this.refusal = e;
      this.stopped = this.stopped || this.o.mode === 'persistent';
      this.listeners.onError?.(e);
      return;
    }
    if (w.catalogue.itemIds) {
      const cache = this.o.catalogueCache;
      let ids = cache?.get(w.catalogue.version);
      if (!ids) {
        ids = bytesToInt32(w.catalogue.itemIds);
        const cat = makeCatalogue(ids);
        if (cat.version !== w.catalogue.version) {
          this.listeners.onError?.(new FedrecError(ErrorCodes.CATALOGUE_MISMATCH, `catalogue content hashes to ${cat.version}, the coordinator says ${w.catalogue.version}`));
          return;
        }
        cache?.set(w.catalogue.version, ids);
      }
      st.catalogue = { version: w.catalogue.version, itemIds: ids };
    } else if (!st.catalogue || st.catalogue.version !== w.catalogue.version) {
      const cached = this.o.catalogueCache?.get(w.catalogue.version);
      if (!cached) {
        this.listeners.onError?.(new FedrecError(ErrorCodes.CATALOGUE_MISMATCH, `no copy of catalogue ${w.catalogue.version} on this device`));
        return;
      }
      st.catalogue = { version: w.catalogue.version, itemIds: cached };
    }
    this.limits = { ...w.limits };
    if (this.o.mode === 'persistent' && this.socket) this.startHeartbeat();
    this.listeners.onWelcome?.(w);
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

  // ---- tasks -------------------------------------------------------------------------------

  private async onOffer(offer: OfferMessage): Promise<void> {
    const st = this.state!;
    const model = modelFromOffer(offer, st.catalogue);
    if (!st.userVector || st.userVector.length !== model.dim) st.userVector = initUserVector(model.dim, this.o.seed !== undefined ? `${this.o.seed}:${st.clientId}:user` : randomSeed());
    const data = this.mappedData();
    const rng = new SeededRandom(this.o.seed !== undefined ? `${this.o.seed}:${st.clientId}:${offer.round}:${offer.task}` : randomSeed());
    // Keep the newest model this device was sent, for recommending offline.
    const keep = () => this.o.keepModel && (st.model = { version: offer.modelVersion, items: model.items, dim: model.dim, params: Float32Array.from(model.params) });
    if (offer.task === 'evaluate') {
      const m = prepareMetrics(offer, model, st.userVector, data, rng);
      await this.sendAndAwaitAck(offer.round, m.frame);
      if (keep()) await this.o.store.save(st);
      this.listeners.onOutcome?.({ task: 'evaluate', round: offer.round, hit: m.hit, ndcg: m.ndcg });
      return;
    }
    if (offer.secure) return this.onSecureOffer(offer, model, data, rng, keep);
    if (!this.o.allowPlaintext) throw new FedrecError(ErrorCodes.INSECURE_AGGREGATION, `round ${offer.round} asks for a plaintext update; this device sends masked updates only`, { round: offer.round });
    const p = await prepareUpdate(offer, model, st.userVector, data, rng, { trainer: this.o.trainer, middleware: this.o.middleware, maxPayloadBytes: this.limits.maxPayloadBytes, compression: this.o.compression ?? 'f32' });
    await this.sendAndAwaitAck(offer.round, p.frame);
    const u = p.update;
    st.ledger.push({ at: new Date().toISOString(), round: offer.round, modelVersion: offer.modelVersion, bytes: p.bytes, norm: u.norm, clipped: u.clipped, localNoiseStddev: u.localNoiseStddev, clipNorm: offer.config.clipNorm, aggregation: 'plaintext' });
    keep();
    await this.o.store.save(st);
    this.log.info({ event: 'update-sent', round: offer.round, bytes: p.bytes, norm: u.norm, clipped: u.clipped, examples: p.examples }, `round ${offer.round}: update sent`);
    this.listeners.onOutcome?.({ task: 'train', round: offer.round, bytes: p.bytes, norm: u.norm, clipped: u.clipped });
  }

  /**
   * A secure round: advertise fresh keys at once, train meanwhile, mask once the neighbours' shares
   * are relayed, and stay until the coordinator has asked for the unmasking shares.
   */
  private async onSecureOffer(offer: OfferMessage, model: ReturnType<typeof modelFromOffer>, data: MappedData, rng: SeededRandom, keep: () => unknown): Promise<void> {
    const st = this.state!;
    const task = new SecureTask(new SecureClientRound(offer.round, offer.secure!, this.o.expander ?? webCryptoExpander), (m) => this.send(m));
    this.secureTask = task;
    this.send(await task.round.keys());
    const { update: u, examples } = await trainUpdate(offer, model, st.userVector!, data, rng, { trainer: this.o.trainer, middleware: this.o.middleware, maxPayloadBytes: this.limits.maxPayloadBytes });
    await task.waitForRelay();
    const ranges = u.support ? (fn: (a: number, b: number) => void) => forEachRange(u, fn) : undefined;
    const masked = await task.round.maskedInput({ delta: u.delta, clipped: u.clipped, ranges }, offer.modelVersion, () => rng.next());
    const bytes = masked.masked.byteLength;
    // Recorded as it leaves, acknowledged or not: the ledger counts what left the device.
    st.ledger.push({ at: new Date().toISOString(), round: offer.round, modelVersion: offer.modelVersion, bytes, norm: u.norm, clipped: u.clipped, localNoiseStddev: u.localNoiseStddev, clipNorm: offer.config.clipNorm, aggregation: 'secure' });
    await this.sendAndAwaitAck(offer.round, masked);
    keep();
    await this.o.store.save(st);
    this.log.info({ event: 'update-sent', round: offer.round, bytes, clipped: u.clipped, examples, aggregation: 'secure' }, `round ${offer.round}: masked update sent`);
    await task.waitForEnd();
    if (this.secureTask === task) this.secureTask = null;
    this.listeners.onOutcome?.({ task: 'train', round: offer.round, bytes, norm: u.norm, clipped: u.clipped });
  }

  private sendAndAwaitAck(round: number, message: object): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pendingAck = { round, resolve, reject };
      try {
        this.send(message);
      } catch (err) {
        this.pendingAck = null;
        reject(err);
      }
    }).finally(() => {
      this.pendingAck = null;
    });
  }

  private fail(err: unknown, round: number): void {
    const e = err instanceof FedrecError ? err : new FedrecError(ErrorCodes.CONNECTION_CLOSED, (err as Error)?.message ?? String(err), { round });
    this.log.warn({ event: 'task-failed', code: e.code, round }, e.message);
    this.listeners.onError?.(e);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      try {
        this.send({ type: 'heartbeat', sentAt: Date.now() });
      } catch {
        this.stopHeartbeat();
      }
    }, this.limits.heartbeatIntervalMs);
    (this.heartbeat as { unref?: () => void }).unref?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}

function closeError(code: number, reason: string): FedrecError {
  if (code === CloseCodes.MESSAGE_TOO_BIG) return new FedrecError(ErrorCodes.FRAME_TOO_LARGE, 'the coordinator closed the connection: a frame was over its size limit');
  if (code === CloseCodes.PROTOCOL_ERROR) return new FedrecError(ErrorCodes.UNSUPPORTED_VERSION, `the coordinator closed the connection: ${reason || 'protocol error'}`);
  if (code === CloseCodes.TRY_AGAIN_LATER) return new FedrecError(ErrorCodes.TOO_MANY_CLIENTS, 'the coordinator is full; retry later');
  return new FedrecError(ErrorCodes.CONNECTION_CLOSED, `connection closed (${code}${reason ? `: ${reason}` : ''})`);
}

function randomSeed(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0];
}

/**
 * Row lookups per catalogue array, shared by every client holding the same (cached) catalogue:
 * a simulated fleet would otherwise rebuild a 9k-entry map on every check-in. The catalogue was
 * hash-checked when it arrived, so it is not hashed again here.
 */
const rowIndexes = new WeakMap<Int32Array, RowIndex>();
function rowIndexFor(itemIds: Int32Array, version: string): RowIndex {
  let index = rowIndexes.get(itemIds);
  if (!index) rowIndexes.set(itemIds, (index = new RowIndex({ itemIds, version })));
  return index;
}

