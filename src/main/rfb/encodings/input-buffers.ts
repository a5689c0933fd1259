/**
 * Buffers for data read after the code that filled them has returned:
 * Tight's colour and gradient bytes, read by deflate; the pieces of an
 * update, read by the socket (update-parts.ts). Kept and handed out again
 * once their reader is done.
 *
 * A fresh 196 KB buffer costs about 0.6 ms before its first byte is written
 * (the kernel maps and zeroes its pages) against 0.09 ms to fill a kept one;
 * a 1080p Tight frame writes some 10 such pieces.
 */
/** What kind of buffers a pool hands out. */
export interface KeptShape {
  /** In shared memory (SharedArrayBuffers), for encode workers to write into (payload-slots.ts). */
  readonly shared?: boolean;
  /** Sizes in steps of this many bytes, rather than powers of two from 4 KiB. */
  readonly step?: number;
}

export class InputBuffers {
  private readonly free = new Map<number, Buffer[]>();
  private kept = 0;

  /** `maxBytes`: most the free lists hold; beyond it a returned buffer is left to the collector. */
  constructor(
    private readonly maxBytes = 4 * 1024 * 1024,
    private readonly shape: KeptShape = {},
  ) {}

  /** Bytes of free buffers kept for reuse. */
  get keptBytes(): number {
    return this.kept;
  }

  /** A buffer of at least `bytes` (its length a power of two from 4 KiB, or a multiple of the shape's step); `give` it back when its reader is done. */
  take(bytes: number): Buffer {
    const step = this.shape.step;
    const size = step ? Math.max(step, Math.ceil(bytes / step) * step) : Math.max(MIN_SIZE, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
    const spare = this.free.get(size)?.pop();
    if (spare) {
      this.kept -= size;
      return spare;
    }
    return this.shape.shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafeSlow(size);
  }

  /** A buffer `take` gave, no longer read by anyone. */
  give(buf: Buffer): void {
    if (this.kept + buf.length > this.maxBytes) return;
    let list = this.free.get(buf.length);
    if (!list) this.free.set(buf.length, (list = []));
    list.push(buf);
    this.kept += buf.length;
  }
}

const MIN_SIZE = 4096;
