// The end of training: connected devices hear they can stop (they would otherwise wait for offers
// that never come), and the operator reads one line of what this run did and the ε spent.

import { encodeMessage } from '../shared/protocol/codec.js';
import type { WaitMessage } from '../shared/protocol/messages.js';
import type { EngineDeps, Transport } from './engine-types.js';

export interface FinishedRun {
  state: 'done' | 'budget-exhausted';
  round: number;
  modelVersion: number;
  /** Rounds this process ran. */
  tally: { committed: number; abandoned: number };
}

export function announceFinished(d: Pick<EngineDeps, 'config' | 'logger' | 'ledger'>, transport: Transport | null, f: FinishedRun): void {
  const { config } = d;
  const frame = encodeMessage({ type: 'wait', reason: f.state, retryAfterMs: 0 } satisfies WaitMessage);
  for (const id of transport?.persistentClients() ?? []) transport?.send(id, frame);
  const eps = d.ledger.epsilon();
  const spent = Number.isFinite(eps) ? `ε ${eps.toPrecision(3)} at δ ${config.privacy.budget?.delta ?? config.privacy.delta}` : 'ε ∞ (no noise)';
  const why = f.state === 'done' ? 'all rounds done' : 'privacy budget exhausted';
  d.logger.info({ event: 'finished', state: f.state, round: f.round, modelVersion: f.modelVersion, epsilon: eps, ...f.tally }, `${why}: model v${f.modelVersion} after round ${f.round} (this run: ${f.tally.committed} committed, ${f.tally.abandoned} abandoned), ${spent}; no more training, still serving the model and GET /privacy, /round`);
}
