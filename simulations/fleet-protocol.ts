// Messages between the simulation runner (main thread) and its fleet workers.

import type { UserSplit } from '../shared/data/types.js';
import type { UpdateEncoding } from '../shared/protocol/update-encoding.js';

export interface FleetInit {
  type: 'init';
  url: string;
  httpUrl: string;
  users: UserSplit[];
  seed: number;
  /** Check-ins in flight per worker. */
  concurrency: number;
  pollMs: number;
  trainer: 'kernel' | 'tfjs';
  compression: UpdateEncoding;
  /** checkin: connect per selected phase (any population); persistent: one connection per user. */
  mode: 'checkin' | 'persistent';
  /** secure: a train phase's picked users check in together (its stages wait for all of them). */
  aggregation: 'secure' | 'plaintext';
}

export type ToWorker = FleetInit | { type: 'stop' };

export type FromWorker =
  | { type: 'registered'; count: number }
  /** This worker has tried to register all its users (some may have failed, and said so). */
  | { type: 'ready' }
  | { type: 'phase-done'; round: number; task: string; done: number; waited: number; failed: number }
  | { type: 'client-error'; code: string; message: string }
  | { type: 'stopped' }
  | { type: 'backend'; backend: string };
