import zlib from 'node:zlib';

/**
 * One persistent deflate stream. Each `compress()` emits a sync-flushed chunk
 * that continues the same zlib stream, as ZRLE and Zlib require. The work runs
 * on libuv's thread pool, so the event loop stays free during big frames.
 *
 * Calls may be issued back to back without awaiting: Node's writable queue
 * keeps them in order, and a write's callback fires after all of its output
 * and before any output of the next write, so each call resolves with exactly
 * its own bytes. Input is referenced, not copied: do not modify it until the
 * call resolves.
 */
export class ZlibStream {
  readonly level: number;
  private readonly deflate: zlib.Deflate;
  private chunks: Buffer[] = [];
  private failed: Error | null = null;
  private closed = false;

  /**
   * `memLevel` (1..9) sizes deflate's hash table and, what matters more for
   * the output, its blocks: a block ends every 2^(memLevel+6) symbols, and
   * each block gets Huffman codes of its own. Short blocks suit input whose
   * statistics change every few KiB (ZRLE's mix of tile headers, palettes and
   * raw photo tiles); raw pixels compress best with the largest.
   */
  constructor(level: number, memLevel = 9) {
    this.level = level;
    this.deflate = zlib.createDeflate({
      level,
      memLevel,
      // Every write is sync-flushed, so one write is one round trip to the
      // thread pool (a separate flush() would cost a second one, and each
      // needs the event loop free to start). Big enough output buffers keep a
      // whole rectangle's output to one pass as well.
      flush: zlib.constants.Z_SYNC_FLUSH,
      chunkSize: 256 * 1024,
    });
    this.deflate.on('data', (c: Buffer) => this.chunks.push(c));
    this.deflate.on('error', (e: Error) => (this.failed = e));
  }

  /** Compress `data` as the next part of the stream; resolves to the flushed bytes. */
  compress(data: Uint8Array): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      if (this.closed) return reject(new Error('zlib stream closed'));
      const done = (err?: Error | null): void => {
        if (err) this.failed ??= err;
        if (this.failed) return reject(this.failed);
        if (this.closed) return reject(new Error('zlib stream closed'));
        const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
        this.chunks = [];
        resolve(out);
      };
      if (data.length > 0) this.deflate.write(data, done);
      else this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, done);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.deflate.close();
  }
}
