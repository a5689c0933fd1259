import type { RecordCipher, SecurityIo } from '../../src/main/rfb/security/security-type.js';

/**
 * The server's end of an in-memory connection, as a security type sees it
 * (SecurityIo), with the client's end as callbacks. It behaves as the
 * handshake runner must: after setCipher every byte written is sealed, and
 * every byte received — including bytes that had already arrived and were not
 * yet read — is opened before anyone reads it.
 */
export class SecurityPipe implements SecurityIo {
  readonly address = '127.0.0.1';
  minor: 3 | 7 | 8 = 8;
  cipher: RecordCipher | null = null;
  /** Raw bytes the server wrote (after the cipher, if any), in order. */
  readonly wire: Buffer[] = [];
  /** How many bytes the server asked for, read by read (to show it stopped reading). */
  readonly reads: number[] = [];
  private inbuf = Buffer.alloc(0);
  private rawPending = Buffer.alloc(0);
  private waiter: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private ended: Error | null = null;

  constructor(private readonly toClient: (data: Buffer) => void) {}

  /** Bytes from the client arrive. */
  deliver(data: Buffer): void {
    if (this.ended) return;
    if (this.cipher) {
      try {
        this.inbuf = Buffer.concat([this.inbuf, this.cipher.open(data)]);
      } catch (e) {
        this.end(e as Error);
        return;
      }
    } else {
      this.rawPending = Buffer.concat([this.rawPending, data]);
      this.inbuf = this.rawPending;
    }
    this.wake();
  }

  /** The client went away (or the runner gave up): pending and later reads fail. */
  end(reason = new Error('connection closed')): void {
    this.ended ??= reason;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.ended);
  }

  private wake(): void {
    const w = this.waiter;
    if (!w || this.inbuf.length < w.n) return;
    this.waiter = null;
    w.resolve(this.take(w.n));
  }

  private take(n: number): Buffer {
    const out = Buffer.from(this.inbuf.subarray(0, n));
    this.inbuf = this.inbuf.subarray(n);
    if (!this.cipher) this.rawPending = this.inbuf;
    return out;
  }

  read(n: number): Promise<Buffer> {
    this.reads.push(n);
    if (this.waiter) return Promise.reject(new Error('two reads at once'));
    if (this.inbuf.length >= n) return Promise.resolve(this.take(n));
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.waiter = { n, resolve, reject };
    });
  }

  write(data: Buffer): void {
    const out = this.cipher ? this.cipher.seal(data) : Buffer.from(data);
    this.wire.push(out);
    if (!this.ended) this.toClient(out);
  }

  startTls(): Promise<void> {
    return Promise.reject(new Error('no TLS here'));
  }

  setCipher(cipher: RecordCipher): void {
    this.cipher = cipher;
    // Whatever arrived before the switch and is still unread was already sealed by the client.
    const raw = this.inbuf;
    this.inbuf = Buffer.alloc(0);
    this.rawPending = Buffer.alloc(0);
    if (raw.length > 0) this.deliver(raw);
  }

  /** Unread bytes (plain, after the cipher). */
  get unread(): number {
    return this.inbuf.length;
  }
}
