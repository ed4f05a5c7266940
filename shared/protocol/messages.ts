// The typed message schema both sides import. Binary fields (weights, updates, catalogue) are raw
// little-endian bytes, never arrays of numbers: one memcpy to encode, zero or one to decode.

import type { ErrorCode } from './errors.js';
import type { Curve, SecAggClientMessage, SecAggCoordinatorMessage, SecureOffer } from './secagg-messages.js';
import type { UpdateEncoding } from './update-encoding.js';

export type Task = 'train' | 'evaluate';

/** persistent: stays connected and is offered rounds; checkin: asks once, then leaves (large fleets). */
export type JoinMode = 'persistent' | 'checkin';

/** What a round asks of a client; travels in the offer so client and coordinator stay paired. */
export interface RoundConfig {
  localEpochs: number;
  lr: number;
  l2: number;
  negatives: number;
  batchSize: number;
  /** L2 bound on the update; the client clips to it and the coordinator enforces it. */
  clipNorm: number;
  /** Evaluation: epochs to fit the private user vector to the new model before ranking. */
  evalFitEpochs: number;
}

/** secure: the coordinator learns only the sum of a round's updates (SecAgg+); plaintext: each update. */
export type AggregationMode = 'secure' | 'plaintext';

export interface PrivacySummary {
  mechanism: string;
  aggregation: AggregationMode;
  clipNorm: number;
  noiseMultiplier: number;
  samplingRate: number;
  roundsDone: number;
  epsilon: number;
  delta: number;
  budget: { epsilon: number; delta: number } | null;
}

// ---- client → coordinator
export interface JoinMessage {
  type: 'join';
  protocol: number;
  clientId: string;
  mode: JoinMode;
  /** The catalogue version the client already holds, to skip resending it. */
  catalogueVersion?: string;
  /** curves: key-agreement curves this device's WebCrypto has, for secure aggregation. */
  capabilities: { tasks: Task[]; curves?: Curve[] };
  /** Signed enrollment token from the app's backend; needed to register a new id in token mode. */
  token?: string;
}

export interface UpdateMessage {
  type: 'update';
  round: number;
  modelVersion: number;
  /** One value per global parameter, already clipped to the round's clipNorm, in `encoding`. */
  delta: Uint8Array;
  /** f32 (default): Float32 LE; f16: IEEE half LE; q8: int8 codes × scale (update-encoding.ts). */
  encoding?: UpdateEncoding;
  /** q8 only. */
  scale?: number;
  /** Whether the client had to clip (feeds the clipped-fraction measurement). */
  clipped: boolean;
}

export interface MetricsMessage {
  type: 'metrics';
  round: number;
  modelVersion: number;
  hr10: number;
  ndcg10: number;
}

/**
 * The device could not do the task it was offered (e.g. its history leaves too few untouched items
 * to sample negatives from). Carries no reason: why a device failed can say something about its
 * history. The coordinator stops waiting for it this round.
 */
export interface DeclineMessage {
  type: 'decline';
  round: number;
  task: Task;
}

export interface HeartbeatMessage {
  type: 'heartbeat';
  sentAt: number;
}

export interface LeaveMessage {
  type: 'leave';
  /** true: remove this client id from the coordinator's registry as well. */
  forget: boolean;
}

// ---- coordinator → client
export interface WelcomeMessage {
  type: 'welcome';
  protocol: number;
  clientId: string;
  catalogue: { version: string; itemIds?: Uint8Array };
  limits: { maxPayloadBytes: number; heartbeatIntervalMs: number };
  privacy: PrivacySummary;
}

export interface OfferMessage {
  type: 'offer';
  round: number;
  task: Task;
  modelVersion: number;
  shape: { items: number; dim: number };
  catalogueVersion: string;
  /** Float32 LE global parameters [items×dim embeddings | items biases]. */
  params: Uint8Array;
  config: RoundConfig;
  /** Milliseconds the client has to answer. */
  deadlineMs: number;
  /** Present when this train round runs secure aggregation (shared/protocol/secagg-messages.ts). */
  secure?: SecureOffer;
}

export const WAIT_REASONS = ['not-selected', 'no-open-round', 'already-reported', 'unsupported-task', 'round-in-progress', 'done', 'budget-exhausted'] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

export interface WaitMessage {
  type: 'wait';
  reason: WaitReason;
  retryAfterMs: number;
}

export interface AckMessage {
  type: 'ack';
  round: number;
}

export interface RoundResultMessage {
  type: 'roundResult';
  round: number;
  committed: boolean;
  modelVersion: number;
  // No participant count: an exact count is a per-round release outside ε (it tells a reporter how
  // many others took part); whether the round committed is all a device needs.
}

export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  round?: number;
}

export type ClientMessage = JoinMessage | UpdateMessage | MetricsMessage | DeclineMessage | HeartbeatMessage | LeaveMessage | SecAggClientMessage;
export type CoordinatorMessage =
  | WelcomeMessage
  | OfferMessage
  | WaitMessage
  | AckMessage
  | RoundResultMessage
  | ErrorMessage
  | HeartbeatMessage
  | SecAggCoordinatorMessage;
