import { Blacklist, DEFAULT_BLACKLIST, type BlacklistOptions } from './blacklist.js';
import { DEFAULT_PENDING_LIMITS, PendingHandshakes, type PendingLimits } from './pending-handshakes.js';
import { ConnectionRateLimiter, DEFAULT_ADDRESS_RATE, DEFAULT_TOTAL_RATE, type RateLimit } from './rate-limit.js';

export interface AdmissionOptions {
  blacklist: BlacklistOptions;
  pending: PendingLimits;
  addressRate: RateLimit;
  totalRate: RateLimit;
}

export const DEFAULT_ADMISSION: AdmissionOptions = {
  blacklist: DEFAULT_BLACKLIST,
  pending: DEFAULT_PENDING_LIMITS,
  addressRate: DEFAULT_ADDRESS_RATE,
  totalRate: DEFAULT_TOTAL_RATE,
};

/** The reason a blacklisted address hears (TigerVNC's words, which viewers' users may already know). */
export const BLACKLISTED_REASON = 'Too many security failures';
export const RATE_LIMITED_REASON = 'Too many new connections from this address: try again in a few seconds';

export type Verdict =
  | { admit: true }
  /** `log`: say it in the log (once per block or per burst, not per attempt). */
  | { admit: false; reason: string; category: 'blacklisted' | 'rate_limited'; log: boolean; blockedForMs: number };

/** Do not repeat a rate-limit line for the same address more often than this. */
const RATE_LOG_EVERY_MS = 10_000;

/**
 * Whether a new connection may start a handshake, decided from its address
 * alone before anything is read or allocated for it: the blacklist, then the
 * rate limits. Also keeps the connections in their handshake bounded
 * (PendingHandshakes) and hears how authentication went.
 */
export class Gatekeeper<T> {
  private readonly blacklist: Blacklist;
  private readonly rates: ConnectionRateLimiter;
  private readonly pending: PendingHandshakes<T>;
  /** Blocks already announced in the log: address → when that block ends. */
  private readonly announced = new Map<string, number>();
  private readonly rateLogged = new Map<string, number>();

  constructor(
    opts: AdmissionOptions = DEFAULT_ADMISSION,
    private readonly now: () => number = Date.now,
  ) {
    this.blacklist = new Blacklist(opts.blacklist, now);
    this.rates = new ConnectionRateLimiter(opts.addressRate, opts.totalRate, now);
    this.pending = new PendingHandshakes(opts.pending);
  }

  admit(address: string): Verdict {
    const until = this.blacklist.blockEnd(address);
    if (until > 0) {
      const log = this.announced.get(address) !== until;
      if (log) this.announced.set(address, until);
      this.trimLogMaps();
      return { admit: false, reason: BLACKLISTED_REASON, category: 'blacklisted', log, blockedForMs: until - this.now() };
    }
    if (!this.rates.take(address)) {
      const last = this.rateLogged.get(address);
      const log = last === undefined || this.now() - last >= RATE_LOG_EVERY_MS;
      if (log) this.rateLogged.set(address, this.now());
      this.trimLogMaps();
      return { admit: false, reason: RATE_LIMITED_REASON, category: 'rate_limited', log, blockedForMs: 0 };
    }
    return { admit: true };
  }

  /** A connection started its handshake; returns older ones to drop to stay within the limits. */
  track(address: string, item: T): T[] {
    return this.pending.add(address, item);
  }

  /** A connection's handshake ended (it authenticated, failed or closed). */
  untrack(address: string, item: T): void {
    this.pending.remove(address, item);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Wrong credentials, or a handshake abandoned after its challenge; returns the block it starts (ms), 0 for none. */
  authFailed(address: string): number {
    return this.blacklist.fail(address);
  }

  authSucceeded(address: string): void {
    this.blacklist.succeed(address);
    this.rates.refund(address);
    this.announced.delete(address);
  }

  /** Remembered addresses (for tests of bounded memory). */
  get remembered(): number {
    return this.blacklist.size + this.announced.size + this.rateLogged.size;
  }

  private trimLogMaps(): void {
    const now = this.now();
    if (this.announced.size > 1000) for (const [a, until] of this.announced) if (until < now) this.announced.delete(a);
    if (this.rateLogged.size > 1000) for (const [a, at] of this.rateLogged) if (now - at > RATE_LOG_EVERY_MS) this.rateLogged.delete(a);
  }
}
