// Keeps a persistent connection alive: a heartbeat at the interval the coordinator's welcome set,
// until stopped or until the socket can no longer send.

export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly send: (message: object) => void) {}

  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      try {
        this.send({ type: 'heartbeat', sentAt: Date.now() });
      } catch {
        this.stop();
      }
    }, intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
