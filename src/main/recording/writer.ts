import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { MAX_U32, MemberKind, recordBytes, type RecordingEvent, type RecordingHeader, type RecordingRecord } from './format.js';
import { encodeMember } from './gzip-member.js';
import { IndexBuilder } from './index-builder.js';
import { MemberFileQueue } from './member-file-queue.js';
import { MemberWriter } from './member-writer.js';
import { fileProblem, openRecordingFile, RecordingError, type RecordingFile } from './recording-file.js';

/**
 * Writes a recording (docs/recording-format.md) while it happens. The
 * recorder calls keyframe/update/event from the capture path, so those calls
 * only queue: compression runs on zlib's thread pool, and the file takes the
 * members in order (member-file-queue.ts). A sync flush at least every
 * `flushIntervalMs` bounds what a kill loses. When the disk fails or cannot
 * keep up, the recording stops on its own and says why; it never throws at
 * the recorder and never leaves an 'error' event unhandled.
 */

export interface RecordingWriterOptions {
  path: string;
  header: RecordingHeader;
  /** Milliseconds from a monotonic clock; default performance.now. */
  now?: () => number;
  /** Longest time data waits in the deflate stream before a sync flush; default 1000. */
  flushIntervalMs?: number;
  /** More than this waiting to be compressed or written means the disk cannot keep up; default 64 MiB. */
  maxQueuedBytes?: number;
  /** zlib level, 1 (fast) to 9 (small); default zlib's (6). */
  level?: number;
  /** Where the bytes go; default a new file at `path` (flag 'wx', mode 0600). Tests put a failing disk here. */
  openFile?: (path: string) => Promise<RecordingFile>;
}

export interface RecordingSummary {
  path: string;
  durationMs: number;
  bytes: number;
  updates: number;
  keyframes: number;
  events: number;
  /** The index was written: the file ends as a finished recording. */
  complete: boolean;
}

const MiB = 1024 * 1024;

export class RecordingWriter {
  private readonly now: () => number;
  private readonly start: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueuedBytes: number;
  private readonly level: number;
  private readonly index = new IndexBuilder();
  /** Every keyframe's time and the member it starts (its offset is known once that member is written). */
  private readonly keyframeMembers: Array<{ t: number; member: MemberWriter }> = [];
  private readonly queue: MemberFileQueue;
  /** The member that takes new records. */
  private current: MemberWriter;
  private nextOrdinal = 0;
  private lastT = 0;
  private lastFlushAt: number;
  private flushTimer: NodeJS.Timeout | null = null;
  private counts = { updates: 0, keyframes: 0, events: 0 };
  private accepting = true;
  private failed: RecordingError | null = null;
  private readonly failureListeners: Array<(e: Error) => void> = [];
  private finishing: Promise<RecordingSummary> | null = null;

  private constructor(
    private readonly path: string,
    file: RecordingFile,
    opts: RecordingWriterOptions,
  ) {
    this.queue = new MemberFileQueue(file, (e) => this.fail(writeError(e, this.path)));
    this.now = opts.now ?? (() => performance.now());
    this.start = this.now();
    this.lastFlushAt = this.start;
    this.flushIntervalMs = opts.flushIntervalMs ?? 1000;
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 64 * MiB;
    this.level = opts.level ?? zlib.constants.Z_DEFAULT_COMPRESSION;
    this.current = this.startMember(0);
    this.current.write(recordBytes({ type: 'header', t: 0, header: opts.header }));
  }

  /**
   * Create the file (never over an existing one) and write the HEADER. It
   * resolves once the HEADER is in the file, so a recording that could not
   * start says so here, and even a file cut at once opens as a recording.
   */
  static async open(opts: RecordingWriterOptions): Promise<RecordingWriter> {
    const file = await (opts.openFile ?? openRecordingFile)(opts.path);
    const writer = new RecordingWriter(opts.path, file, opts);
    await writer.flushed();
    if (writer.failed) {
      await writer.queue.close();
      // The file is ours (created exclusively) and holds no recording: take it away again.
      if (!opts.openFile) await rm(opts.path, { force: true }).catch(() => undefined);
      throw writer.failed;
    }
    return writer;
  }

  /** Milliseconds since the recording started. */
  elapsed(): number {
    return Math.max(0, this.now() - this.start);
  }

  /** A picture of the whole screen: starts a new member, except the first, which follows the HEADER in member 0. */
  keyframe(width: number, height: number, update: Buffer): void {
    if (!this.accepting) return;
    const t = this.stamp();
    if (this.counts.keyframes > 0) {
      this.current.end();
      this.current = this.startMember(t);
    }
    this.keyframeMembers.push({ t, member: this.current });
    this.counts.keyframes++;
    this.put({ type: 'keyframe', t, width, height, update });
  }

  /** A FramebufferUpdate on top of the last picture. Before the first keyframe there is nothing to apply it to: it is dropped. */
  update(update: Buffer): void {
    if (!this.accepting || this.counts.keyframes === 0) return;
    this.counts.updates++;
    this.index.update();
    this.put({ type: 'update', t: this.stamp(), update });
  }

  event(event: RecordingEvent): void {
    if (!this.accepting) return;
    this.counts.events++;
    this.index.event(event);
    this.put({ type: 'event', t: this.stamp(), event });
  }

  /** Why the recording stopped on its own (the disk is full, cannot keep up…), or null. */
  get failure(): Error | null {
    return this.failed;
  }

  /** Called once, when the recording stops on its own; at once (after this call returns) if it already has. */
  onFailure(listener: (e: Error) => void): void {
    if (this.failed) {
      const e = this.failed;
      queueMicrotask(() => callQuietly(listener, e));
    } else this.failureListeners.push(listener);
  }

  get stats(): { bytesWritten: number; updates: number; keyframes: number; events: number } {
    return { bytesWritten: this.queue.position, ...this.counts };
  }

  /** Bytes recorded and not yet in the file (waiting to be compressed or written). */
  get queuedBytes(): number {
    return this.queue.queuedBytes;
  }

  /** Resolves once everything recorded so far is compressed, sync-flushed and written to the file. */
  async flushed(): Promise<void> {
    if (this.failed || this.finishing) return;
    await this.writeAll();
  }

  /** Write the index member (INDEX, then END), and close the file. */
  finish(reason: string): Promise<RecordingSummary> {
    this.finishing ??= this.finishAndClose(reason);
    return this.finishing;
  }

  /** Close without the index, as if the process were killed right after a flush: the file reads as cut short. */
  async abort(): Promise<void> {
    if (this.finishing) {
      await this.finishing;
      return;
    }
    this.accepting = false;
    this.finishing = (async () => {
      await this.writeAll();
      await this.queue.close();
      return this.summary(false);
    })();
    await this.finishing;
  }

  /** Flush the open member, wait for every member's compression, and write it all. */
  private async writeAll(): Promise<void> {
    this.flushNow();
    await this.queue.drain();
  }

  private async finishAndClose(reason: string): Promise<RecordingSummary> {
    this.accepting = false;
    this.stopTimer();
    if (this.failed) return this.closeFailed();
    const t = this.stamp();
    this.current.end();
    await this.queue.drain();
    if (this.failed) return this.closeFailed();
    const keyframes = this.keyframeMembers.map(({ t: kt, member }) => ({ t: kt, offset: member.fileOffset }));
    const built = this.index.build(t);
    const data = Buffer.concat([
      recordBytes({ type: 'index', t, index: { ...built, keyframes } }),
      recordBytes({ type: 'end', t, durationMs: t, reason }),
    ]);
    const member = encodeMember({ kind: MemberKind.Index, t, ordinal: this.nextOrdinal++ }, data, this.level);
    try {
      await this.queue.append(member);
    } catch (e) {
      this.fail(writeError(e, this.path));
      return this.closeFailed();
    }
    await this.queue.close();
    return this.summary(true, t);
  }

  private async closeFailed(): Promise<RecordingSummary> {
    await this.queue.close();
    return this.summary(false);
  }

  private summary(complete: boolean, durationMs = this.lastT): RecordingSummary {
    return { path: this.path, durationMs, bytes: this.queue.position, ...this.counts, complete };
  }

  /** The time for a new record: whole milliseconds, never before the last record's. */
  private stamp(): number {
    this.lastT = Math.min(MAX_U32, Math.max(this.lastT, Math.floor(this.elapsed())));
    return this.lastT;
  }

  private startMember(t: number): MemberWriter {
    const member = new MemberWriter({ kind: MemberKind.Keyframe, t, ordinal: this.nextOrdinal++ }, this.level, {
      output: () => this.queue.ready(),
      error: (e) => this.fail(new RecordingError(`recording stopped: compressing failed (${e.message}) for ${this.path}`, 'EDEFLATE', { cause: e })),
    });
    this.queue.add(member);
    return member;
  }

  private put(record: RecordingRecord): void {
    let bytes: Buffer;
    try {
      bytes = recordBytes(record);
    } catch (e) {
      // Only a caller's bad value gets here (a size past 65535): the recording cannot hold it, so it stops and says so.
      this.fail(new RecordingError(`recording stopped: a ${record.type} could not be recorded (${(e as Error).message})`, 'EINVAL', { cause: e }));
      return;
    }
    this.current.write(bytes);
    if (this.queuedBytes > this.maxQueuedBytes) {
      const mib = Math.round(this.maxQueuedBytes / MiB);
      this.fail(new RecordingError(`recording stopped: the disk cannot keep up (more than ${mib} MiB waiting to be written to ${this.path})`, 'ESLOW'));
      return;
    }
    if (this.now() - this.lastFlushAt >= this.flushIntervalMs) this.flushNow();
    else if (!this.flushTimer) {
      // The clock rule above needs more records to come; the timer flushes when none do.
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flushNow();
      }, this.flushIntervalMs);
      this.flushTimer.unref();
    }
  }

  private flushNow(): void {
    this.stopTimer();
    this.lastFlushAt = this.now();
    if (!this.failed) this.current.flush();
  }

  private stopTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  /** Stop recording for good: drop what is queued, close the file as it is, tell the listeners. */
  private fail(e: RecordingError): void {
    if (this.failed) return;
    this.failed = e;
    this.accepting = false;
    this.stopTimer();
    this.queue.stop();
    void this.queue.close();
    const listeners = this.failureListeners.splice(0);
    // Not from inside the record call that noticed: a listener may call finish() or log, and the caller's stack should not see it.
    queueMicrotask(() => {
      for (const l of listeners) callQuietly(l, e);
    });
  }
}

/** A listener's exception is the listener's bug; it must not become the server's crash. */
function callQuietly(listener: (e: Error) => void, e: Error): void {
  try {
    listener(e);
  } catch {
    // ignored on purpose (see above)
  }
}

function writeError(e: unknown, path: string): RecordingError {
  const { code, words } = fileProblem(e);
  return new RecordingError(`recording stopped: ${words} writing ${path}`, code, { cause: e });
}
