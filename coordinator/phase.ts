// One open phase of a round (train or evaluate): who was selected, who was offered, who answered.

import { randomBytes } from 'node:crypto';
import { encodeMessage } from '../shared/protocol/codec.js';
import type { OfferMessage, Task } from '../shared/protocol/messages.js';
import type { SecureOffer } from '../shared/protocol/secagg-messages.js';
import { isSelected } from '../shared/sampling.js';
import { sha256Hex } from '../shared/sha256.js';

export interface Phase {
  round: number;
  task: Task;
  /** Hex seed of the Poisson draw, revealed at open (GET /round) so check-in clients can test themselves. */
  seed: string;
  samplingRate: number;
  population: number;
  modelVersion: number;
  selected: Set<string>;
  offered: Set<string>;
  reported: Set<string>;
  dropped: Set<string>;
  openedAt: number;
  deadlineAt: number;
  /** Present when the phase runs secure aggregation: the round's curve and fresh session bytes. */
  secure?: SecureOffer;
  /** The offer, encoded once and sent to every selected client as the same bytes. */
  offerFrame: Uint8Array;
  late: number;
  rejected: number;
  /** Offered devices that said they could not do the task (counted, never explained). */
  declined: number;
  clientClipped: number;
  metrics: { hr10: number; ndcg10: number; n: number };
}

export function isComplete(p: Phase): boolean {
  return p.reported.size + p.dropped.size >= p.selected.size;
}

export interface PhaseSpec {
  round: number;
  task: Task;
  samplingRate: number;
  /** null: a fresh CSPRNG seed; a number: a seed derived from it (reproducible simulations). */
  samplingSeed: number | null;
  registry: Iterable<string> & { size: number };
  deadlineMs: number;
  offer: Omit<OfferMessage, 'type' | 'round' | 'task' | 'deadlineMs' | 'secure'>;
  /** Secure train phases: the secure offer, given the selection (the curve depends on who was picked). */
  secure?: (selected: Set<string>) => SecureOffer;
}

/** Draws the phase's Poisson sample over the registry and encodes its offer once for everyone. */
export function openPhase(s: PhaseSpec): Phase {
  const seed = s.samplingSeed === null ? randomBytes(16).toString('hex') : sha256Hex(`${s.samplingSeed}:${s.round}:${s.task}`).slice(0, 32);
  const selected = new Set<string>();
  for (const id of s.registry) if (isSelected(seed, id, s.samplingRate)) selected.add(id);
  const secure = s.secure?.(selected);
  const offer: OfferMessage = { type: 'offer', round: s.round, task: s.task, ...s.offer, deadlineMs: s.deadlineMs, ...(secure ? { secure } : {}) };
  const now = Date.now();
  return {
    round: s.round,
    task: s.task,
    seed,
    samplingRate: s.samplingRate,
    population: s.registry.size,
    modelVersion: s.offer.modelVersion,
    ...(secure ? { secure } : {}),
    selected,
    offered: new Set(),
    reported: new Set(),
    dropped: new Set(),
    openedAt: now,
    deadlineAt: now + s.deadlineMs,
    offerFrame: encodeMessage(offer),
    late: 0,
    declined: 0,
    rejected: 0,
    clientClipped: 0,
    metrics: { hr10: 0, ndcg10: 0, n: 0 },
  };
}
