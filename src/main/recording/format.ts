import type { PixelFormat } from '../../shared/pixel-format.js';

/**
 * The recording format's constants, types and record framing
 * (docs/recording-format.md). Pure: no I/O, so the writer, the reader and the
 * tests share one definition of what the bytes mean.
 */

export const RECORDING_FORMAT = 'trayvnc-recording';
export const RECORDING_VERSION = 1;

/** Record type numbers, as stored in each record's first byte. */
export const RecordType = { Header: 1, Keyframe: 2, Update: 3, Event: 4, Index: 5, End: 6 } as const;

/** Member kinds, as stored in the `TV` subfield of each gzip member's header. */
export const MemberKind = { Keyframe: 1, Index: 2 } as const;

/** type (1) + milliseconds (4) + payload length (4). */
export const RECORD_HEADER_BYTES = 9;

/** Times and lengths are u32: anything past this cannot be stored. */
export const MAX_U32 = 0xffff_ffff;

export interface RecordingHeader {
  format: 'trayvnc-recording';
  version: 1;
  server: string;
  startedAt: string;
  width: number;
  height: number;
  pixelFormat: PixelFormat;
  frameRate: number;
  host: string;
  desktopName: string;
  /** Whether key events were recorded at all (off by default: typed passwords stay out of files). */
  keys: boolean;
  /** Whether clipboard text was recorded, or only its size. */
  clipboardText: boolean;
}

export type RecordingEvent =
  | { kind: 'connect'; client: string; address: string; viewOnly: boolean }
  | { kind: 'disconnect'; client: string; address: string; reason: string }
  | { kind: 'control'; client: string; address: string; viewOnly: boolean }
  | { kind: 'pointer'; client: string; x: number; y: number; buttons: number }
  | { kind: 'key'; client: string; keysym: number; down: boolean }
  | { kind: 'clipboard'; direction: 'from-viewer' | 'to-viewers'; client?: string; bytes: number; text?: string }
  | { kind: 'resize'; width: number; height: number }
  | { kind: 'marker'; label: string }
  | { kind: 'error'; message: string };

export interface ViewerSummary {
  client: string;
  address: string;
  connects: number;
  pointer: number;
  keys: number;
  clipboard: number;
}

export interface RecordingIndex {
  /** Every keyframe member: the time of its KEYFRAME and the byte offset of its gzip header in the file. */
  keyframes: Array<{ t: number; offset: number }>;
  durationMs: number;
  updates: number;
  /** How many events of each kind. */
  events: Record<string, number>;
  viewers: ViewerSummary[];
}

export type RecordingRecord =
  | { type: 'header'; t: number; header: RecordingHeader }
  | { type: 'keyframe'; t: number; width: number; height: number; update: Buffer /* the FramebufferUpdate message */ }
  | { type: 'update'; t: number; update: Buffer }
  | { type: 'event'; t: number; event: RecordingEvent }
  | { type: 'index'; t: number; index: RecordingIndex }
  | { type: 'end'; t: number; durationMs: number; reason: string };

/** The bytes are not a recording this version can read, or are damaged. The message says which, for a person. */
export class RecordingFormatError extends Error {
  override readonly name = 'RecordingFormatError';
}

/** One record: the 9-byte header, then the payload. */
export function encodeRecord(type: number, t: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  writeRecordHeader(out, type, t, payload.length);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

function writeRecordHeader(out: Buffer, type: number, t: number, length: number): void {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) throw new RangeError(`record type ${type} is not a byte`);
  if (!Number.isInteger(t) || t < 0 || t > MAX_U32) throw new RangeError(`record time ${t} ms is not a u32`);
  if (length > MAX_U32) throw new RangeError(`a record payload of ${length} bytes does not fit a u32 length`);
  out.writeUInt8(type, 0);
  out.writeUInt32BE(t, 1);
  out.writeUInt32BE(length, 5);
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/** The bytes of a typed record: the inverse of decodeRecord. */
export function recordBytes(record: RecordingRecord): Buffer {
  switch (record.type) {
    case 'header':
      return encodeRecord(RecordType.Header, record.t, json(record.header));
    case 'keyframe': {
      // One allocation for header, size and picture: the caller's buffer is copied once, here.
      const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + 4 + record.update.length);
      writeRecordHeader(out, RecordType.Keyframe, record.t, 4 + record.update.length);
      out.writeUInt16BE(record.width, RECORD_HEADER_BYTES);
      out.writeUInt16BE(record.height, RECORD_HEADER_BYTES + 2);
      out.set(record.update, RECORD_HEADER_BYTES + 4);
      return out;
    }
    case 'update':
      return encodeRecord(RecordType.Update, record.t, record.update);
    case 'event':
      return encodeRecord(RecordType.Event, record.t, json(record.event));
    case 'index':
      return encodeRecord(RecordType.Index, record.t, json(record.index));
    case 'end':
      return encodeRecord(RecordType.End, record.t, json({ durationMs: record.durationMs, reason: record.reason }));
  }
}

/** A record as framed, before its payload is interpreted. `payload` is null when the parser was asked to skip it. */
export interface RawRecord {
  type: number;
  t: number;
  length: number;
  payload: Buffer | null;
}

function parseJson(raw: RawRecord, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw.payload!.toString('utf8'));
  } catch {
    throw new RecordingFormatError(`the ${what} record at ${raw.t} ms is damaged (not JSON)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RecordingFormatError(`the ${what} record at ${raw.t} ms is damaged (not a JSON object)`);
  }
  return value as Record<string, unknown>;
}

/**
 * Check the HEADER's identity and the fields a player cannot do without.
 * Other fields pass through as written, so a later version may add some.
 */
export function validateHeader(value: Record<string, unknown>): RecordingHeader {
  if (value['format'] !== RECORDING_FORMAT) {
    throw new RecordingFormatError(`the header says format ${JSON.stringify(value['format'])}, not ${RECORDING_FORMAT}`);
  }
  const version = value['version'];
  if (typeof version !== 'number' || version > RECORDING_VERSION) {
    throw new RecordingFormatError(`the recording is format version ${String(version)}; this TrayVNC reads version ${RECORDING_VERSION}`);
  }
  for (const key of ['width', 'height'] as const) {
    const v = value[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) {
      throw new RecordingFormatError(`the header's ${key} (${String(v)}) is not a screen size`);
    }
  }
  return value as unknown as RecordingHeader;
}

/** What a framed record means; null for a type this version does not know (the caller skips it). */
export function decodeRecord(raw: RawRecord): RecordingRecord | null {
  const { t } = raw;
  const payload = raw.payload;
  if (payload === null) return null;
  switch (raw.type) {
    case RecordType.Header:
      return { type: 'header', t, header: validateHeader(parseJson(raw, 'HEADER')) };
    case RecordType.Keyframe:
      if (payload.length < 4) throw new RecordingFormatError(`the KEYFRAME record at ${t} ms is damaged (${payload.length} bytes)`);
      return { type: 'keyframe', t, width: payload.readUInt16BE(0), height: payload.readUInt16BE(2), update: payload.subarray(4) };
    case RecordType.Update:
      return { type: 'update', t, update: payload };
    case RecordType.Event: {
      const event = parseJson(raw, 'EVENT');
      if (typeof event['kind'] !== 'string') throw new RecordingFormatError(`the EVENT record at ${t} ms has no kind`);
      // Kinds this version does not list pass through: a player shows what it knows.
      return { type: 'event', t, event: event as unknown as RecordingEvent };
    }
    case RecordType.Index: {
      const index = parseJson(raw, 'INDEX');
      if (!Array.isArray(index['keyframes'])) throw new RecordingFormatError(`the INDEX record at ${t} ms has no keyframe list`);
      return { type: 'index', t, index: { viewers: [], events: {}, updates: 0, durationMs: t, ...index } as unknown as RecordingIndex };
    }
    case RecordType.End: {
      const end = parseJson(raw, 'END');
      const durationMs = typeof end['durationMs'] === 'number' ? end['durationMs'] : t;
      return { type: 'end', t, durationMs, reason: typeof end['reason'] === 'string' ? end['reason'] : '' };
    }
    default:
      return null;
  }
}
