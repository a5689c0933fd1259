import x11 from 'x11';
import type { Display, ExtensionMap, ReplyCallback, Screen, XClient, XError } from 'x11';

export interface OpenX11Options {
  /**
   * Ask for an fd-capable socket so MIT-SHM segments can be attached
   * (default true). With false the connection is a plain socket and the
   * MIT-SHM provider is disabled.
   */
  shm?: boolean;
  /** Give up connecting after this long (default 5000 ms). */
  timeoutMs?: number;
}

/** An open connection to an X display, with promise helpers. */
export interface X11Connection {
  readonly displayName: string;
  readonly client: XClient;
  readonly display: Display;
  /** The default screen. */
  readonly screen: Screen;
  readonly root: number;
  /** Largest request the server takes, in bytes (BIG-REQUESTS applied). */
  readonly maxRequestBytes: number;
  /** Load an extension; null when the server does not have it. */
  extension<K extends keyof ExtensionMap>(name: K): Promise<ExtensionMap[K] | null>;
  /**
   * Issue a request that takes a reply callback and await the reply. The
   * promise rejects with the X error, or when the connection closes first.
   */
  request<T>(issue: (cb: ReplyCallback<T>) => void): Promise<T>;
  /** Round trip: every request issued so far has been processed. */
  sync(): Promise<void>;
  /** Listen for asynchronous X errors (those no request callback took). */
  onError(listener: (err: Error) => void): void;
  /** Called once when the connection ends, for whatever reason. */
  onClose(listener: () => void): void;
  readonly closed: boolean;
  /** Round trip and close (bounded); safe to call more than once. */
  close(): Promise<void>;
}

export class X11Error extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'X11Error';
  }
}

/** X protocol error codes the capture code cares about. */
export const XErrorCode = { BadMatch: 8, BadDrawable: 9, BadAlloc: 11, BadLength: 16 } as const;

export function isXError(err: unknown): err is XError {
  return err instanceof Error && typeof (err as Partial<XError>).error === 'number';
}

/** Connect to `displayName` (":99", "unix:1", ...). */
export function openX11(displayName: string, options: OpenX11Options = {}): Promise<X11Connection> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise<X11Connection>((resolve, reject) => {
    let settled = false;
    let client: XClient | null = null;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      try {
        client?.terminate();
      } catch {
        /* the socket may not be up yet */
      }
      reject(new X11Error(`connecting to X display ${displayName} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      client = x11.createClient({ display: displayName, ...(options.shm === false ? { shm: false as const } : {}) }, (err, display) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err || !display) {
          reject(new X11Error(`cannot connect to X display ${displayName}: ${err?.message ?? 'no display'}`));
          return;
        }
        resolve(new Connection(displayName, display.client, display));
      });
    } catch (err) {
      settled = true;
      clearTimeout(timer);
      reject(new X11Error(`cannot connect to X display ${displayName}: ${(err as Error).message}`));
      return;
    }
    // Errors before setup completes go to the callback above; keep the client
    // from throwing an unhandled 'error' in the meantime.
    client.on('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new X11Error(`cannot connect to X display ${displayName}: ${err.message}`));
    });
  });
}

class Connection implements X11Connection {
  readonly screen: Screen;
  readonly root: number;
  readonly maxRequestBytes: number;
  private readonly pending = new Set<(err: Error) => void>();
  private readonly errorListeners: Array<(err: Error) => void> = [];
  private readonly closeListeners: Array<() => void> = [];
  private isClosed = false;
  private closing: Promise<void> | null = null;

  constructor(
    readonly displayName: string,
    readonly client: XClient,
    readonly display: Display,
  ) {
    const screen = display.screen[0];
    if (!screen) throw new X11Error(`X display ${displayName} has no screen`);
    this.screen = screen;
    this.root = screen.root;
    this.maxRequestBytes = display.max_request_length * 4;
    client.on('error', (err) => {
      if (this.errorListeners.length === 0) return; // nobody asked: dropped rather than crashing
      for (const l of this.errorListeners) l(err);
    });
    const ended = (): void => this.markClosed();
    client.on('end', ended);
    client.on('close', ended);
    client.stream.on('close', ended);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  extension<K extends keyof ExtensionMap>(name: K): Promise<ExtensionMap[K] | null> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) {
        reject(new X11Error(`X connection to ${this.displayName} is closed`));
        return;
      }
      const fail = (err: Error): void => reject(err);
      this.pending.add(fail);
      this.client.require(name, (err, ext) => {
        this.pending.delete(fail);
        if (err) {
          // "extension not available" is an answer, not a failure
          resolve(null);
          return;
        }
        resolve(ext);
      });
    });
  }

  request<T>(issue: (cb: ReplyCallback<T>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.isClosed) {
        reject(new X11Error(`X connection to ${this.displayName} is closed`));
        return;
      }
      const fail = (err: Error): void => reject(err);
      this.pending.add(fail);
      issue((err, result) => {
        this.pending.delete(fail);
        if (err) reject(err);
        else resolve(result);
        return true; // handled: do not also emit 'error'
      });
    });
  }

  async sync(): Promise<void> {
    await this.request<unknown>((cb) => this.client.GetInputFocus(cb)); // the cheapest round trip
  }

  onError(listener: (err: Error) => void): void {
    this.errorListeners.push(listener);
  }

  onClose(listener: () => void): void {
    if (this.isClosed) queueMicrotask(listener);
    else this.closeListeners.push(listener);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      if (this.isClosed) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        try {
          this.client.terminate();
        } catch {
          /* already gone */
        }
        this.markClosed();
        resolve();
      }, 2000);
      try {
        this.client.close(() => {
          clearTimeout(timer);
          this.markClosed();
          resolve();
        });
      } catch {
        clearTimeout(timer);
        this.markClosed();
        resolve();
      }
    });
    return this.closing;
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const err = new X11Error(`X connection to ${this.displayName} closed`);
    for (const fail of this.pending) fail(err);
    this.pending.clear();
    for (const l of this.closeListeners.splice(0)) {
      try {
        l();
      } catch {
        /* a listener's failure must not stop the others */
      }
    }
  }
}
