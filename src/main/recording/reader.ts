import { open, type FileHandle } from 'node:fs/promises';
import { decodeRecord, MemberKind, RecordingFormatError, RecordType, type RecordingHeader, type RecordingRecord, type ViewerSummary } from './format.js';
import { parseMemberHeader } from './gzip-member.js';
import { findIndexMember } from './index-search.js';
import { MemberStream, readAt } from './member-stream.js';
import { RecordFramer, RecordParser } from './record-parser.js';
import { fileProblem, RecordingError } from './recording-file.js';
import { scanRecording } from './recording-scan.js';

/**
 * Reads a recording (docs/recording-format.md) for playing and for its
 * summary. Opening reads the first member's start (the HEADER) and the last
 * 64 KiB (the index); only a file cut short is walked from the start to
 * rebuild what its missing index would have said. Playing from a time reads
 * the file from the keyframe member at or before it, never the bytes before.
 */

export interface RecordingInfo {
  path: string;
  header: RecordingHeader;
  /** The file ends with its index: the recording was finished, not cut short. */
  complete: boolean;
  durationMs: number;
  bytes: number;
  updates: number;
  keyframes: number;
  events: Record<string, number>;
  viewers: ViewerSummary[];
  /** For a file cut short, the time of its last whole record (where playing stops); null when complete. */
  truncatedAtMs: number | null;
  /** The END record's reason; null when the file was cut short. */
  endReason: string | null;
}

/** The first member header of a recording: enough to tell one from any other file. */
export function isTrayVncRecording(firstBytes: Buffer): boolean {
  try {
    const tag = parseMemberHeader(firstBytes)?.tag;
    return tag !== undefined && tag !== null && tag.kind === MemberKind.Keyframe && tag.ordinal === 0;
  } catch {
    return false;
  }
}

export class RecordingReader {
  private constructor(
    private readonly file: FileHandle,
    private readonly size: number,
    private readonly summary: RecordingInfo,
    readonly keyframes: ReadonlyArray<{ t: number; offset: number }>,
    /** For a file cut short: the member where the scan stopped. Trouble there is the cut, not damage. */
    private readonly stopsAt: number | null,
  ) {}

  static async open(path: string): Promise<RecordingReader> {
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (e) {
      const { code, words } = fileProblem(e, 'reading');
      throw new RecordingError(`cannot open the recording ${path}: ${words}`, code, { cause: e });
    }
    try {
      return await RecordingReader.read(path, file);
    } catch (e) {
      await file.close().catch(() => undefined);
      if (e instanceof RecordingFormatError && !e.message.startsWith(path)) {
        throw new RecordingFormatError(`${path}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  private static async read(path: string, file: FileHandle): Promise<RecordingReader> {
    const size = (await file.stat()).size;
    const notRecording = (why: string) => new RecordingFormatError(`${path} is not a TrayVNC recording: ${why}`);
    if (size === 0) throw notRecording('the file is empty');
    const first = await readAt(file, 0, Math.min(size, 64));
    if (!isTrayVncRecording(first)) {
      const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
      throw notRecording(gzip ? "it is gzip data, but without a recording's member header" : 'it is not gzip data');
    }
    const header = await readHeader(file, size);
    const base = { path, header, bytes: size };
    const tail = await findIndexMember(file, size);
    if (tail) {
      const { index } = tail;
      const info: RecordingInfo = {
        ...base,
        complete: true,
        durationMs: tail.durationMs,
        updates: index.updates,
        keyframes: index.keyframes.length,
        events: index.events,
        viewers: index.viewers,
        truncatedAtMs: null,
        endReason: tail.reason,
      };
      return new RecordingReader(file, size, info, index.keyframes, null);
    }
    const scan = await scanRecording(file, size);
    const complete = scan.end !== null;
    const info: RecordingInfo = {
      ...base,
      complete,
      durationMs: scan.end ? scan.end.durationMs : scan.lastT,
      updates: scan.index.updates,
      keyframes: scan.index.keyframes.length,
      events: scan.index.events,
      viewers: scan.index.viewers,
      truncatedAtMs: complete ? null : scan.lastT,
      endReason: scan.end ? scan.end.reason : null,
    };
    return new RecordingReader(file, size, info, scan.index.keyframes, complete ? null : scan.lastMemberOffset);
  }

  get header(): RecordingHeader {
    return this.summary.header;
  }

  get complete(): boolean {
    return this.summary.complete;
  }

  get durationMs(): number {
    return this.summary.durationMs;
  }

  info(): RecordingInfo {
    return { ...this.summary, events: { ...this.summary.events }, viewers: this.summary.viewers.map((v) => ({ ...v })) };
  }

  /**
   * Every record from the start of the keyframe member at or before `fromMs`
   * (the first member when none is), to the end of the recording: for
   * member 0 that is HEADER first, otherwise that member's KEYFRAME. A file
   * cut short plays up to its last whole record. Only the members from
   * there on are read.
   */
  async *records(fromMs = 0): AsyncGenerator<RecordingRecord, void, void> {
    let offset = 0;
    for (const k of this.keyframes) if (k.t <= fromMs) offset = k.offset;
    for (let ordinal = -1; offset < this.size; ) {
      // Trouble at or past where the scan stopped is the cut the file ends with; before it, it is damage.
      const atCut = this.stopsAt !== null && offset >= this.stopsAt;
      const damaged = (e: unknown) => new RecordingFormatError(`${this.summary.path}: ${(e as Error).message}`, { cause: e });
      let member: MemberStream | null;
      try {
        member = await MemberStream.open(this.file, offset, this.size);
      } catch (e) {
        if (atCut) return;
        throw damaged(e);
      }
      const tag = member?.header.tag;
      if (!member || !tag || (ordinal >= 0 && tag.ordinal !== ordinal + 1)) {
        if (atCut) return;
        throw damaged(new Error(`the gzip member at byte ${offset} is not the next member of this recording`));
      }
      ordinal = tag.ordinal;
      const parser = new RecordParser();
      try {
        for await (const piece of member.chunks()) yield* parser.push(piece);
      } catch (e) {
        if (atCut) return;
        throw damaged(e);
      }
      if (!member.result || member.result.next === null) return;
      offset = member.result.next;
    }
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

/** The HEADER, the first record of member 0; only as much of the member is inflated as it takes. */
async function readHeader(file: FileHandle, size: number): Promise<RecordingHeader> {
  const member = await MemberStream.open(file, 0, size);
  if (member) {
    const framer = new RecordFramer();
    for await (const piece of member.chunks()) {
      const raw = framer.push(piece)[0];
      if (!raw) continue;
      if (raw.type !== RecordType.Header) throw new RecordingFormatError('the recording does not begin with a HEADER record');
      const record = decodeRecord(raw);
      if (record?.type === 'header') return record.header;
    }
  }
  throw new RecordingFormatError('the file is cut short before the end of its HEADER record');
}
