// How long run() waits before reconnecting: doubling from 250 ms, capped low while the coordinator
// was never reached (a wrong address should fail within seconds) and higher once it was (it may be
// restarting). stop() cuts a wait short: Ctrl-C must not wait out a 30 s backoff.

/** First reconnect delay; doubled per failure (250, 500, 1000, 2000 ms: five tries take ~4 s). */
const FIRST_BACKOFF_MS = 250;
/** Backoff cap while a coordinator was never reached, and once it was (it may be restarting). */
const UNREACHED_BACKOFF_CAP_MS = 4_000;
const REACHED_BACKOFF_CAP_MS = 30_000;

export class Backoff {
  /** The next wait. */
  delayMs = FIRST_BACKOFF_MS;
  /** Connections in a row that closed before a welcome. */
  failures = 0;
  /** A coordinator welcomed this device during this run. */
  reached = false;
  private wakeUp: (() => void) | null = null;

  /** A new run: nothing tried yet. */
  reset(): void {
    this.delayMs = FIRST_BACKOFF_MS;
    this.failures = 0;
    this.reached = false;
  }

  /** A welcome: the next loss starts again from the first delay. */
  welcomed(): void {
    this.reached = true;
    this.delayMs = FIRST_BACKOFF_MS;
    this.failures = 0;
  }

  /** Counts a connection that closed before a welcome; returns the count. */
  failed(): number {
    return ++this.failures;
  }

  /** Waits the current delay (or until wake()), then doubles it up to the cap. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.delayMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => {
      this.wakeUp = null;
    });
    this.delayMs = Math.min(this.delayMs * 2, this.reached ? REACHED_BACKOFF_CAP_MS : UNREACHED_BACKOFF_CAP_MS);
  }

  wake(): void {
    this.wakeUp?.();
  }
}
