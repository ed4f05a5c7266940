// What the round engine exchanges with the rest of the coordinator: the transport it answers
// through, the dependencies it is built from, and the status and round summaries it publishes.

import type { Logger } from 'pino';
import type { Task } from '../shared/protocol/messages.js';
import type { Curve } from '../shared/protocol/secagg-messages.js';
import type { SecAggCrypto } from '../shared/secagg/crypto-suite.js';
import type { MfModel } from '../shared/model/mf-model.js';
import type { Catalogue } from '../shared/model/catalogue.js';
import type { ClipNormController } from './aggregation/adaptive-clip.js';
import type { SecureSumStage } from './aggregation/secure-sum.js';
import type { AggregationStage } from './aggregation/stage.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { CoordinatorConfig } from './config.js';
import type { PrivacyLedger } from './privacy-ledger.js';
import type { ClientRegistry } from './registry.js';
import type { StageTimes } from './secagg/secure-phase.js';
import type { ServerStrategy } from './strategies/strategy.js';

export interface Transport {
  /** Sends a frame to a connected client; false when it is not connected. */
  send(clientId: string, frame: Uint8Array): boolean;
  /** Ids of connected clients that joined in persistent mode. */
  persistentClients(): Iterable<string>;
  /** Tasks a connected client said it can do (null when it is not connected). */
  tasksOf(clientId: string): readonly Task[] | null;
  /** Key-agreement curves a connected client said it has (empty: it cannot do secure aggregation). */
  curvesOf(clientId: string): readonly Curve[] | null;
}

export interface RoundSummary {
  round: number;
  committed: boolean;
  sampled: number;
  reported: number;
  dropped: number;
  late: number;
  /** Selected devices that said they could not do the task (no reason is sent or kept). */
  declined: number;
  rejected: number;
  /**
   * Plaintext: fraction of reporters clipped (by themselves or the coordinator). Secure: only the
   * noised fraction adaptive clipping releases, or null — the coordinator sees no single update.
   */
  clippedFraction: number | null;
  /** Plaintext only (null in secure mode: no per-client norm exists on the coordinator). */
  meanUpdateNorm: number | null;
  aggregation: 'secure' | 'plaintext';
  /** Secure mode: the round's neighbourhood degree and threshold, and the unmasking time. */
  secure: { degree: number; threshold: number; dropped: number; unmaskMs: number; stageMs: StageTimes } | null;
  /** Why an abandoned round was abandoned (a FEDREC_* code). */
  abandonedBy: string | null;
  /** Clip norm this round used (it moves under adaptive clipping). */
  clipNorm: number;
  noiseStddev: number;
  seconds: number;
  modelVersion: number;
  epsilon: number;
  evaluation: { clients: number; hr10: number; ndcg10: number } | null;
}

export interface RoundStatus {
  round: number;
  phase: Task | 'idle' | 'done' | 'budget-exhausted';
  open: boolean;
  seed: string | null;
  samplingRate: number;
  modelVersion: number;
  registered: number;
  /** Connected persistent clients plus recent check-ins: who could take part now. */
  available: number;
  minClients: number;
}

export interface EngineDeps {
  config: CoordinatorConfig;
  model: MfModel;
  catalogue: Catalogue;
  strategy: ServerStrategy;
  aggregator: AggregationStage;
  /** Secure mode: where the unmasked sum enters the aggregator chain (null in plaintext mode). */
  secureLeaf: SecureSumStage | null;
  /** Secure aggregation's cryptography (the coordinator's is node:crypto's, byte for byte WebCrypto's). */
  secaggCrypto: SecAggCrypto;
  registry: ClientRegistry;
  store: CheckpointStore | null;
  ledger: PrivacyLedger;
  /** The current clip norm (fixed, or moved by adaptive clipping); checkpointed. */
  clipNorm: ClipNormController;
  logger: Logger;
  /** Last committed round and model version (from a checkpoint, or 0). */
  round: number;
  modelVersion: number;
}

