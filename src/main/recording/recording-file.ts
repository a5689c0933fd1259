import { open } from 'node:fs/promises';

/**
 * Where a recording's bytes go: the file, behind the two calls the writer
 * makes, and the sentences its failures become. Tests put a different sink
 * here (RecordingWriterOptions.openFile) to make a disk fail on demand where
 * they cannot fill a real one.
 */

export interface RecordingFile {
  /** Write all of `data` at `position`; rejects with Node's error (its `code` says why). */
  write(data: Buffer, position: number): Promise<void>;
  close(): Promise<void>;
}

/** A recording that could not start or could not go on; `code` is Node's (ENOSPC, EEXIST…) or the writer's own. */
export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What Node's file error codes mean, in words. */
const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EIO: 'the disk reported an input/output error',
  EROFS: 'the file system is read-only',
  EFBIG: 'the file is larger than the file system allows',
  EEXIST: 'a file of that name already exists',
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'part of the path is not a folder',
  EISDIR: 'that is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
};

/**
 * "the disk is full (ENOSPC)", or Node's own message for a code without
 * words here. Reading an existing file, ENOENT means the file itself is
 * missing, not its folder.
 */
export function fileProblem(e: unknown, doing: 'creating' | 'reading' = 'creating'): { code: string; words: string } {
  const code = (e as NodeJS.ErrnoException | null)?.code ?? 'EUNKNOWN';
  const reason = doing === 'reading' && code === 'ENOENT' ? 'there is no such file' : REASONS[code];
  return { code, words: reason ? `${reason} (${code})` : e instanceof Error ? e.message : String(e) };
}

/**
 * Create the recording's file: exclusively (never over an existing file, a
 * recording included) and readable by its owner alone (it shows the screen,
 * and may hold typed keys and clipboard text).
 */
export async function openRecordingFile(path: string): Promise<RecordingFile> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (e) {
    const { code, words } = fileProblem(e);
    throw new RecordingError(`cannot record to ${path}: ${words}`, code, { cause: e });
  }
  const fh = handle;
  return {
    async write(data, position) {
      // A write may store fewer bytes than asked (a disk filling up): go on from there until it all went or one fails.
      for (let done = 0; done < data.length; ) {
        const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
        if (bytesWritten === 0) throw Object.assign(new Error('no bytes written'), { code: 'EIO' });
        done += bytesWritten;
      }
    },
    close: () => fh.close(),
  };
}
