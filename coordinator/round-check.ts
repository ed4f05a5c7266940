// Which answer a client's update or metrics for (round, task) gets: the open phase when it is
// welcome, otherwise the coded refusal — not offered, duplicate, wrong phase, late, stale or not
// yet started. Refusals are counted against the open phase for the round summary.

import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { Task } from '../shared/protocol/messages.js';
import type { Phase } from './phase.js';

export interface RoundPosition {
  /** The open phase, if any. */
  phase: Phase | null;
  /** The phase that closed last (answers for it are late, not stale). */
  lastClosed: { round: number; task: Task } | null;
  committedRound: number;
}

export function admitAnswer(at: RoundPosition, clientId: string, round: number, task: Task): Phase {
  const p = at.phase;
  const refuse = (code: (typeof ErrorCodes)[keyof typeof ErrorCodes], message: string, late = false): never => {
    if (p) late ? p.late++ : p.rejected++;
    throw new FedrecError(code, message, { round });
  };
  if (p && p.round === round && p.task === task) {
    if (!p.selected.has(clientId) || !p.offered.has(clientId)) refuse(ErrorCodes.NOT_SELECTED, `client was not offered round ${round} (${task})`);
    if (p.reported.has(clientId)) refuse(ErrorCodes.DUPLICATE_UPDATE, `round ${round} already has this client's ${task === 'train' ? 'update' : 'metrics'}`);
    return p;
  }
  if (p && p.round === round) refuse(ErrorCodes.WRONG_TASK, `round ${round} is in its ${p.task} phase, not ${task}`);
  const closed = at.lastClosed;
  if (closed && closed.round === round && closed.task === task) refuse(ErrorCodes.LATE_UPDATE, `round ${round} (${task}) closed before this arrived`, true);
  const current = p?.round ?? at.committedRound;
  if (round <= current) refuse(ErrorCodes.STALE_ROUND, `round ${round} is over; the current round is ${current}`);
  return refuse(ErrorCodes.UNKNOWN_ROUND, `round ${round} has not started`);
}
