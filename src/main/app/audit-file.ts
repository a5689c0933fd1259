import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { getLogger } from '../base/logger.js';

/**
 * Where the audit trail goes when no file is set: where the platform keeps
 * an application's logs — $XDG_STATE_HOME/trayvnc (~/.local/state/trayvnc),
 * ~/Library/Logs/TrayVNC on macOS, %LOCALAPPDATA%\TrayVNC on Windows.
 */
export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env, home = os.homedir(), platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return join(home, 'Library', 'Logs', 'TrayVNC', 'audit.jsonl');
  if (platform === 'win32') return join(env['LOCALAPPDATA'] || join(home, 'AppData', 'Local'), 'TrayVNC', 'audit.jsonl');
  const state = env['XDG_STATE_HOME'] || join(home, '.local', 'state');
  return join(state, 'trayvnc', 'audit.jsonl');
}

export interface AuditFileOptions {
  path: string;
  /** Rotate before the file would pass this size (default 10 MiB). */
  maxBytes?: number;
  /** Rotated files kept: path.1 (newest) … path.N (default 5). */
  keep?: number;
  /** Lines held while the file cannot be written, before the oldest are dropped (default 10 000). */
  maxQueued?: number;
  log?: Logger;
}

/** Bytes written in one go at most (a burst is written in a few large writes, not one per line). */
const BATCH_BYTES = 64 * 1024;
/** After a failed write, wait this long before trying again. */
const RETRY_MS = 5000;

/**
 * An append-only JSON-lines file, rotated by size. Lines are queued in
 * memory and written in order by one asynchronous writer, so appending
 * never waits on the disk; a line leaves the queue only once written, and a
 * rotation happens between writes (close, shift the old files along, open
 * anew), so no line is lost or split by one. When the file cannot be
 * written the lines wait (up to maxQueued) and the writer tries again.
 */
export class AuditFile {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly maxQueued: number;
  private readonly log: Logger;
  private readonly queue: string[] = [];
  private handle: FileHandle | null = null;
  private size = 0;
  private writing: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private failing = false;
  private dropped = 0;
  private closed = false;

  constructor(opts: AuditFileOptions) {
    this.path = opts.path;
    this.maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
    this.keep = Math.max(1, opts.keep ?? 5);
    this.maxQueued = opts.maxQueued ?? 10_000;
    this.log = opts.log ?? getLogger('audit');
  }

  /** Queue one record (written as one line); returns at once. */
  append(record: object): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueued) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(`${JSON.stringify(record)}\n`);
    if (!this.retry) this.kick();
  }

  /** Resolves once every line queued so far is written (or the writer gave up for now). */
  async flush(): Promise<void> {
    for (let i = 0; i < 1000 && (this.writing || (this.queue.length > 0 && !this.retry)); i++) {
      if (!this.writing) this.kick();
      await this.writing;
    }
  }

  /** Write what is queued and close the file. */
  async close(): Promise<void> {
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = null;
    }
    await this.flush();
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.dropped += this.queue.splice(0).length;
    if (this.dropped > 0) this.log.error({ file: this.path, dropped: this.dropped }, `${this.dropped} audit lines could not be written`);
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.drain()
      .catch((e: unknown) => this.failed(e))
      .finally(() => {
        this.writing = null;
        // Lines that arrived during the last write.
        if (this.queue.length > 0 && !this.retry && !this.closed) this.kick();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const handle = await this.ensureOpen();
      // Take lines up to the batch size, and never past the rotation size.
      let bytes = 0;
      let count = 0;
      for (const line of this.queue) {
        const n = Buffer.byteLength(line);
        if (count > 0 && (bytes + n > BATCH_BYTES || this.size + bytes + n > this.maxBytes)) break;
        if (count === 0 && this.size > 0 && this.size + n > this.maxBytes) break;
        bytes += n;
        count++;
      }
      if (count === 0) {
        await this.rotate();
        continue;
      }
      const text = this.queue.slice(0, count).join('');
      await handle.write(text);
      // Written: only now do the lines leave the queue.
      this.queue.splice(0, count);
      this.size += bytes;
      if (this.failing) {
        this.failing = false;
        this.log.info({ file: this.path }, 'the audit trail is written again');
      }
    }
  }

  private async ensureOpen(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const handle = await open(this.path, 'a', 0o600);
    this.size = (await handle.stat()).size;
    this.handle = handle;
    return handle;
  }

  /** path → path.1 → … → path.keep (the oldest goes). */
  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    await unlink(`${this.path}.${this.keep}`).catch(ignoreMissing);
    for (let i = this.keep - 1; i >= 1; i--) await rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(ignoreMissing);
    await rename(this.path, `${this.path}.1`).catch(ignoreMissing);
    this.size = 0;
  }

  private failed(e: unknown): void {
    if (!this.failing) this.log.error({ err: e, file: this.path }, `cannot write the audit trail to ${this.path}: ${(e as Error).message}`);
    this.failing = true;
    const handle = this.handle;
    this.handle = null;
    void handle?.close().catch(() => undefined);
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.queue.length > 0) this.kick();
    }, RETRY_MS);
    this.retry.unref();
  }
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
}
