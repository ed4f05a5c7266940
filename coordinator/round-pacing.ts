// When the next round may start: once minClients devices are here (a round offered to absent ids
// only times out), and after the pause between rounds. stop() cuts either wait short.

import type { Logger } from 'pino';
import type { CoordinatorConfig } from './config.js';

export interface PacingDeps {
  config: Pick<CoordinatorConfig, 'minClients'>;
  logger: Logger;
  /** Devices that could take part now. */
  available: () => number;
  registered: () => number;
  stopped: () => boolean;
}

export class RoundPacing {
  private wake: (() => void) | null = null;
  private wakePause: (() => void) | null = null;

  constructor(private readonly d: PacingDeps) {}

  /** A device joined: count again now rather than at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  /** Ends whichever wait is running (stop(): Ctrl-C must not wait it out). */
  interrupt(): void {
    this.wake?.();
    this.wakePause?.();
  }

  /** Rounds start only when minClients devices are here: a round offered to absent ids only times out. */
  async waitForClients(): Promise<void> {
    const { minClients } = this.d.config;
    let said = -1;
    while (!this.d.stopped()) {
      const here = this.d.available();
      if (here >= minClients && this.d.registered() >= minClients) return;
      if (here !== said) {
        said = here;
        this.d.logger.info({ event: 'waiting-for-clients', connected: here, minClients }, `waiting for clients: ${here} of ${minClients} connected`);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 1_000).unref();
      });
      this.wake = null;
    }
  }

  /** The pause between rounds, cut short by stop(). */
  async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakePause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakePause = null;
  }
}
