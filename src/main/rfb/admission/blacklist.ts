/** How the blacklist behaves; the defaults are TigerVNC's. */
export interface BlacklistOptions {
  /** Failures in a row before an address is blocked. */
  threshold: number;
  /** The first block's length; each block after it is twice the one before. */
  initialBlockMs: number;
  /** No block is longer than this. */
  maxBlockMs: number;
  /** Addresses remembered at most (the least recently failed are forgotten first). */
  maxEntries: number;
}

export const DEFAULT_BLACKLIST: BlacklistOptions = {
  threshold: 5,
  initialBlockMs: 10_000,
  maxBlockMs: 60 * 60_000,
  maxEntries: 10_000,
};

interface Entry {
  failures: number;
  /** When the current block ends (0: not blocked yet). */
  blockedUntil: number;
  /** How long the next block lasts. */
  nextBlockMs: number;
}

/**
 * Per-address authentication failures: after `threshold` in a row the
 * address is refused for `initialBlockMs`; each failure after a block ends
 * blocks it again for twice as long; a success forgets it. What counts as a
 * failure is the caller's call (wrong credentials, and handshakes abandoned
 * after the challenge went out, so reconnecting does not dodge the count).
 */
export class Blacklist {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly opts: BlacklistOptions = DEFAULT_BLACKLIST,
    private readonly now: () => number = Date.now,
  ) {}

  /** When this address's block ends (ms since the epoch), or 0 when it may try now. */
  blockEnd(address: string): number {
    const e = this.entries.get(address);
    return e && e.blockedUntil > this.now() ? e.blockedUntil : 0;
  }

  /** One more failure; returns the length of the block it starts, or 0 when it starts none. */
  fail(address: string): number {
    let e = this.entries.get(address);
    if (e) this.entries.delete(address); // re-insert: the map's order is the order of last failure
    else e = { failures: 0, blockedUntil: 0, nextBlockMs: this.opts.initialBlockMs };
    this.entries.set(address, e);
    this.trim();
    e.failures++;
    const now = this.now();
    if (e.failures < this.opts.threshold || e.blockedUntil > now) return 0;
    const ms = e.nextBlockMs;
    e.blockedUntil = now + ms;
    e.nextBlockMs = Math.min(ms * 2, this.opts.maxBlockMs);
    return ms;
  }

  /** The address authenticated: its record is wiped. */
  succeed(address: string): void {
    this.entries.delete(address);
  }

  get size(): number {
    return this.entries.size;
  }

  private trim(): void {
    while (this.entries.size > this.opts.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
