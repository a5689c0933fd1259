import { CURRENT_TIME, PROP_MODE_APPEND, XA_STRING } from './selection-protocol.js';
import type { X11Connection } from './x11-connection.js';

/**
 * Current X server timestamps, which ICCCM wants selections taken at (not
 * CurrentTime): a zero-length append to a property of our own window changes
 * nothing, but the server reports it with a PropertyNotify that carries its
 * time. The owner of the window hands those events to `deliver`.
 */
export class ServerTimeProbe {
  private readonly waiters = new Set<(time: number) => void>();

  constructor(
    private readonly win: number,
    /** The property of `win` appended to; PropertyNotify on it goes to `deliver`. */
    readonly property: number,
    private readonly timeoutMs: number,
  ) {}

  /** A current server timestamp; CurrentTime if none comes within the timeout. */
  now(conn: X11Connection): Promise<number> {
    return new Promise<number>((resolve) => {
      const done = (time: number): void => {
        clearTimeout(timer);
        resolve(time);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve(CURRENT_TIME);
      }, this.timeoutMs);
      this.waiters.add(done);
      conn.client.ChangeProperty(PROP_MODE_APPEND, this.win, this.property, XA_STRING, 8, Buffer.alloc(0));
    });
  }

  /** The time of a PropertyNotify (new value) on `property`: every waiter gets it. */
  deliver(time: number): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w(time);
  }

  /** Everyone waiting gets CurrentTime (stop, or the connection went away). */
  cancel(): void {
    this.deliver(CURRENT_TIME);
  }
}
