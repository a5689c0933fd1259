/**
 * PyVNCServer's event lines as timeline entries (pyvnc-recording.ts reads the
 * file). The metadata says most things plainly; the bytes, as the format's
 * description tables them, are read where it does not.
 */

export interface PyVncFooter {
  endTime: string | null;
  durationMs: number;
  eventCount: number | null;
}

export interface PyVncRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One event of the timeline, `t` in milliseconds since the start. */
export type PyVncEntry =
  | { t: number; kind: 'handshake'; version: string }
  | { t: number; kind: 'auth'; authType: number; success: boolean }
  | { t: number; kind: 'init'; width: number; height: number; name: string }
  | { t: number; kind: 'update'; rects: PyVncRect[]; area: number; encoding: number | null; bytes: number | null }
  | { t: number; kind: 'key'; keysym: number; down: boolean }
  | { t: number; kind: 'pointer'; x: number; y: number; buttons: number }
  | { t: number; kind: 'clipboard'; direction: 'from-viewer' | 'to-viewers'; bytes: number; text: string }
  | { t: number; kind: 'resize'; width: number; height: number }
  | { t: number; kind: 'bell' }
  | { t: number; kind: 'error'; message: string }
  /** SET_ENCODINGS, CURSOR_UPDATE, SET_COLOUR_MAP_ENTRIES and names this reader does not know: only their size. */
  | { t: number; kind: 'other'; eventType: string; bytes: number };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function hexBytes(v: unknown): Buffer {
  return typeof v === 'string' && v.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(v) ? Buffer.from(v, 'hex') : Buffer.alloc(0);
}

export function toFooter(o: Record<string, unknown>): PyVncFooter {
  const seconds = num(o['duration_seconds']);
  return {
    endTime: typeof o['end_time'] === 'string' ? o['end_time'] : null,
    durationMs: seconds !== undefined ? Math.round(seconds * 1000) : 0,
    eventCount: num(o['event_count']) ?? null,
  };
}

/** An event line as a timeline entry; null when it has no time. */
export function toEntry(o: Record<string, unknown>): PyVncEntry | null {
  const seconds = num(o['timestamp']);
  if (seconds === undefined) return null;
  const t = Math.max(0, Math.round(seconds * 1000));
  const data = hexBytes(o['data']);
  const meta = typeof o['metadata'] === 'object' && o['metadata'] !== null ? (o['metadata'] as Record<string, unknown>) : {};
  const u8 = (at: number) => (data.length >= at + 1 ? data.readUInt8(at) : 0);
  const u16 = (at: number) => (data.length >= at + 2 ? data.readUInt16BE(at) : 0);
  const u32 = (at: number) => (data.length >= at + 4 ? data.readUInt32BE(at) : 0);
  const type = o['event_type'] as string;
  switch (type) {
    case 'HANDSHAKE':
      return { t, kind: 'handshake', version: typeof meta['version'] === 'string' ? meta['version'].trim() : data.toString('latin1').trim() };
    case 'AUTH':
      return { t, kind: 'auth', authType: num(meta['auth_type']) ?? u32(0), success: Boolean(num(meta['success']) ?? meta['success']) };
    case 'INIT':
      return { t, kind: 'init', width: num(meta['width']) ?? 0, height: num(meta['height']) ?? 0, name: data.toString('utf8') };
    case 'FRAMEBUFFER_UPDATE': {
      const rects: PyVncRect[] = [];
      const count = Math.min(u16(0), Math.floor((data.length - 2) / 8));
      let area = 0;
      for (let i = 0; i < count; i++) {
        const r = { x: u16(2 + i * 8), y: u16(4 + i * 8), w: u16(6 + i * 8), h: u16(8 + i * 8) };
        rects.push(r);
        area += r.w * r.h;
      }
      return { t, kind: 'update', rects, area, encoding: num(meta['encoding']) ?? null, bytes: num(meta['data_size']) ?? null };
    }
    case 'KEY_EVENT':
      return { t, kind: 'key', keysym: data.length >= 4 ? u32(0) : (num(meta['key']) ?? 0), down: data.length >= 5 ? u8(4) !== 0 : Boolean(num(meta['down'])) };
    case 'POINTER_EVENT':
      return data.length >= 5
        ? { t, kind: 'pointer', x: u16(0), y: u16(2), buttons: u8(4) }
        : { t, kind: 'pointer', x: num(meta['x']) ?? 0, y: num(meta['y']) ?? 0, buttons: num(meta['buttons']) ?? 0 };
    case 'CLIENT_CUT_TEXT':
    case 'SERVER_CUT_TEXT': {
      const text = cutText(data);
      return { t, kind: 'clipboard', direction: type === 'CLIENT_CUT_TEXT' ? 'from-viewer' : 'to-viewers', bytes: text.length, text: text.toString('latin1') };
    }
    case 'DESKTOP_RESIZE':
      return { t, kind: 'resize', width: num(meta['width']) ?? u16(0), height: num(meta['height']) ?? u16(2) };
    case 'BELL':
      return { t, kind: 'bell' };
    case 'ERROR':
      return { t, kind: 'error', message: typeof meta['message'] === 'string' ? meta['message'] : data.toString('utf8') };
    default:
      return { t, kind: 'other', eventType: type, bytes: data.length };
  }
}

/**
 * The text of a cut-text event. "The message body" may be taken with the
 * RFB header's padding and length (3 + 4 bytes), with the length alone, or
 * be the text itself: the length field, where it matches, says which.
 */
function cutText(data: Buffer): Buffer {
  if (data.length >= 7 && data.readUInt32BE(3) === data.length - 7) return data.subarray(7);
  if (data.length >= 4 && data.readUInt32BE(0) === data.length - 4) return data.subarray(4);
  return data;
}

