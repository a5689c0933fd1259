/**
 * The pointer's shape on the wire and in pixels.
 *
 * Clients that announce the Cursor pseudo-encoding (RFC 6143 §7.8.1) draw the
 * cursor themselves: `writeCursorRect` sends its shape whenever it changes.
 * For the others the server paints the cursor into what it sends:
 * `compositeCursor` / `blendCursor` alpha-blend it over a copy of the frame.
 */
import type { CursorImage } from '../framebuffer/cursor-image.js';
import type { Frame } from '../framebuffer/frame.js';
import type { Rect } from '../framebuffer/rect.js';
import { PseudoEncoding } from './constants.js';
import type { PixelConverter } from './pixel-format.js';
import type { ByteWriter } from './wire.js';

/** Alpha at or above which a cursor pixel counts as opaque in the RFB bitmask. */
export const CURSOR_MASK_ALPHA = 128;

function isEmpty(cursor: CursorImage | null): cursor is null {
  return !cursor || cursor.width <= 0 || cursor.height <= 0;
}

/** Bytes `writeCursorRect` writes for this cursor (12-byte rectangle header included). */
export function cursorRectBytes(cursor: CursorImage | null, converter: PixelConverter): number {
  if (isEmpty(cursor)) return 12;
  return 12 + cursor.width * cursor.height * converter.bpp + ((cursor.width + 7) >> 3) * cursor.height;
}

/**
 * One FramebufferUpdate rectangle with the Cursor pseudo-encoding: x, y =
 * hotspot, w × h, encoding −239, then w*h pixels in the client's pixel format
 * (the straight colour, whatever the alpha) and a bitmask of ceil(w/8) bytes
 * per row, most significant bit first, 1 where alpha ≥ 128.
 *
 * A null or 0×0 cursor is sent as an empty rectangle (0, 0, 0, 0), which
 * clients take as "no cursor": the pointer is hidden.
 * Returns the number of bytes written.
 */
export function writeCursorRect(out: ByteWriter, cursor: CursorImage | null, converter: PixelConverter): number {
  const start = out.length;
  if (isEmpty(cursor)) {
    out.u16(0).u16(0).u16(0).u16(0).s32(PseudoEncoding.Cursor);
    return out.length - start;
  }
  const { width: w, height: h, pixels } = cursor;
  out.u16(cursor.hotX).u16(cursor.hotY).u16(w).u16(h).s32(PseudoEncoding.Cursor);

  const n = w * h;
  const rowBytes = (w + 7) >> 3;
  const size = n * converter.bpp + rowBytes * h;
  const buf = out.raw(size);
  let o = out.length;
  for (let i = 0; i < n; i++) o = converter.writePixel(buf, o, converter.convert(pixels[i]! & 0xffffff));

  buf.fill(0, o, o + rowBytes * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const m = o + y * rowBytes;
    for (let x = 0; x < w; x++) {
      if (pixels[row + x]! >>> 24 >= CURSOR_MASK_ALPHA) buf[m + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  out.advance(size);
  return out.length - start;
}

/**
 * Where the cursor covers the desktop with the pointer at (pointerX,
 * pointerY), unclipped; null for an empty cursor.
 */
export function cursorBounds(cursor: CursorImage | null, pointerX: number, pointerY: number): Rect | null {
  if (isEmpty(cursor)) return null;
  return { x: pointerX - cursor.hotX, y: pointerY - cursor.hotY, w: cursor.width, h: cursor.height };
}

/** round(v / 255) for 0 ≤ v ≤ 255·255, without a division. */
function div255(v: number): number {
  const t = v + 128;
  return (t + (t >>> 8)) >>> 8;
}

/**
 * Alpha-blend `cursor` (straight ARGB) with its hotspot at (pointerX,
 * pointerY) over `dst`, which holds the desktop area `rect` as packed
 * 0x00RRGGBB pixels with `dstStride` pixels per row (≥ rect.w; row y of the
 * area starts at y * dstStride). Each channel becomes
 * round((c·a + d·(255 − a)) / 255); the top byte of touched pixels is cleared.
 * Pixels outside `rect` are left alone. Returns the part of `rect` the cursor
 * covers (desktop coordinates), or null when it does not reach it.
 */
export function blendCursor(
  dst: Uint32Array,
  dstStride: number,
  rect: Rect,
  cursor: CursorImage | null,
  pointerX: number,
  pointerY: number,
): Rect | null {
  if (isEmpty(cursor)) return null;
  const cx = pointerX - cursor.hotX;
  const cy = pointerY - cursor.hotY;
  const x0 = Math.max(rect.x, cx);
  const y0 = Math.max(rect.y, cy);
  const x1 = Math.min(rect.x + rect.w, cx + cursor.width);
  const y1 = Math.min(rect.y + rect.h, cy + cursor.height);
  if (x1 <= x0 || y1 <= y0) return null;
  const src = cursor.pixels;
  for (let y = y0; y < y1; y++) {
    let s = (y - cy) * cursor.width + (x0 - cx);
    let d = (y - rect.y) * dstStride + (x0 - rect.x);
    for (let x = x0; x < x1; x++, s++, d++) {
      const c = src[s]!;
      const a = c >>> 24;
      if (a === 0) continue;
      if (a === 255) {
        dst[d] = c & 0xffffff;
        continue;
      }
      const b = dst[d]!;
      const ia = 255 - a;
      const r = div255(((c >>> 16) & 0xff) * a + ((b >>> 16) & 0xff) * ia);
      const g = div255(((c >>> 8) & 0xff) * a + ((b >>> 8) & 0xff) * ia);
      const bl = div255((c & 0xff) * a + (b & 0xff) * ia);
      dst[d] = (r << 16) | (g << 8) | bl;
    }
  }
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/**
 * A copy of `rect` of the frame as packed pixels (stride rect.w) with the
 * cursor blended in at the pointer position, for clients that do not draw
 * the cursor themselves. `out` is reused when it is large enough.
 */
export function compositeCursor(
  frame: Frame,
  rect: Rect,
  cursor: CursorImage | null,
  pointerX: number,
  pointerY: number,
  out?: Uint32Array,
): Uint32Array {
  const n = rect.w * rect.h;
  const dst = out && out.length >= n ? out.subarray(0, n) : new Uint32Array(n);
  for (let row = 0; row < rect.h; row++) {
    const start = (rect.y + row) * frame.stride + rect.x;
    dst.set(frame.pixels.subarray(start, start + rect.w), row * rect.w);
  }
  blendCursor(dst, rect.w, rect, cursor, pointerX, pointerY);
  return dst;
}
