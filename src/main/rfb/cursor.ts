/**
 * The pointer's shape on the wire and in pixels.
 *
 * Clients that announce the Cursor pseudo-encoding (RFC 6143 §7.8.1) draw the
 * cursor themselves: server-messages.ts `writeCursorShape` sends its shape.
 * For the others the server paints the cursor into what it sends:
 * `compositeCursor` / `blendCursor` alpha-blend it over a copy of the frame.
 */
import { isEmptyCursor as isEmpty, type CursorImage } from '../framebuffer/cursor-image.js';
import type { Frame } from '../framebuffer/frame.js';
import type { Rect } from '../framebuffer/rect.js';

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
