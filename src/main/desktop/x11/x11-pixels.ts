import type { Display, Screen, Visual } from 'x11';
import type { Frame } from '../../framebuffer/frame.js';
import type { Rect } from '../../framebuffer/rect.js';
import { X11Error } from './x11-connection.js';

/** What a ZPixmap GetImage of the root window delivers, once checked. */
export interface X11PixelLayout {
  depth: number;
  bitsPerPixel: 32;
  visual: Visual;
}

const LSB_FIRST = 0;
const RGB_MASK = 0x00ffffff;

/**
 * Check that the root window's pixels arrive as 32-bit little-endian words
 * holding 0x??RRGGBB (depth 24 or 32, TrueColor/DirectColor with 8-bit
 * channels), which the grab paths copy with one mask per pixel. Anything else
 * is refused with a message saying what was found.
 */
export function checkPixelLayout(display: Display, screen: Screen): X11PixelLayout {
  const depth = screen.root_depth;
  const format = display.format[depth];
  const visual = screen.depths[depth]?.[screen.root_visual];
  const what = `depth ${depth}, ${format ? `${format.bits_per_pixel} bpp` : 'no pixmap format'}`;
  if (depth !== 24 && depth !== 32) throw new X11Error(`unsupported X root window format (${what}): need depth 24 or 32`);
  if (!format || format.bits_per_pixel !== 32) throw new X11Error(`unsupported X root window format (${what}): need 32 bits per pixel`);
  if (!visual) throw new X11Error(`X root visual ${screen.root_visual} not found among the depth-${depth} visuals`);
  if (visual.red_mask !== 0xff0000 || visual.green_mask !== 0x00ff00 || visual.blue_mask !== 0x0000ff) {
    const hex = (n: number): string => `0x${n.toString(16)}`;
    throw new X11Error(
      `unsupported X visual channel masks (red ${hex(visual.red_mask)}, green ${hex(visual.green_mask)}, blue ${hex(visual.blue_mask)}): need 0xff0000/0xff00/0xff`,
    );
  }
  if (display.image_byte_order !== LSB_FIRST) throw new X11Error('unsupported X image byte order: MSBFirst');
  return { depth, bitsPerPixel: 32, visual };
}

/**
 * Copy a tightly packed block of `r.w`×`r.h` X pixels (BGRX words, starting at
 * `src[srcIndex]`, rows `srcStride` words apart) into `frame` at `r`,
 * clearing byte 3 (padding, or alpha on depth 32).
 */
export function copyPixels(src: Uint32Array, srcIndex: number, srcStride: number, frame: Frame, r: Rect): void {
  const dst = frame.pixels;
  const dstStride = frame.stride;
  const w = r.w;
  for (let row = 0; row < r.h; row++) {
    let s = srcIndex + row * srcStride;
    let d = (r.y + row) * dstStride + r.x;
    const end = d + w;
    while (d < end) {
      dst[d++] = src[s++] & RGB_MASK;
    }
  }
}

/** Clear byte 3 of `px[start..end)` in place. */
export function maskInPlace(px: Uint32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) px[i] = px[i] & RGB_MASK;
}

/**
 * A Uint32Array over `buf` when it is 4-byte aligned, else null (the caller
 * then copies into an aligned scratch buffer first).
 */
export function u32View(buf: Uint8Array): Uint32Array | null {
  if (buf.byteOffset % 4 !== 0) return null;
  return new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength >>> 2);
}
