import type { CaptureFrameMessage, CapturePlane } from './capture-api.js';

/**
 * Only the rows that changed cross to main. Chromium's screen capture
 * delivers whole frames (a 1080p I420 frame is 3 MB) whether a cursor
 * blinked or a video played; the page compares each with the last one sent
 * and sends the band of rows between the first and the last that differ, or
 * nothing when none does. The band starts and ends on even rows, so each
 * chroma row goes with both of its luma rows.
 */

/** Bytes of each plane's row, and its rows, for a YUV frame (Y, U, V; NV12: Y, UV). */
function planeShapes(m: CaptureFrameMessage): Array<{ bytes: number; rows: number; sub: number }> {
  const cw = (m.width + 1) >> 1;
  const ch = (m.height + 1) >> 1;
  if (m.format === 'nv12') return [{ bytes: m.width, rows: m.height, sub: 1 }, { bytes: cw * 2, rows: ch, sub: 2 }];
  return [
    { bytes: m.width, rows: m.height, sub: 1 },
    { bytes: cw, rows: ch, sub: 2 },
    { bytes: cw, rows: ch, sub: 2 },
  ];
}

function sameLayout(a: CaptureFrameMessage, b: CaptureFrameMessage): boolean {
  if (a.format !== b.format || a.width !== b.width || a.height !== b.height || !a.planes || !b.planes) return false;
  return a.planes.length === b.planes.length && a.planes.every((p, i) => p.offset === b.planes![i]!.offset && p.stride === b.planes![i]!.stride);
}

function rowEqual(a: Uint8Array, b: Uint8Array, off: number, len: number): boolean {
  if (off % 4 === 0 && len % 4 === 0 && a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const wa = new Uint32Array(a.buffer, a.byteOffset + off, len >>> 2);
    const wb = new Uint32Array(b.buffer, b.byteOffset + off, len >>> 2);
    for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
    return true;
  }
  for (let i = off; i < off + len; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether luma row `y` (or the chroma row under it) differs between two frames of one layout. */
function rowDiffers(prev: Uint8Array, next: Uint8Array, planes: CapturePlane[], shapes: ReturnType<typeof planeShapes>, y: number): boolean {
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i]!;
    const p = planes[i]!;
    const row = Math.floor(y / s.sub);
    if (row >= s.rows) continue;
    if (!rowEqual(prev, next, p.offset + row * p.stride, s.bytes)) return true;
  }
  return false;
}

export type RowChange = { kind: 'none' } | { kind: 'all' } | { kind: 'rows'; top: number; bottom: number };

/**
 * Which rows of `next` differ from `prev`: none, a band, or all of them (a
 * different layout, or RGB frames, which are compared whole).
 */
export function changedRows(prev: CaptureFrameMessage | null, next: CaptureFrameMessage): RowChange {
  if (!prev || !sameLayout(prev, next) || (next.format !== 'i420' && next.format !== 'nv12')) return { kind: 'all' };
  const a = new Uint8Array(prev.data);
  const b = new Uint8Array(next.data);
  const planes = next.planes!;
  const shapes = planeShapes(next);
  let top = 0;
  while (top < next.height && !rowDiffers(a, b, planes, shapes, top)) top++;
  if (top === next.height) return { kind: 'none' };
  let bottom = next.height;
  while (bottom > top + 1 && !rowDiffers(a, b, planes, shapes, bottom - 1)) bottom--;
  top &= ~1;
  bottom = Math.min(next.height, (bottom + 1) & ~1);
  return top === 0 && bottom === next.height ? { kind: 'all' } : { kind: 'rows', top, bottom };
}

/** The rows [top, bottom) of a YUV frame as a message of their own (planes packed one after another). */
export function rowsOf(m: CaptureFrameMessage, top: number, bottom: number): CaptureFrameMessage {
  const src = new Uint8Array(m.data);
  const shapes = planeShapes(m);
  const parts = shapes.map((s, i) => {
    const p = m.planes![i]!;
    const first = Math.floor(top / s.sub);
    const last = Math.min(s.rows, Math.ceil(bottom / s.sub));
    return { from: p.offset + first * p.stride, stride: p.stride, rows: last - first, bytes: s.bytes };
  });
  const size = parts.reduce((n, p) => n + p.stride * (p.rows - 1) + p.bytes, 0);
  const data = new Uint8Array(size);
  const planes: CapturePlane[] = [];
  let at = 0;
  for (const p of parts) {
    const len = p.stride * (p.rows - 1) + p.bytes;
    data.set(src.subarray(p.from, p.from + len), at);
    planes.push({ offset: at, stride: p.stride });
    at += len;
  }
  return { ...m, planes, top, rows: bottom - top, data: data.buffer };
}
