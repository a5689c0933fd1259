/** Limits on connections still in their handshake (not yet authenticated). */
export interface PendingLimits {
  perAddress: number;
  total: number;
}

export const DEFAULT_PENDING_LIMITS: PendingLimits = { perAddress: 16, total: 64 };

/**
 * Connections that have not authenticated yet, by address, oldest first.
 * They never take viewers' places (max_connections counts viewers only) and
 * are bounded on their own: when a new one would pass a limit, the oldest
 * from the address with the most pending goes — so one address holding many
 * silent sockets loses its own, and a viewer from elsewhere still gets in.
 */
export class PendingHandshakes<T> {
  private readonly byAddress = new Map<string, T[]>();
  private count = 0;

  constructor(private readonly limits: PendingLimits = DEFAULT_PENDING_LIMITS) {}

  get size(): number {
    return this.count;
  }

  /** Track `item`; returns the items to drop to keep within the limits (never `item` itself). */
  add(address: string, item: T): T[] {
    const dropped: T[] = [];
    const own = this.byAddress.get(address) ?? [];
    while (own.length >= this.limits.perAddress) {
      dropped.push(own.shift()!);
      this.count--;
    }
    if (own.length === 0) this.byAddress.delete(address);
    while (this.count >= this.limits.total) {
      const greediest = this.greediest();
      if (!greediest) break;
      const list = this.byAddress.get(greediest)!;
      dropped.push(list.shift()!);
      this.count--;
      if (list.length === 0) this.byAddress.delete(greediest);
    }
    own.push(item);
    this.byAddress.set(address, own);
    this.count++;
    return dropped;
  }

  /** `item` finished its handshake (or closed). */
  remove(address: string, item: T): void {
    const list = this.byAddress.get(address);
    if (!list) return;
    const i = list.indexOf(item);
    if (i < 0) return;
    list.splice(i, 1);
    this.count--;
    if (list.length === 0) this.byAddress.delete(address);
  }

  private greediest(): string | null {
    let best: string | null = null;
    let most = 0;
    for (const [address, list] of this.byAddress) {
      if (list.length > most) {
        most = list.length;
        best = address;
      }
    }
    return best;
  }
}
