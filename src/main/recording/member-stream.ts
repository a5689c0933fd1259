import type { FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';
import { RecordingFormatError } from './format.js';
import { checkTrailer, MEMBER_TRAILER_BYTES, parseMemberHeader, type MemberHeader } from './gzip-member.js';

/**
 * One gzip member inflated from a file as it is read, a piece at a time: a
 * member holds up to ten seconds of pictures, which may inflate to far more
 * than is worth holding at once. The reader walks a recording member by
 * member with this, from any member's offset, never touching the bytes
 * before it.
 */

/** How much of the file is read at once. */
export const MEMBER_READ_BYTES = 128 * 1024;
/** A header this module writes is 25 bytes; other writers' FNAME/FCOMMENT may make one longer. */
const FIRST_HEADER_READ = 64;
const MAX_HEADER_BYTES = 64 * 1024;

/** Read up to `length` bytes at `position`; fewer only at the end of the file. */
export async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await file.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** How the member ended, known once its data has all been read. */
export interface MemberEnd {
  /** Offset just past the trailer, where the next member starts; null when the member was cut short. */
  next: number | null;
  truncated: boolean;
}

export class MemberStream {
  /** Set once chunks() has run to the end. */
  result: MemberEnd | null = null;

  private constructor(
    private readonly file: FileHandle,
    /** Where the member's gzip header starts. */
    readonly offset: number,
    private readonly fileSize: number,
    readonly header: MemberHeader,
  ) {}

  /**
   * The member at `offset`, its header parsed; null when the file ends
   * before the header does (a file cut inside it). Throws
   * RecordingFormatError when the bytes there are not a gzip member.
   */
  static async open(file: FileHandle, offset: number, fileSize: number): Promise<MemberStream | null> {
    for (let want = FIRST_HEADER_READ; ; want *= 16) {
      const bytes = await readAt(file, offset, Math.min(want, fileSize - offset));
      const header = parseMemberHeader(bytes);
      if (header) return new MemberStream(file, offset, fileSize, header);
      if (offset + bytes.length >= fileSize) return null;
      if (want >= MAX_HEADER_BYTES) throw new RecordingFormatError(`the gzip header at byte ${offset} is longer than ${MAX_HEADER_BYTES} bytes`);
    }
  }

  /**
   * The member's uncompressed data, in pieces. Raw inflate stops at the end
   * of the deflate data and counts the input it consumed, which says where
   * the trailer is; a member cut short yields what inflates up to the cut
   * (finishFlush Z_SYNC_FLUSH). Throws RecordingFormatError when the data
   * is damaged or does not match its trailer.
   */
  async *chunks(): AsyncGenerator<Buffer, void, void> {
    const start = this.offset + this.header.bytes;
    const inflate = zlib.createInflateRaw({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    let fed = 0;
    let stopped = false;
    // Feeds the file to the inflater one piece at a time, and stops as soon as
    // the inflater has left input unconsumed: the deflate data ended there.
    const feed = async (): Promise<void> => {
      for (let pos = start; !stopped && pos < this.fileSize; ) {
        const piece = await readAt(this.file, pos, Math.min(MEMBER_READ_BYTES, this.fileSize - pos));
        if (piece.length === 0 || stopped) break;
        await new Promise<void>((resolve, reject) => inflate.write(piece, (e) => (e ? reject(e) : resolve())));
        fed += piece.length;
        pos += piece.length;
        if (inflate.bytesWritten < fed) return;
      }
      if (!stopped) inflate.end();
    };
    // Failures reach the reading side as the stream's 'error'; this only keeps the promise from going unhandled.
    const feeding = feed().catch((e: unknown) => {
      if (!stopped) inflate.destroy(e as Error);
    });
    let crc = 0;
    let size = 0;
    try {
      for await (const piece of inflate as AsyncIterable<Buffer>) {
        crc = zlib.crc32(piece, crc);
        size += piece.length;
        yield piece;
      }
      await feeding;
    } catch (e) {
      if (e instanceof RecordingFormatError) throw e;
      throw new RecordingFormatError(`the gzip member at byte ${this.offset} is damaged (${(e as Error).message})`);
    } finally {
      stopped = true;
      inflate.destroy();
    }
    const deflateEnd = start + inflate.bytesWritten;
    if (inflate.bytesWritten >= fed || deflateEnd + MEMBER_TRAILER_BYTES > this.fileSize) {
      // Input ran out before the deflate data said it ended, or the trailer is cut: the file stops inside this member.
      this.result = { next: null, truncated: true };
      return;
    }
    const trailer = await readAt(this.file, deflateEnd, MEMBER_TRAILER_BYTES);
    checkTrailer(trailer, crc, size, this.offset);
    this.result = { next: deflateEnd + MEMBER_TRAILER_BYTES, truncated: false };
  }
}
