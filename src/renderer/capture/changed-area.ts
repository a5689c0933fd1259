import type { CaptureFrameMessage, CapturePlane } from './capture-api.js';

/**
 * Only the area that changed crosses to main. Chromium's screen capture
 * delivers whole frames (a 1080p I420 frame is 3 MB) whether a cursor
 * blinked or a video played; the page compares each with the last one sent
 * and sends the rectangle around everything that differs (first and last
 * changed rows, then leftmost and rightmost changed columns in them), or
 * nothing when nothing does. The rectangle starts and ends on even rows and
 * columns, so each chroma sample goes with all four of its luma samples.
 * RGB frames (4 bytes a pixel) are cut the same way.
 */

interface PlaneShape {
  /** Bytes of a row, and rows. */
  bytes: number;
  rows: number;
  /** Luma rows (and columns) per row (sample) of this plane: 1 for Y, 2 for chroma. */
  sub: number;
  /** Bytes per sample: 2 for NV12's U,V pairs, else 1. */
  unit: number;
}

function planeShapes(m: Pick<CaptureFrameMessage, 'format' | 'width' | 'height'>): PlaneShape[] {
  if (m.format === 'bgra' || m.format === 'rgba') return [{ bytes: m.width * 4, rows: m.height, sub: 1, unit: 4 }];
  const cw = (m.width + 1) >> 1;
  const ch = (m.height + 1) >> 1;
  const y = { bytes: m.width, rows: m.height, sub: 1, unit: 1 };
  if (m.format === 'nv12') return [y, { bytes: cw * 2, rows: ch, sub: 2, unit: 2 }];
  return [y, { bytes: cw, rows: ch, sub: 2, unit: 1 }, { bytes: cw, rows: ch, sub: 2, unit: 1 }];
}

/** Where each plane lies: a YUV frame's planes, or an RGB frame's one plane of `stride`-byte rows. */
function planesOf(m: CaptureFrameMessage): CapturePlane[] {
  return m.planes ?? [{ offset: 0, stride: m.stride }];
}

function sameLayout(a: CaptureFrameMessage, b: CaptureFrameMessage): boolean {
  if (a.format !== b.format || a.width !== b.width || a.height !== b.height) return false;
  const pa = planesOf(a);
  const pb = planesOf(b);
  return pa.length === pb.length && pa.every((p, i) => p.offset === pb[i]!.offset && p.stride === pb[i]!.stride);
}

function rowEqual(a: Uint8Array, b: Uint8Array, off: number, len: number): boolean {
  if (off % 4 === 0 && len % 4 === 0) {
    const wa = new Uint32Array(a.buffer, a.byteOffset + off, len >>> 2);
    const wb = new Uint32Array(b.buffer, b.byteOffset + off, len >>> 2);
    for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return false;
    return true;
  }
  for (let i = off; i < off + len; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether luma row `y` (or a chroma row under it) differs between two frames of one layout. */
function rowDiffers(prev: Uint8Array, next: Uint8Array, planes: CapturePlane[], shapes: PlaneShape[], y: number): boolean {
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i]!;
    const row = Math.floor(y / s.sub);
    if (row < s.rows && !rowEqual(prev, next, planes[i]!.offset + row * planes[i]!.stride, s.bytes)) return true;
  }
  return false;
}

export type AreaChange = { kind: 'none' } | { kind: 'all' } | { kind: 'area'; top: number; bottom: number; left: number; right: number };

/** What of `next` differs from `prev`: nothing, a rectangle, or everything (or a different layout). */
export function changedArea(prev: CaptureFrameMessage | null, next: CaptureFrameMessage): AreaChange {
  if (!prev || !sameLayout(prev, next)) return { kind: 'all' };
  const a = new Uint8Array(prev.data);
  const b = new Uint8Array(next.data);
  const planes = planesOf(next);
  const shapes = planeShapes(next);
  let top = 0;
  while (top < next.height && !rowDiffers(a, b, planes, shapes, top)) top++;
  if (top === next.height) return { kind: 'none' };
  let bottom = next.height;
  while (bottom > top + 1 && !rowDiffers(a, b, planes, shapes, bottom - 1)) bottom--;
  top &= ~1;
  bottom = Math.min(next.height, (bottom + 1) & ~1);
  // Columns: within those rows, the leftmost and rightmost differing sample of any plane, in luma columns.
  let left = next.width;
  let right = 0;
  shapes.forEach((s, i) => {
    const p = planes[i]!;
    for (let row = Math.floor(top / s.sub); row < Math.min(s.rows, Math.ceil(bottom / s.sub)); row++) {
      const o = p.offset + row * p.stride;
      const toX = (byte: number) => Math.floor(byte / s.unit) * s.sub;
      for (let i2 = 0; i2 < s.bytes && toX(i2) < left; i2++) {
        if (a[o + i2] !== b[o + i2]) {
          left = toX(i2);
          break;
        }
      }
      for (let i2 = s.bytes - 1; i2 >= 0 && toX(i2) + s.sub > right; i2--) {
        if (a[o + i2] !== b[o + i2]) {
          right = toX(i2) + s.sub;
          break;
        }
      }
    }
  });
  left &= ~1;
  right = Math.min(next.width, (right + 1) & ~1);
  if (top === 0 && bottom === next.height && left === 0 && right === next.width) return { kind: 'all' };
  return { kind: 'area', top, bottom, left, right };
}

/** The rectangle [left, right) × [top, bottom) of a frame as a message of its own (each plane packed, one after another). */
export function areaOf(m: CaptureFrameMessage, top: number, bottom: number, left: number, right: number): CaptureFrameMessage {
  const src = new Uint8Array(m.data);
  const all = planesOf(m);
  const parts = planeShapes(m).map((s, i) => {
    const p = all[i]!;
    const row0 = Math.floor(top / s.sub);
    const rows = Math.min(s.rows, Math.ceil(bottom / s.sub)) - row0;
    const col0 = Math.floor(left / s.sub) * s.unit;
    const bytes = (Math.ceil(right / s.sub) - Math.floor(left / s.sub)) * s.unit;
    return { from: p.offset + row0 * p.stride + col0, stride: p.stride, rows, bytes };
  });
  const data = new Uint8Array(parts.reduce((n, p) => n + p.rows * p.bytes, 0));
  const planes: CapturePlane[] = [];
  let at = 0;
  for (const p of parts) {
    planes.push({ offset: at, stride: p.bytes });
    for (let r = 0; r < p.rows; r++, at += p.bytes) data.set(src.subarray(p.from + r * p.stride, p.from + r * p.stride + p.bytes), at);
  }
  return { ...m, stride: parts[0]!.bytes, ...(m.planes ? { planes } : {}), top, rows: bottom - top, left, cols: right - left, data: data.buffer };
}
