import { ProtocolError } from '../errors.js';

/**
 * Bytes from the client as they arrive, read in exact amounts by the
 * handshake's async steps. Holds at most `limit` unread bytes: a client that
 * floods the handshake is cut off rather than buffered.
 */
export class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(private readonly limit: number) {}

  /** Bytes not yet read. */
  get length(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (this.failure || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > this.limit && !(this.want && this.want.n >= this.buffered)) {
      this.fail(new ProtocolError(`more than ${this.limit} bytes sent during the handshake`));
      return;
    }
    this.serve();
  }

  /** The next `n` bytes, when they have arrived. */
  read(n: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.want) return Promise.reject(new Error('ByteReader: one read at a time'));
    return new Promise((resolve, reject) => {
      this.want = { n, resolve, reject };
      this.serve();
    });
  }

  /** Everything buffered and not read (e.g. bytes that belong to the next layer or to the first messages). */
  takeAll(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    return all;
  }

  /** No more bytes will come: a pending read and every later one reject with `error`. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.chunks = [];
    this.buffered = 0;
    const want = this.want;
    this.want = null;
    want?.reject(error);
  }

  private serve(): void {
    const want = this.want;
    if (!want || this.buffered < want.n) return;
    this.want = null;
    const all = this.takeAll();
    if (all.length > want.n) {
      this.chunks = [all.subarray(want.n)];
      this.buffered = all.length - want.n;
    }
    want.resolve(all.subarray(0, want.n));
  }
}
