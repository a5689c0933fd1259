import zlib from 'node:zlib';

/**
 * One persistent deflate stream. Each `compress()` (or `push()`s followed by
 * `flush()`) emits a sync-flushed chunk that continues the same zlib stream, as
 * ZRLE and Zlib require. The work runs on libuv's thread pool, so the event
 * loop stays free during big frames.
 *
 * Calls may be issued back to back without awaiting: Node's writable queue
 * keeps them in order, and a flush's callback fires after all output of the
 * data before it and before any output of data written after it, so each
 * flush resolves with exactly its own bytes. Input buffers are referenced, not
 * copied: do not modify them until the flush that follows them resolves.
 */
export class ZlibStream {
  readonly level: number;
  private readonly deflate: zlib.Deflate;
  private chunks: Buffer[] = [];
  private failed: Error | null = null;
  private closed = false;

  constructor(level: number) {
    this.level = level;
    this.deflate = zlib.createDeflate({ level, memLevel: 9, chunkSize: 64 * 1024 });
    this.deflate.on('data', (c: Buffer) => this.chunks.push(c));
    this.deflate.on('error', (e: Error) => (this.failed = e));
  }

  /** Queue `data` as the next part of the stream, without flushing. */
  push(data: Uint8Array): void {
    if (data.length > 0 && !this.failed && !this.closed) this.deflate.write(data);
  }

  /** Sync-flush; resolves to every byte the stream produced since the previous flush. */
  flush(): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      if (this.closed) return reject(new Error('zlib stream closed'));
      this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        if (this.failed) return reject(this.failed);
        if (this.closed) return reject(new Error('zlib stream closed'));
        const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
        this.chunks = [];
        resolve(out);
      });
    });
  }

  /** Compress `data` as the next part of the stream; resolves to the flushed bytes. */
  compress(data: Uint8Array): Promise<Buffer> {
    this.push(data);
    return this.flush();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.deflate.close();
  }
}
