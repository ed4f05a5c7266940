// What an app developer passes to FedrecClient, and what its runs and check-ins report back.

import type { SubTableTrainer } from '../shared/model/local-trainer.js';
import type { JoinMode, PrivacySummary } from '../shared/protocol/messages.js';
import type { UpdateEncoding } from '../shared/protocol/update-encoding.js';
import type { SecAggCrypto } from '../shared/secagg/crypto-suite.js';
import type { LocalDataset } from './local-data.js';
import type { ClientLogger } from './logger.js';
import type { UpdateMiddleware } from './middleware/types.js';
import type { PrivacyFetch } from './privacy-check.js';
import type { SocketFactory } from './socket.js';
import type { ClientStore, Consent } from './store.js';

export interface ClientOptions {
  url: string;
  socketFactory: SocketFactory;
  store: ClientStore;
  data: LocalDataset;
  mode?: JoinMode;
  logger?: ClientLogger;
  /** Steps between training and the wire; default: clip, local noise (if asked), size guard. */
  middleware?: UpdateMiddleware[];
  /** Local training of the touched rows; default the Float32Array SGD kernel (the tfjs one: browserTfjsTrainer in 'fedrec/client/browser/tfjs'). */
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
  /** Secure aggregation's cryptography (default WebCrypto; Node passes shared/node/node-secagg-crypto.ts). */
  secaggCrypto?: SecAggCrypto;
  /**
   * Connect over ws:// (unencrypted) to a host that is not loopback. Off by default: the client id is
   * a secret and updates would travel in clear.
   */
  allowInsecureTransport?: boolean;
  /** How GET /privacy is read (default global fetch; Node with a private CA passes one using it). */
  fetch?: PrivacyFetch;
  /** Signed enrollment token from the app's backend, sent in join (a token-mode coordinator needs it to register a new id). */
  enrollmentToken?: string;
  /** run(): connection attempts before giving up on a coordinator never reached (FEDREC_UNREACHABLE); default 5. */
  maxConnectAttempts?: number;
  /** run(): how often the stored consent is re-read, so a revoke from elsewhere stops this client (ms, default 400). */
  consentPollMs?: number;
}

/** Why run() returned: stopped by the app, consent revoked, or the coordinator finished. */
export type RunEnd = 'stopped' | 'consent-revoked' | 'done' | 'budget-exhausted' | 'shut-down';

export type TaskOutcome =
  | { task: 'train'; round: number; bytes: number; norm: number; clipped: boolean }
  | { task: 'evaluate'; round: number; hit: number; ndcg: number }
  /** The device could not do an offered task; the coordinator was told (decline) not to wait. */
  | { task: 'failed'; round: number; code: string; message: string };

export type CheckInResult = { kind: 'done'; outcome: TaskOutcome } | { kind: 'wait'; reason: string; retryAfterMs: number };
