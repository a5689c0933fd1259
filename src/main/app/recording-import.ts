import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Logger } from 'pino';
import { ControlError } from '../../shared/control-contract.js';
import { IMPORT_MAX_BYTES, type RecordingImportChunk, type RecordingImportResult, type RecordingListItem } from '../../shared/recording-contract.js';
import { importName, numberedName } from './import-name.js';

/** An upload with no chunk for this long is dropped with its partial file. */
export const IMPORT_IDLE_MS = 60_000;
/** Uploads one connection may have open at once, and all connections together. */
const MAX_UPLOADS_PER_PEER = 4;
const MAX_UPLOADS = 16;
/** Names tried (name, name-2, … name-N) before giving up. */
const MAX_NAME_TRIES = 1000;

export interface RecordingImportsOptions {
  /** The recordings folder (made if missing). */
  dir: () => string;
  /** Why the file at `path` is not a recording that can be listed, or null when it is one. */
  problem: (path: string) => Promise<string | null>;
  /** The file `name`, now in the folder, as the list shows it. */
  item: (name: string) => Promise<RecordingListItem>;
  log: Logger;
  idleMs?: number;
  maxBytes?: number;
}

interface Upload {
  owner: object;
  id: string;
  /** The name the uploader gave (only ever used to make the folder's name, and in messages, quoted). */
  name: string;
  /** The partial file: hidden, so the list never shows it, and in the folder, so finishing is a rename. */
  path: string;
  file: FileHandle | null;
  received: number;
  timer: NodeJS.Timeout | null;
  /** Chunks and the final discard run one after another, in the order they came. */
  queue: Promise<unknown>;
  /** Dropped (refused chunk, timeout, connection gone): later chunks are refused. */
  dropped: boolean;
}

const quoted = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);

/**
 * Files uploaded into the recordings folder through the control API
 * (importRecording), a chunk per call. Each upload writes to a temp file of
 * its own in the folder (created 0600 with `wx`: never an existing file),
 * only at the offset where the last chunk ended and never past the size
 * limit. The last chunk closes it, checks that it is a recording (anything
 * else is removed), and renames it to a safe name made from the original
 * that no file has yet (import-name.ts). Uploads belong to the connection
 * that started them: they end with it, or after a while without a chunk.
 */
export class RecordingImports {
  private readonly uploads = new Map<object, Map<string, Upload>>();
  private count = 0;
  /** Folders already swept of uploads a killed server left behind. */
  private readonly swept = new Set<string>();
  private readonly idleMs: number;
  private readonly maxBytes: number;

  constructor(private readonly opts: RecordingImportsOptions) {
    this.idleMs = opts.idleMs ?? IMPORT_IDLE_MS;
    this.maxBytes = opts.maxBytes ?? IMPORT_MAX_BYTES;
  }

  /** Uploads in progress (all connections). */
  get active(): number {
    return this.count;
  }

  /** One chunk from `owner` (a connection). Everything before the first await runs at once, so chunks queue in the order they came. */
  async chunk(owner: object, c: RecordingImportChunk): Promise<RecordingImportResult> {
    let up = this.uploads.get(owner)?.get(c.upload);
    if (!up) {
      if (c.offset !== 0) throw new ControlError(`no upload ${c.upload} in progress (an upload starts at offset 0; one left idle or refused is dropped)`, 'invalid-params');
      up = this.begin(owner, c);
    }
    const upload = up;
    const run = upload.queue.then(() => this.write(upload, c));
    upload.queue = run.catch(() => undefined);
    return run;
  }

  /** Drop every upload of `owner` (its connection closed). */
  dropAll(owner: object): void {
    for (const up of [...(this.uploads.get(owner)?.values() ?? [])]) this.drop(up, 'its connection closed');
  }

  /** Drop every upload (the service stops). */
  close(): void {
    for (const owner of [...this.uploads.keys()]) this.dropAll(owner);
  }

  /**
   * Remove temp files of uploads a killed server left in the folder (they are
   * never listed, but take space), once per folder. Only those untouched for
   * longer than an upload may stay idle, so a live upload is never removed.
   */
  private async sweepLeftovers(dir: string): Promise<void> {
    if (this.swept.has(dir)) return;
    this.swept.add(dir);
    const names = await readdir(dir).catch(() => [] as string[]);
    const before = Date.now() - 2 * this.idleMs;
    for (const n of names.filter((name) => /^\.import-[\w-]+\.part$/.test(name))) {
      const path = join(dir, n);
      const st = await stat(path).catch(() => null);
      if (st && st.mtimeMs < before) await unlink(path).catch(() => undefined);
    }
  }

  /** Register the upload at once (a second chunk may come before the file is open); the file is made first in its queue. */
  private begin(owner: object, c: RecordingImportChunk): Upload {
    const mine = this.uploads.get(owner);
    if ((mine?.size ?? 0) >= MAX_UPLOADS_PER_PEER || this.count >= MAX_UPLOADS) {
      throw new ControlError(`too many uploads at once: finish one first (at most ${MAX_UPLOADS_PER_PEER} per connection)`, 'failed');
    }
    const dir = this.opts.dir();
    // A relative path would land wherever the process happens to run.
    if (!isAbsolute(dir)) throw new ControlError('cannot import: the recordings folder is not known', 'failed');
    const up: Upload = {
      owner,
      id: c.upload,
      name: c.name,
      path: join(dir, `.import-${randomBytes(9).toString('base64url')}.part`),
      file: null,
      received: 0,
      timer: null,
      queue: Promise.resolve(),
      dropped: false,
    };
    const map = mine ?? new Map<string, Upload>();
    map.set(up.id, up);
    this.uploads.set(owner, map);
    this.count++;
    this.touch(up);
    up.queue = (async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await this.sweepLeftovers(dir);
      up.file = await open(up.path, 'wx', 0o600);
    })().catch((e: unknown) => {
      this.drop(up, 'its file could not be made');
      throw new ControlError(`cannot import ${quoted(up.name)}: ${(e as Error).message}`, 'failed');
    });
    return up;
  }

  private async write(up: Upload, c: RecordingImportChunk): Promise<RecordingImportResult> {
    if (up.dropped || !up.file) throw new ControlError(`upload ${up.id} was dropped: start again`, 'failed');
    const refuse = (message: string): never => {
      this.drop(up, 'a chunk was refused');
      throw new ControlError(`${message}; the upload is dropped`, 'invalid-params');
    };
    if (c.name !== up.name) refuse(`upload ${up.id} is of ${quoted(up.name)}, not ${quoted(c.name)}`);
    if (c.offset !== up.received) refuse(`upload ${up.id}: the chunk at byte ${c.offset} is out of order (${up.received} bytes received, so the next starts there)`);
    const bytes = Buffer.from(c.data, 'base64');
    if (up.received + bytes.length > this.maxBytes) refuse(`${quoted(up.name)} is too big to import (at most ${formatLimit(this.maxBytes)})`);
    this.touch(up);
    try {
      for (let done = 0; done < bytes.length; ) done += (await up.file.write(bytes, done, bytes.length - done, c.offset + done)).bytesWritten;
    } catch (e) {
      this.drop(up, 'writing failed');
      throw new ControlError(`cannot import ${quoted(up.name)}: ${(e as Error).message}`, 'failed');
    }
    up.received += bytes.length;
    if (!c.last) return { upload: up.id, received: up.received, item: null };
    return this.finish(up);
  }

  private async finish(up: Upload): Promise<RecordingImportResult> {
    this.forget(up);
    try {
      await up.file?.close();
      up.file = null;
      const problem = await this.opts.problem(up.path);
      if (problem) throw new ControlError(`${quoted(up.name)} is not a recording: ${problem}`, 'failed');
      const name = await this.place(up.path, importName(up.name));
      this.opts.log.info({ file: name, from: up.name, bytes: up.received }, `recording imported as ${name}`);
      return { upload: up.id, received: up.received, item: await this.opts.item(name) };
    } catch (e) {
      await this.discard(up);
      if (e instanceof ControlError) throw e;
      throw new ControlError(`cannot import ${quoted(up.name)}: ${(e as Error).message}`, 'failed');
    }
  }

  /**
   * Give the finished file the first free name of `wanted`, `wanted-2`, …:
   * the name is taken with `wx` (which fails on any existing file), then the
   * file is renamed onto that empty placeholder of ours — nothing else is
   * ever replaced.
   */
  private async place(temp: string, wanted: string): Promise<string> {
    const dir = this.opts.dir();
    for (let n = 1; n <= MAX_NAME_TRIES; n++) {
      const name = numberedName(wanted, n);
      let placeholder: FileHandle;
      try {
        placeholder = await open(join(dir, name), 'wx', 0o600);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      await placeholder.close();
      try {
        await rename(temp, join(dir, name));
      } catch (e) {
        await unlink(join(dir, name)).catch(() => undefined);
        throw e;
      }
      return name;
    }
    throw new Error(`${wanted} and ${MAX_NAME_TRIES - 1} numbered names are all taken`);
  }

  /** (Re)start the idle timer. */
  private touch(up: Upload): void {
    if (up.timer) clearTimeout(up.timer);
    up.timer = setTimeout(() => this.drop(up, `no chunk came for ${Math.round(this.idleMs / 1000)} s`), this.idleMs);
    up.timer.unref();
  }

  /** No longer an upload in progress (finished, or dropped). */
  private forget(up: Upload): void {
    if (up.timer) clearTimeout(up.timer);
    up.timer = null;
    const map = this.uploads.get(up.owner);
    if (map?.get(up.id) === up) {
      map.delete(up.id);
      this.count--;
      if (map.size === 0) this.uploads.delete(up.owner);
    }
  }

  /** Stop an upload and remove its partial file, after whatever of it is running now. */
  private drop(up: Upload, why: string): void {
    if (up.dropped) return;
    up.dropped = true;
    this.forget(up);
    this.opts.log.info({ upload: up.id, from: up.name, bytes: up.received }, `recording upload dropped: ${why}`);
    up.queue = up.queue.catch(() => undefined).then(() => this.discard(up));
  }

  private async discard(up: Upload): Promise<void> {
    up.dropped = true;
    const file = up.file;
    up.file = null;
    await file?.close().catch(() => undefined);
    await unlink(up.path).catch(() => undefined); // never made, or already renamed: nothing to remove
  }
}

function formatLimit(bytes: number): string {
  return bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3} GiB` : `${bytes} bytes`;
}
