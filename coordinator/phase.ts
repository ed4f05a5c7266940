// One open phase of a round (train or evaluate): who was selected, who was offered, who answered.

import type { Task } from '../shared/protocol/messages.js';

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
  /** The offer, encoded once and sent to every selected client as the same bytes. */
  offerFrame: Uint8Array;
  late: number;
  rejected: number;
  clientClipped: number;
  metrics: { hr10: number; ndcg10: number; n: number };
}

export function isComplete(p: Phase): boolean {
  return p.reported.size + p.dropped.size >= p.selected.size;
}
