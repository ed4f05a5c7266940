// Persistent mode (FedrecClient.run): connect, and after each close decide whether the run ends
// (stopped, refused, enrollment refused, told there will be no more rounds, never reached) or
// reconnects after a backoff pause.

import { CloseCodes, ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import { Backoff } from './backoff.js';
import type { RunEnd, TaskOutcome } from './client-options.js';
import { closeError } from './connection-helpers.js';
import type { Connection, ConnectionHost } from './connection.js';

/** Enrollment refusals: retrying with the same token cannot succeed. */
const ENROLLMENT_REFUSALS: readonly string[] = [ErrorCodes.UNAUTHORIZED, ErrorCodes.TOKEN_EXPIRED, ErrorCodes.TOKEN_REUSED, ErrorCodes.UNKNOWN_CLIENT];

/** What the run needs of its connection: its public surface, and three things it keeps private. */
export interface RunLink {
  readonly connection: Pick<Connection, 'listeners' | 'stopped' | 'stop'>;
  readonly host: ConnectionHost;
  /** Opens a socket and joins in persistent mode. */
  open(): void;
  /** The socket closed: no heartbeat on it any more. */
  stopHeartbeat(): void;
  /** Why this device refused the coordinator (its welcome): run() ends with it. */
  refusal(): FedrecError | null;
}

export class PersistentRun {
  /** Set when the coordinator said it will run no more rounds. */
  private finished: RunEnd | null = null;
  private readonly backoff = new Backoff();

  constructor(private readonly link: RunLink) {}

  /** Connects, and reconnects with backoff until it must stop (Connection.run cleared an earlier stop and refusal). */
  async run(onOutcome?: (o: TaskOutcome) => void, onJoined?: () => void): Promise<RunEnd> {
    this.finished = null;
    const { connection: c, host } = this.link;
    await host.preflight();
    const o = host.options;
    const maxAttempts = o.maxConnectAttempts ?? 5;
    const backoff = this.backoff;
    backoff.reset();
    const watch = host.consent.watch(o.consentPollMs ?? 400, () => c.stopped);
    try {
      while (!c.stopped) {
        let welcomed = false;
        let lastError: FedrecError | null = null;
        const closed = new Promise<{ code: number; reason: string }>((resolve) => {
          c.listeners = {
            onWelcome: () => {
              welcomed = true;
              backoff.welcomed();
              onJoined?.();
            },
            onWait: (reason) => {
              if (reason === 'done' || reason === 'budget-exhausted') {
                this.finished = reason;
                // Let the task in hand finish (its ledger entry and state are being saved), briefly.
                void Promise.race([host.idle(), new Promise((r) => setTimeout(r, 5_000))]).then(() => c.stop());
              }
            },
            onOutcome: (x) => onOutcome?.(x),
            onError: (e) => {
              lastError = e;
              host.log.warn({ event: 'coordinator-error', code: e.code, round: e.round }, e.message);
            },
            onClose: (code, reason) => resolve({ code, reason }),
          };
        });
        this.link.open();
        const { code, reason } = await closed;
        this.link.stopHeartbeat();
        const refusal = this.link.refusal();
        if (refusal) throw refusal;
        if (c.stopped) break;
        if (code === CloseCodes.PROTOCOL_ERROR) throw closeError(code, reason);
        if (ENROLLMENT_REFUSALS.includes(reason)) throw lastError ?? closeError(code, reason);
        if (reason === ErrorCodes.SHUTTING_DOWN) {
          this.finished = 'shut-down';
          break;
        }
        if (!welcomed && backoff.failed() >= maxAttempts && !backoff.reached) {
          throw new FedrecError(ErrorCodes.UNREACHABLE, `could not reach the coordinator at ${o.url} in ${backoff.failures} tries (last: ${closeError(code, reason).message}); is it running, and is the address right?`);
        }
        host.log.warn({ event: 'disconnected', code, reason, retryInMs: backoff.delayMs }, 'connection lost; reconnecting');
        await backoff.pause();
      }
    } finally {
      watch.stop();
    }
    return host.consent.revoked ? 'consent-revoked' : (this.finished ?? 'stopped');
  }

  /** stop() cuts a backoff pause short: Ctrl-C must not wait out a 30 s backoff. */
  wake(): void {
    this.backoff.wake();
  }
}
