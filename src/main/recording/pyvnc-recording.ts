import { open, type FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';
import { readAt } from './member-stream.js';
import { toEntry, toFooter, type PyVncEntry, type PyVncFooter } from './pyvnc-events.js';
import { isTrayVncRecording } from './reader.js';
import { fileProblem, RecordingError } from './recording-file.js';

/**
 * PyVNCServer's `.vnc.gz` (the Python project TrayVNC grew from): gzip of
 * JSON lines — a header line, one line per event with its bytes in hex, and a
 * footer line unless the writer died. Its updates hold only where the screen
 * changed, never pixels, so what can be shown is a timeline. Read as a stream,
 * a line at a time: memory stays bounded whatever the file's length.
 */

export type { PyVncEntry, PyVncFooter, PyVncRect } from './pyvnc-events.js';

export const PYVNC_NO_PICTURES = 'This is a PyVNCServer recording: it holds no pictures, only a timeline (changed areas, input, clipboard)';

export interface PyVncHeader {
  version: string;
  sessionId: string;
  startTime: string;
}

/** What the file holds, in order: the header, then events (with PyVNCServer's name), lines that are not events, and the footer. */
export type PyVncItem =
  | { type: 'header'; header: PyVncHeader }
  | { type: 'event'; eventType: string; entry: PyVncEntry }
  | { type: 'damaged'; line: number; why: string }
  | { type: 'footer'; footer: PyVncFooter }
  /** The data stops before the footer: the writer died, or the file was cut (`why`). */
  | { type: 'cut'; why: string };

/** A line longer than this is no event PyVNCServer writes (clipboard text is the largest): it is skipped, not held. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/** What a file is, from its content: the name proves nothing. Rejects only when the file cannot be read. */
export async function recordingKind(path: string): Promise<'trayvnc' | 'pyvncserver' | 'unknown'> {
  const file = await openForReading(path);
  try {
    const first = await readAt(file, 0, 4096).catch((e: unknown) => {
      const { code, words } = fileProblem(e, 'reading');
      throw new RecordingError(`cannot read ${path}: ${words}`, code, { cause: e });
    });
    if (isTrayVncRecording(first)) return 'trayvnc';
    if (first.length < 2 || first[0] !== 0x1f || first[1] !== 0x8b) return 'unknown';
    let text: string;
    try {
      // The header line is short: the first 4 KiB inflate to it (and to at most a few MiB, whatever the file).
      text = zlib.gunzipSync(first, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('utf8');
    } catch {
      return 'unknown';
    }
    const nl = text.indexOf('\n');
    return pyVncHeader(nl >= 0 ? text.slice(0, nl) : text) ? 'pyvncserver' : 'unknown';
  } finally {
    await file.close();
  }
}

async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    const { code, words } = fileProblem(e, 'reading');
    throw new RecordingError(`cannot open ${path}: ${words}`, code, { cause: e });
  }
}

function jsonObject(line: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The header line's fields, or null when the line is not PyVNCServer's header. */
function pyVncHeader(line: string): PyVncHeader | null {
  const o = jsonObject(line);
  if (!o || !('version' in o) || typeof o['session_id'] !== 'string' || typeof o['start_time'] !== 'string') return null;
  return { version: String(o['version']), sessionId: o['session_id'], startTime: o['start_time'] };
}

/**
 * Every item of a PyVNCServer recording, as it is inflated. Throws a
 * RecordingError when the file cannot be read or is not one; a file that
 * ends early ends with a `cut` item instead of a footer.
 */
export async function* readPyVncRecording(path: string): AsyncGenerator<PyVncItem, void, void> {
  const file = await openForReading(path);
  const lines = new LineSplitter();
  let lineNo = 0;
  let ended = false;
  const take = function* (line: Buffer | null): Generator<PyVncItem> {
    lineNo++;
    if (line === null) {
      yield { type: 'damaged', line: lineNo, why: `longer than ${MAX_LINE_BYTES} bytes` };
      return;
    }
    const text = line.toString('utf8');
    if (lineNo === 1) {
      const header = pyVncHeader(text);
      if (!header) throw new RecordingError(`${path} is not a PyVNCServer recording: its first line is not a PyVNCServer header`, 'EFORMAT');
      yield { type: 'header', header };
      return;
    }
    if (text.trim() === '') return;
    const o = jsonObject(text);
    if (!o) yield { type: 'damaged', line: lineNo, why: 'not JSON' };
    else if (typeof o['event_type'] === 'string') {
      const entry = toEntry(o);
      yield entry ? { type: 'event', eventType: o['event_type'], entry } : { type: 'damaged', line: lineNo, why: 'an event without a time' };
    } else if ('end_time' in o || 'duration_seconds' in o) {
      ended = true;
      yield { type: 'footer', footer: toFooter(o) };
    } else yield { type: 'damaged', line: lineNo, why: 'neither an event nor the footer' };
  };
  let cut: string | null = null;
  try {
    const source = file.createReadStream({ autoClose: false });
    const inflated = zlib.createGunzip();
    // pipe() does not pass a read error on: without this the loop below would wait for data forever.
    source.on('error', (e) => inflated.destroy(e));
    source.pipe(inflated);
    try {
      for await (const chunk of inflated as AsyncIterable<Buffer>) {
        for (const line of lines.push(chunk)) {
          yield* take(line);
          if (ended) return;
        }
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!code.startsWith('Z_')) {
        const problem = fileProblem(e, 'reading');
        throw new RecordingError(`cannot read ${path}: ${problem.words}`, problem.code, { cause: e });
      }
      // Inflating stopped: the gzip data ends early (a writer killed before closing it) or is damaged there.
      cut = code === 'Z_BUF_ERROR' ? 'the gzip data ends early' : `the gzip data is damaged (${(e as Error).message})`;
      if (lineNo === 0 && lines.empty) throw new RecordingError(`${path} is not a PyVNCServer recording: ${cut}`, 'EFORMAT', { cause: e });
    } finally {
      source.destroy();
      inflated.destroy();
    }
    // The last line, when no newline follows: whole if the data ended cleanly, the cut's remains otherwise.
    const rest = lines.rest();
    if (rest && (cut === null || jsonObject(rest.toString('utf8')))) {
      yield* take(rest);
      if (ended) return;
    }
    if (lineNo === 0) throw new RecordingError(`${path} is not a PyVNCServer recording: it holds no lines`, 'EFORMAT');
    yield { type: 'cut', why: cut ?? 'there is no footer line (the recorder did not finish)' };
  } finally {
    await file.close();
  }
}

/** Splits bytes into lines without holding more than one line (and skips, as null, one past MAX_LINE_BYTES). */
class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  get empty(): boolean {
    return this.size === 0 && !this.skipping;
  }

  *push(chunk: Buffer): Generator<Buffer | null> {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      const piece = chunk.subarray(from, nl);
      from = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        yield null;
        continue;
      }
      const line = this.size === 0 ? piece : Buffer.concat([...this.parts, piece]);
      this.parts = [];
      this.size = 0;
      if (line.length > MAX_LINE_BYTES) yield null;
      else yield line;
    }
    if (this.skipping || from >= chunk.length) return;
    // Copy: the stream may reuse the chunk's memory.
    this.parts.push(Buffer.from(chunk.subarray(from)));
    this.size += chunk.length - from;
    if (this.size > MAX_LINE_BYTES) {
      this.parts = [];
      this.size = 0;
      this.skipping = true;
    }
  }

  rest(): Buffer | null {
    if (this.skipping || this.size === 0) return null;
    return Buffer.concat(this.parts);
  }
}

/** The timeline alone, for a player: every event in file order (times as written, which PyVNCServer keeps rising). */
export async function* pyVncTimeline(path: string): AsyncGenerator<PyVncEntry, void, void> {
  for await (const item of readPyVncRecording(path)) if (item.type === 'event') yield item.entry;
}
