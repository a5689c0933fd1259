/**
 * PyVNCServer recordings written as its recorder writes them (from the
 * format's description in PYVNCSERVER-RECORDING-FORMAT.md, not from our
 * reader): gzip of JSON lines, compact JSON, a header line, one line per
 * event with its bytes in hex, and a footer line unless the writer died.
 */
import { writeFileSync } from 'node:fs';
import zlib from 'node:zlib';

const u16 = (...v: number[]) => Buffer.concat(v.map((n) => Buffer.from([n >> 8, n & 0xff])));
const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

function event(seconds: number, type: string, data: Buffer, metadata: Record<string, unknown> = {}): string {
  return JSON.stringify({ timestamp: seconds, event_type: type, data: data.toString('hex'), metadata });
}

/** FRAMEBUFFER_UPDATE's data: u16 count, then u16 x, y, w, h for each rectangle. */
function updateEvent(seconds: number, rects: Array<[number, number, number, number]>, encoding: number, dataSize: number): string {
  return event(seconds, 'FRAMEBUFFER_UPDATE', u16(rects.length, ...rects.flat()), { encoding, data_size: dataSize, rect_count: rects.length });
}

/** A cut-text message's body: three bytes of padding, the u32 length, the Latin-1 text. */
const cutBody = (text: string) => Buffer.concat([Buffer.alloc(3), u32(text.length), Buffer.from(text, 'latin1')]);

export const PYVNC_HEADER = { version: '1.0', session_id: '20261207_093000', start_time: '2026-12-07T09:30:00.123456+00:00', compressed: true };

/** The events of the sample session, one per line, and what a summary of them must say. */
export const PYVNC_EVENTS: string[] = [
  event(0.001, 'HANDSHAKE', Buffer.from('RFB 003.008\n', 'latin1'), { version: 'RFB 003.008\n' }),
  event(0.002, 'AUTH', u32(2), { auth_type: 2, success: 1 }),
  event(0.003, 'INIT', Buffer.from('office pc', 'utf8'), { width: 1024, height: 768 }),
  updateEvent(0.5, [[0, 0, 1024, 768]], 0, 3_145_728),
  event(1.25, 'POINTER_EVENT', Buffer.concat([u16(100, 200), Buffer.from([0])]), { x: 100, y: 200, buttons: 0 }),
  event(1.5, 'POINTER_EVENT', Buffer.concat([u16(100, 200), Buffer.from([1])]), { x: 100, y: 200, buttons: 1 }),
  event(1.6, 'POINTER_EVENT', Buffer.concat([u16(101, 201), Buffer.from([1])]), { x: 101, y: 201, buttons: 1 }),
  event(1.7, 'POINTER_EVENT', Buffer.concat([u16(101, 201), Buffer.from([0])]), { x: 101, y: 201, buttons: 0 }),
  event(2.0, 'KEY_EVENT', Buffer.concat([u32(0x61), Buffer.from([1])]), { key: 0x61, down: 1 }),
  event(2.1, 'KEY_EVENT', Buffer.concat([u32(0x61), Buffer.from([0])]), { key: 0x61, down: 0 }),
  updateEvent(2.5, [[10, 20, 30, 40], [500, 300, 16, 16]], 5, 2000),
  event(3.0, 'CLIENT_CUT_TEXT', cutBody('copied')),
  event(3.5, 'SERVER_CUT_TEXT', cutBody('from server')),
  event(4.0, 'ERROR', Buffer.from('lost a frame', 'utf8'), { message: 'lost a frame' }),
  updateEvent(7.25, [[0, 0, 8, 8]], 0, 256),
];

export const PYVNC_FOOTER = { end_time: '2026-12-07T09:30:08.123456+00:00', duration_seconds: 8.0, event_count: PYVNC_EVENTS.length };

/** What the sample says, counted by hand. */
export const PYVNC_EXPECTED = {
  durationMs: 8000,
  lastEventMs: 7250,
  events: {
    HANDSHAKE: 1,
    AUTH: 1,
    INIT: 1,
    FRAMEBUFFER_UPDATE: 3,
    POINTER_EVENT: 4,
    KEY_EVENT: 2,
    CLIENT_CUT_TEXT: 1,
    SERVER_CUT_TEXT: 1,
    ERROR: 1,
  },
  desktop: { width: 1024, height: 768, name: 'office pc' },
  input: { pointer: 4, clicks: 1, keys: 2, keyPresses: 1 },
  clipboard: { fromViewer: 1, toViewers: 1, bytes: 6 + 11 },
  changes: { updates: 3, rects: 4, pixels: 1024 * 768 + 30 * 40 + 16 * 16 + 8 * 8, bytes: 3_145_728 + 2000 + 256 },
};

export interface PyVncFileOptions {
  /** Write the footer line (the recorder finished). */
  footer: boolean;
  /** Lines put among the events (after the first three), as they are. */
  extra?: string[];
}

/** The file's text, one JSON object a line. */
export function pyVncText(opts: PyVncFileOptions): string {
  const events = [...PYVNC_EVENTS.slice(0, 3), ...(opts.extra ?? []), ...PYVNC_EVENTS.slice(3)];
  const lines = [JSON.stringify(PYVNC_HEADER), ...events, ...(opts.footer ? [JSON.stringify(PYVNC_FOOTER)] : [])];
  return lines.map((l) => `${l}\n`).join('');
}

/** Write the sample session to `path` as one gzip member (as Python's gzip module does). */
export function writePyVncRecording(path: string, opts: PyVncFileOptions): Buffer {
  const bytes = zlib.gzipSync(Buffer.from(pyVncText(opts), 'utf8'));
  writeFileSync(path, bytes);
  return bytes;
}
