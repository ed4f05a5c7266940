// Drives one secure train round on the device: answers the coordinator's secure-aggregation
// messages as they arrive (they must not wait behind local training) and lets the train task wait
// for the relay before masking, and for the unmasking request before it reports the round done.

import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { SecAggCoordinatorMessage } from '../../shared/protocol/secagg-messages.js';
import type { SecureClientRound } from './secure-client-round.js';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((a, b) => {
    resolve = a;
    reject = b;
  });
  promise.catch(() => {}); // awaited later (or never, if the round ends first)
  return { promise, resolve, reject };
}

export class SecureTask {
  private readonly relayed = deferred();
  private readonly finished = deferred();

  constructor(
    readonly round: SecureClientRound,
    private readonly send: (message: object) => void,
  ) {}

  /** Answers a stage message; a refusal ends this device's part in the round (and is thrown for the log). */
  async onMessage(m: SecAggCoordinatorMessage): Promise<void> {
    try {
      if (m.round !== this.round.round) throw new FedrecError(ErrorCodes.STALE_ROUND, `${m.type} for round ${m.round}; this device is in round ${this.round.round}`, { round: m.round });
      switch (m.type) {
        case 'sa-neighbours':
          this.send(await this.round.shares(m));
          return;
        case 'sa-relay':
          await this.round.receive(m);
          this.relayed.resolve();
          return;
        case 'sa-unmask-request':
          this.send(this.round.unmask(m));
          this.finished.resolve();
          return;
      }
    } catch (err) {
      this.abort(err as Error);
      throw err;
    }
  }

  /** The round ended (committed or not): nothing more will be asked of this device. */
  onRoundEnd(committed: boolean): void {
    const e = new FedrecError(ErrorCodes.SECAGG_BELOW_THRESHOLD, `round ${this.round.round} was abandoned before this device's input was needed`, { round: this.round.round });
    this.relayed.reject(e);
    if (committed) this.finished.resolve();
    else this.finished.reject(e);
  }

  abort(e: Error): void {
    this.relayed.reject(e);
    this.finished.reject(e);
  }

  waitForRelay(): Promise<void> {
    return this.relayed.promise;
  }

  waitForEnd(): Promise<void> {
    return this.finished.promise;
  }
}
