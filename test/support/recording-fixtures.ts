/**
 * Helpers for the recording tests: a sample HEADER, RFB update bytes, a
 * scripted recording with a fake clock, and — so the tests do not check the
 * reader against itself — a small gzip member walker and record framer
 * written here from RFC 1952 and docs/recording-format.md, using nothing from
 * src/main/recording (node:zlib inflates the deflate data).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import type { RecordingEvent, RecordingHeader, RecordingRecord } from '../../src/main/recording/format.js';
import { RecordingWriter, type RecordingSummary, type RecordingWriterOptions } from '../../src/main/recording/writer.js';
import { RECORDING_PIXEL_FORMAT } from '../../src/main/recording/recorder.js';
import { prng } from './prng.js';

export const HEADER: RecordingHeader = {
  format: 'trayvnc-recording',
  version: 1,
  server: 'TrayVNC 0.1.0',
  startedAt: '2026-12-06T21:58:00.000Z',
  width: 64,
  height: 48,
  pixelFormat: RECORDING_PIXEL_FORMAT,
  frameRate: 30,
  host: 'workstation',
  desktopName: 'workstation',
  keys: true,
  clipboardText: true,
};

/** A temporary folder under os.tmpdir(); `remove()` takes it away. */
export function tempDir(prefix = 'trayvnc-rec-'): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A FramebufferUpdate (RFC 6143 §7.6.1) with one Raw rectangle of 32-bit pixels from `pixel(x, y)`. */
export function rawUpdate(x: number, y: number, w: number, h: number, pixel: (x: number, y: number) => number): Buffer {
  const out = Buffer.alloc(4 + 12 + w * h * 4);
  out.writeUInt8(0, 0); // message type FramebufferUpdate
  out.writeUInt16BE(1, 2); // one rectangle
  out.writeUInt16BE(x, 4);
  out.writeUInt16BE(y, 6);
  out.writeUInt16BE(w, 8);
  out.writeUInt16BE(h, 10);
  out.writeInt32BE(0, 12); // Raw
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) out.writeUInt32LE(pixel(x + i, y + j) >>> 0, 16 + (j * w + i) * 4);
  return out;
}

/** One of every event kind, for clients c1 and c2. */
export const EVERY_EVENT: RecordingEvent[] = [
  { kind: 'connect', client: 'c1', address: '10.0.0.5:50123', viewOnly: false },
  { kind: 'connect', client: 'c2', address: '[::1]:40000', viewOnly: true },
  { kind: 'control', client: 'c2', address: '[::1]:40000', viewOnly: false },
  { kind: 'pointer', client: 'c1', x: 10, y: 20, buttons: 1 },
  { kind: 'key', client: 'c1', keysym: 0xff0d, down: true },
  { kind: 'clipboard', direction: 'from-viewer', client: 'c1', bytes: 5, text: 'héllo' },
  { kind: 'clipboard', direction: 'to-viewers', bytes: 3 },
  { kind: 'resize', width: 80, height: 60 },
  { kind: 'marker', label: 'lunch ☕' },
  { kind: 'error', message: 'just a test' },
  { kind: 'disconnect', client: 'c1', address: '10.0.0.5:50123', reason: 'viewer closed the connection' },
];

export type ScriptStep =
  | { at: number; op: 'keyframe'; width: number; height: number; update: Buffer }
  | { at: number; op: 'update'; update: Buffer }
  | { at: number; op: 'event'; event: RecordingEvent };

/**
 * A recording's worth of calls at fake times: a keyframe every
 * `keyframeEveryMs`, an update or an event every `stepMs` between, every
 * event kind along the way. Deterministic from `seed`; pixels partly random
 * so members are not all alike.
 */
export function script(opts: { durationMs: number; stepMs: number; keyframeEveryMs: number; seed?: number; w?: number; h?: number }): ScriptStep[] {
  const rand = prng(opts.seed ?? 1);
  const w = opts.w ?? HEADER.width;
  const h = opts.h ?? HEADER.height;
  const steps: ScriptStep[] = [];
  let nextKeyframe = 0;
  let e = 0;
  for (let at = 0; at <= opts.durationMs; at += opts.stepMs) {
    if (at >= nextKeyframe) {
      const seed = Math.floor(rand() * 0xffffff);
      steps.push({ at, op: 'keyframe', width: w, height: h, update: rawUpdate(0, 0, w, h, (x, y) => (x * 7 + y * 13 + seed) & 0xffffff) });
      nextKeyframe += opts.keyframeEveryMs;
    } else if (rand() < 0.6) {
      const x = Math.floor(rand() * (w - 8));
      const y = Math.floor(rand() * (h - 8));
      steps.push({ at, op: 'update', update: rawUpdate(x, y, 8, 8, () => Math.floor(rand() * 0xffffff)) });
    } else {
      steps.push({ at, op: 'event', event: EVERY_EVENT[e++ % EVERY_EVENT.length]! });
    }
  }
  return steps;
}

/** The records a reader should give for a script (after the HEADER), in order. */
export function expectedRecords(steps: ScriptStep[]): RecordingRecord[] {
  return steps.map((s): RecordingRecord => {
    if (s.op === 'keyframe') return { type: 'keyframe', t: s.at, width: s.width, height: s.height, update: s.update };
    if (s.op === 'update') return { type: 'update', t: s.at, update: s.update };
    return { type: 'event', t: s.at, event: s.event };
  });
}

/** `gzip -dc path`: what the system's gzip makes of a file (bounded to 20 s). */
export function gzipDc(path: string): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync('gzip', ['-dc', path], { timeout: 20_000, maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** Make the writer call a script step stands for. */
export function play(w: RecordingWriter, s: ScriptStep): void {
  if (s.op === 'keyframe') w.keyframe(s.width, s.height, s.update);
  else if (s.op === 'update') w.update(s.update);
  else w.event(s.event);
}

/**
 * Record a script to `path` with a fake clock, all at once, and finish at
 * `finishAt` (default: the last step's time + 10). `between` runs after
 * each step (a test may wait for the file there).
 */
export async function recordScript(
  path: string,
  steps: ScriptStep[],
  opts: { finishAt?: number; writer?: Partial<RecordingWriterOptions>; between?: (w: RecordingWriter, s: ScriptStep, i: number) => Promise<void> | void } = {},
): Promise<{ summary: RecordingSummary; finishAt: number }> {
  let now = 0;
  const w = await RecordingWriter.open({ path, header: HEADER, now: () => now, ...opts.writer });
  for (let i = 0; i < steps.length; i++) {
    now = steps[i]!.at;
    play(w, steps[i]!);
    await opts.between?.(w, steps[i]!, i);
  }
  const finishAt = opts.finishAt ?? (steps.at(-1)?.at ?? 0) + 10;
  now = finishAt;
  return { summary: await w.finish('test over'), finishAt };
}

// ---- independent reading: RFC 1952 by hand, records by the format document ----

export interface WalkedMember {
  offset: number;
  flags: number;
  /** The TV subfield, when the member has one. */
  tv: { kind: number; t: number; ordinal: number } | null;
  /** Offset just past the member, or the end of the buffer when it was cut. */
  end: number;
  /** What inflates (everything, or up to the cut). */
  data: Buffer;
  complete: boolean;
}

/** Walk the gzip members of `file` from the start, stopping at the first one cut short (or a header cut short). */
export function walkGzipMembers(file: Buffer): WalkedMember[] {
  const members: WalkedMember[] = [];
  let at = 0;
  for (let guard = 0; at < file.length && guard < 100_000; guard++) {
    if (file.length - at < 10) break;
    if (file[at] !== 0x1f || file[at + 1] !== 0x8b || file[at + 2] !== 8) throw new Error(`no gzip member at ${at}`);
    const flags = file[at + 3]!;
    let p = at + 10;
    let tv: WalkedMember['tv'] = null;
    if (flags & 4) {
      if (file.length < p + 2) break;
      const xlen = file.readUInt16LE(p);
      if (file.length < p + 2 + xlen) break;
      for (let q = p + 2; q + 4 <= p + 2 + xlen; q += 4 + file.readUInt16LE(q + 2)) {
        if (file[q] === 0x54 && file[q + 1] === 0x56) {
          tv = { kind: file[q + 4]!, t: file.readUInt32LE(q + 5), ordinal: file.readUInt32LE(q + 9) };
        }
      }
      p += 2 + xlen;
    }
    if (flags & 8) p = file.indexOf(0, p) + 1;
    if (flags & 16) p = file.indexOf(0, p) + 1;
    if (flags & 2) p += 2;
    if (p <= at || p > file.length) break;
    // node:zlib's raw inflate reports how much input it consumed: where the deflate data ended.
    const r = zlib.inflateRawSync(file.subarray(p), { info: true, finishFlush: zlib.constants.Z_SYNC_FLUSH }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    const trailerAt = p + r.engine.bytesWritten;
    const complete = trailerAt + 8 <= file.length && r.engine.bytesWritten < file.length - p;
    if (complete) {
      if (file.readUInt32LE(trailerAt) !== zlib.crc32(r.buffer)) throw new Error(`CRC mismatch in the member at ${at}`);
      if (file.readUInt32LE(trailerAt + 4) !== r.buffer.length % 2 ** 32) throw new Error(`ISIZE mismatch in the member at ${at}`);
    }
    members.push({ offset: at, flags, tv, end: complete ? trailerAt + 8 : file.length, data: r.buffer, complete });
    if (!complete) break;
    at = trailerAt + 8;
  }
  return members;
}

export interface FramedRecord {
  type: number;
  t: number;
  payload: Buffer;
}

/** The whole records in `data`: 1 byte type, u32 BE ms, u32 BE length, payload. A cut last record is left out. */
export function frameRecords(data: Buffer): FramedRecord[] {
  const out: FramedRecord[] = [];
  for (let p = 0; p + 9 <= data.length; ) {
    const length = data.readUInt32BE(p + 5);
    if (p + 9 + length > data.length) break;
    out.push({ type: data[p]!, t: data.readUInt32BE(p + 1), payload: data.subarray(p + 9, p + 9 + length) });
    p += 9 + length;
  }
  return out;
}

/** Every whole record a (possibly cut) file holds, by the independent walker: a record never spans members. */
export function recordsInFile(file: Buffer): FramedRecord[] {
  return walkGzipMembers(file).flatMap((m) => frameRecords(m.data));
}
