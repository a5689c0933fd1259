import type { MemberWriter } from './member-writer.js';
import type { RecordingFile } from './recording-file.js';

/**
 * The members of a recording on their way into its file. Members compress
 * side by side (the next keyframe's member starts before the last one has
 * finished), but the file takes them one after another: one loop here
 * writes whatever the oldest member has ready, moves on once that member's
 * trailer is written, and notes where each member starts in the file (the
 * offsets the index lists).
 */
export class MemberFileQueue {
  /** Bytes in the file so far: where the next write goes. */
  position = 0;
  /** Bytes of the write in progress. */
  private writing = 0;
  private members: MemberWriter[] = [];
  private pumping: Promise<void> | null = null;
  private stopped = false;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly file: RecordingFile,
    /** A write failed (or the loop itself did): the owner stops the recording; the loop has stopped writing. */
    private readonly failed: (e: unknown) => void,
  ) {}

  add(member: MemberWriter): void {
    if (!this.stopped) this.members.push(member);
  }

  /** A member has more ready: write it when its turn comes. */
  ready(): void {
    void this.pump();
  }

  /** Bytes recorded and not yet in the file: waiting to be compressed, or compressed and waiting to be written. */
  get queuedBytes(): number {
    let n = this.writing;
    for (const m of this.members) n += m.queuedBytes;
    return n;
  }

  /** Resolves once every member has compressed what it was given and all of it is written. */
  async drain(): Promise<void> {
    await Promise.all(this.members.map((m) => m.quiet()));
    await this.pump();
  }

  /** Write bytes that are not a member being compressed (the index member, made whole at once); rejects as the file does. */
  async append(data: Buffer): Promise<void> {
    await this.pumping;
    await this.file.write(data, this.position);
    this.position += data.length;
  }

  /** Drop everything not yet written; the loop stops after the write it is in. */
  stop(): void {
    this.stopped = true;
    for (const m of this.members) m.destroy();
    this.members = [];
  }

  /** Close the file once the loop is done with it; once. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.pumping;
      await this.file.close().catch(() => undefined);
    })();
    return this.closed;
  }

  private pump(): Promise<void> {
    this.pumping ??= this.writeReady().finally(() => {
      this.pumping = null;
    });
    return this.pumping;
  }

  private async writeReady(): Promise<void> {
    try {
      while (!this.stopped) {
        const m = this.members[0];
        if (!m) return;
        if (m.hasOutput) {
          if (m.fileOffset < 0) m.fileOffset = this.position;
          const chunks = m.take();
          const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          this.writing = data.length;
          await this.file.write(data, this.position);
          this.writing = 0;
          this.position += data.length;
        } else if (m.finished) {
          this.members.shift();
        } else return;
      }
    } catch (e) {
      this.stopped = true;
      this.writing = 0;
      this.failed(e);
    }
  }
}
