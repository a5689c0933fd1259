import zlib from 'node:zlib';
import { memberHeader, memberTrailer, type MemberTag } from './gzip-member.js';

/**
 * One gzip member being written: records go into a raw deflate stream (on
 * zlib's thread pool, so the caller never waits for compression), and what
 * comes out collects here, behind the member's header, until the file takes
 * it. Ending the member appends the trailer after the deflate stream's last
 * bytes. The writer keeps these in file order and writes them one after
 * another: a new member may be deflating while the one before it finishes.
 */

export interface MemberWriterEvents {
  /** More compressed bytes are ready to be taken. */
  output(): void;
  /** The deflate stream failed (it does not, short of running out of memory). */
  error(e: Error): void;
}

export class MemberWriter {
  /** Where the member starts in the file, known once its first bytes are written; -1 before. */
  fileOffset = -1;
  /** Uncompressed bytes handed to deflate and not yet taken in by it. */
  queuedIn = 0;
  /** The trailer is appended: nothing more will come out. */
  finished = false;
  private readonly out: Buffer[] = [];
  private outBytes = 0;
  private readonly deflate: zlib.DeflateRaw;
  private crc = 0;
  private size = 0;
  /** Records written since the last sync flush. */
  private dirty = false;
  private ending = false;
  /** Writes and flushes handed to deflate and not yet done. */
  private busy = 0;
  private waiters: Array<() => void> = [];

  constructor(
    readonly tag: MemberTag,
    level: number,
    private readonly events: MemberWriterEvents,
  ) {
    this.push(memberHeader(tag));
    this.deflate = zlib.createDeflateRaw({ level });
    this.deflate.on('data', (b: Buffer) => {
      this.push(b);
      this.events.output();
    });
    this.deflate.on('end', () => {
      this.push(memberTrailer(this.crc, this.size));
      this.finished = true;
      this.events.output();
      this.settle();
    });
    this.deflate.on('error', (e: Error) => this.events.error(e));
  }

  /** Add one record. The CRC is of the uncompressed bytes, taken here as they go in. */
  write(record: Buffer): void {
    if (this.ending) return;
    this.crc = zlib.crc32(record, this.crc);
    this.size += record.length;
    this.queuedIn += record.length;
    this.busy++;
    this.dirty = true;
    this.deflate.write(record, () => {
      this.queuedIn -= record.length;
      this.busy--;
      this.settle();
    });
  }

  /** Whether records went in since the last flush. */
  get pending(): boolean {
    return this.dirty;
  }

  /**
   * Z_SYNC_FLUSH: everything written so far comes out, ending on a byte
   * boundary, so a file cut after these bytes inflates up to here.
   */
  flush(): void {
    if (!this.dirty || this.ending) return;
    this.dirty = false;
    this.busy++;
    this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      this.busy--;
      this.settle();
    });
  }

  /** Finish the deflate stream; the trailer follows its last bytes. */
  end(): void {
    if (this.ending) return;
    this.ending = true;
    this.dirty = false;
    this.deflate.end();
  }

  /** The compressed bytes ready so far, the header first; they are the caller's now. */
  take(): Buffer[] {
    this.outBytes = 0;
    return this.out.splice(0);
  }

  /** Bytes given to this member and not yet taken: waiting for deflate, or compressed and waiting to be taken. */
  get queuedBytes(): number {
    return this.queuedIn + this.outBytes;
  }

  get hasOutput(): boolean {
    return this.out.length > 0;
  }

  /** Resolves once every write and flush handed in is compressed (and, when ending, the trailer is out). */
  quiet(): Promise<void> {
    if (this.isQuiet()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stop at once: the stream is dropped with whatever it held, and waiters are let go. */
  destroy(): void {
    this.ending = true;
    this.deflate.destroy();
    this.out.length = 0;
    this.outBytes = 0;
    this.release();
  }

  private push(b: Buffer): void {
    this.out.push(b);
    this.outBytes += b.length;
  }

  private isQuiet(): boolean {
    return this.busy === 0 && (!this.ending || this.finished);
  }

  private settle(): void {
    if (this.isQuiet()) this.release();
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
