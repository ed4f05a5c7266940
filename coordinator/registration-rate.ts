// New client ids per address: a token bucket per IP (burst = the per-minute rate), so one host cannot
// mint thousands of ids a minute (Sybil inflation of N); rejoining with a known id costs nothing.

/** Buckets kept before full (idle) ones are dropped; bounds memory under a spray of addresses. */
const PRUNE_ABOVE = 10_000;

export class RegistrationRate {
  private readonly buckets = new Map<string, { tokens: number; last: number }>();

  constructor(private readonly perMinute: number) {}

  /** Takes one registration token for `ip`; false when its bucket is empty. */
  take(ip: string, now = Date.now()): boolean {
    if (this.buckets.size > PRUNE_ABOVE) this.prune(now);
    const b = this.buckets.get(ip) ?? { tokens: this.perMinute, last: now };
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.last) / 60_000) * this.perMinute);
    b.last = now;
    this.buckets.set(ip, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private prune(now: number): void {
    for (const [ip, b] of this.buckets) if (b.tokens + ((now - b.last) / 60_000) * this.perMinute >= this.perMinute) this.buckets.delete(ip);
  }
}
