/** A token bucket: `perSecond` new tokens a second, holding at most `burst`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export const DEFAULT_ADDRESS_RATE: RateLimit = { perSecond: 10, burst: 30 };
export const DEFAULT_TOTAL_RATE: RateLimit = { perSecond: 100, burst: 200 };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * New connections a second, per address and overall. An address over its
 * own rate is refused without counting against the overall one, so one
 * flooding address cannot use up everyone's share; a connection that
 * authenticates gives its token back (refund), so only failures and
 * unfinished handshakes count.
 */
export class ConnectionRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly total: Bucket;

  constructor(
    private readonly perAddress: RateLimit = DEFAULT_ADDRESS_RATE,
    private readonly overall: RateLimit = DEFAULT_TOTAL_RATE,
    private readonly now: () => number = Date.now,
    private readonly maxAddresses = 10_000,
  ) {
    this.total = { tokens: overall.burst, at: now() };
  }

  /** Take a token for a new connection from `address`; false when over a limit. */
  take(address: string): boolean {
    const now = this.now();
    let b = this.buckets.get(address);
    if (!b) {
      this.trim(now); // before adding: the new bucket is full and must not be the one trimmed
      b = { tokens: this.perAddress.burst, at: now };
      this.buckets.set(address, b);
    }
    refill(b, this.perAddress, now);
    if (b.tokens < 1) return false;
    refill(this.total, this.overall, now);
    if (this.total.tokens < 1) return false;
    b.tokens--;
    this.total.tokens--;
    return true;
  }

  /**
   * A connection from `address` authenticated: its token comes back. Viewers
   * that get in never use up the rate, however often they reconnect; only
   * connections that fail or never finish do.
   */
  refund(address: string): void {
    const now = this.now();
    const b = this.buckets.get(address);
    if (b) {
      refill(b, this.perAddress, now);
      b.tokens = Math.min(this.perAddress.burst, b.tokens + 1);
    }
    refill(this.total, this.overall, now);
    this.total.tokens = Math.min(this.overall.burst, this.total.tokens + 1);
  }

  /** Forget full buckets (they are the same as new ones), and the oldest when too many are kept. */
  private trim(now: number): void {
    if (this.buckets.size < this.maxAddresses) return;
    for (const [address, b] of this.buckets) {
      refill(b, this.perAddress, now);
      if (b.tokens >= this.perAddress.burst) this.buckets.delete(address);
    }
    while (this.buckets.size >= this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}

function refill(b: Bucket, rate: RateLimit, now: number): void {
  b.tokens = Math.min(rate.burst, b.tokens + ((now - b.at) / 1000) * rate.perSecond);
  b.at = now;
}
