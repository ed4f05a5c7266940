// A token bucket per connection: a client may send `burst` messages at once and `perSecond` on
// average. Honest clients send a join, one update or metrics per phase and a heartbeat every few
// seconds, so the default leaves two orders of magnitude of headroom; a flood is refused.

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    now = Date.now(),
  ) {
    this.tokens = limit.burst;
    this.last = now;
  }

  /** Takes one token; false when the bucket is empty (the message must be refused). */
  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
