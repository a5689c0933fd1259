/**
 * A counting signal: `notify()` records an occurrence, `wait()` consumes one,
 * waiting (bounded) when none is pending. Occurrences that come before
 * anyone waits are kept, so an X event that arrives in the same socket read
 * as the reply the waiter is still processing is not lost.
 */
export class SelectionSignal {
  private pending = 0;
  private waiter: ((ok: boolean) => void) | null = null;
  private closed = false;

  notify(): void {
    if (this.closed) return;
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(true);
    } else {
      this.pending++;
    }
  }

  /** Resolve true when an occurrence is (or becomes) available, false after `timeoutMs` or on close. */
  wait(timeoutMs: number): Promise<boolean> {
    if (this.pending > 0) {
      this.pending--;
      return Promise.resolve(true);
    }
    if (this.closed) return Promise.resolve(false);
    if (this.waiter) return Promise.reject(new Error('SelectionSignal: only one waiter at a time'));
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        if (this.waiter === done) this.waiter = null;
        resolve(false);
      }, timeoutMs);
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        resolve(ok);
      };
      this.waiter = done;
    });
  }

  /** Wake a waiter with false; later waits fail at once. */
  close(): void {
    this.closed = true;
    this.pending = 0;
    const w = this.waiter;
    this.waiter = null;
    w?.(false);
  }
}
