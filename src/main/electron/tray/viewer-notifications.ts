import type { ClientInfo } from '../../../shared/control-contract.js';
import type { NoticeOptions } from '../electron-seam.js';

/**
 * Desktop notifications for viewers coming and going. The control service's
 * `clients` event carries the whole list (it also fires when a client gains
 * or loses control), so notices come from comparing lists by client id.
 */

export function connectedNotice(c: ClientInfo): NoticeOptions {
  return {
    title: 'Viewer connected',
    body: c.viewOnly ? `${c.address} is viewing your screen (view only)` : `${c.address} is viewing and can control your screen`,
  };
}

export function leftNotice(c: ClientInfo): NoticeOptions {
  return { title: 'Viewer left', body: `${c.address} disconnected` };
}

/** Notices for the clients that left and those that arrived between two lists. */
export function clientNotices(before: readonly ClientInfo[], after: readonly ClientInfo[]): NoticeOptions[] {
  const was = new Set(before.map((c) => c.id));
  const is = new Set(after.map((c) => c.id));
  return [...before.filter((c) => !is.has(c.id)).map(leftNotice), ...after.filter((c) => !was.has(c.id)).map(connectedNotice)];
}

/** Follows the client list and reports each arrival and departure once. */
export class ClientWatcher {
  private known: readonly ClientInfo[] = [];

  constructor(private readonly notify: (notice: NoticeOptions) => void) {}

  /** A new list arrived: notify what changed. */
  update(clients: readonly ClientInfo[]): void {
    for (const n of clientNotices(this.known, clients)) this.notify(n);
    this.known = [...clients];
  }

  /**
   * Start over without notices, e.g. after sharing stopped (every viewer was
   * dropped with it, and saying so viewer by viewer would be noise).
   */
  reset(clients: readonly ClientInfo[] = []): void {
    this.known = [...clients];
  }
}
