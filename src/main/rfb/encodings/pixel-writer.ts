import { endianness } from 'node:os';
import type { PixelConverter } from '../pixel-format.js';

/**
 * How one client pixel value is laid out on the wire. A single small integer so
 * hot loops can switch on it instead of calling through the converter.
 */
export const PixelMode = {
  U8: 0,
  U16LE: 1,
  U16BE: 2,
  /** ZRLE/TRLE CPIXEL: the three low bytes of a 32-bit value, least significant first. */
  U24LowLE: 3,
  /** CPIXEL: the three high bytes, least significant first (the dropped byte is the first of the LE pixel). */
  U24HighLE: 4,
  /** CPIXEL: the three low bytes, most significant first (the dropped byte is the first of the BE pixel). */
  U24LowBE: 5,
  U24HighBE: 6,
  U32LE: 7,
  U32BE: 8,
} as const;

export interface PixelLayout {
  readonly mode: number;
  /** Bytes per written pixel. */
  readonly size: number;
}

const hostLittleEndian = endianness() === 'LE';

/**
 * The wire layout for a client's pixels: PIXEL when `compact` is false, CPIXEL
 * (ZRLE/TRLE) when true. A CPIXEL is the PIXEL's wire bytes with the byte that
 * carries no colour dropped, so it keeps the client's byte order (RFC 6143
 * §7.7.5; libvncclient and TigerVNC read it that way).
 */
export function pixelLayout(c: PixelConverter, compact: boolean): PixelLayout {
  const big = c.pf.bigEndian;
  if (compact) {
    const cp = c.cpixelBytes();
    if (cp.size === 3) {
      const mode = big
        ? cp.highBytes ? PixelMode.U24HighBE : PixelMode.U24LowBE
        : cp.highBytes ? PixelMode.U24HighLE : PixelMode.U24LowLE;
      return { mode, size: 3 };
    }
  }
  switch (c.bpp) {
    case 1:
      return { mode: PixelMode.U8, size: 1 };
    case 2:
      return { mode: big ? PixelMode.U16BE : PixelMode.U16LE, size: 2 };
    default:
      return { mode: big ? PixelMode.U32BE : PixelMode.U32LE, size: 4 };
  }
}

/** Write one pixel value at `o`; returns the next offset. */
export function writePixel(mode: number, buf: Uint8Array, o: number, v: number): number {
  switch (mode) {
    case PixelMode.U8:
      buf[o] = v;
      return o + 1;
    case PixelMode.U16LE:
      buf[o] = v;
      buf[o + 1] = v >>> 8;
      return o + 2;
    case PixelMode.U16BE:
      buf[o] = v >>> 8;
      buf[o + 1] = v;
      return o + 2;
    case PixelMode.U24LowLE:
      buf[o] = v;
      buf[o + 1] = v >>> 8;
      buf[o + 2] = v >>> 16;
      return o + 3;
    case PixelMode.U24HighLE:
      buf[o] = v >>> 8;
      buf[o + 1] = v >>> 16;
      buf[o + 2] = v >>> 24;
      return o + 3;
    case PixelMode.U24LowBE:
      buf[o] = v >>> 16;
      buf[o + 1] = v >>> 8;
      buf[o + 2] = v;
      return o + 3;
    case PixelMode.U24HighBE:
      buf[o] = v >>> 24;
      buf[o + 1] = v >>> 16;
      buf[o + 2] = v >>> 8;
      return o + 3;
    case PixelMode.U32LE:
      buf[o] = v;
      buf[o + 1] = v >>> 8;
      buf[o + 2] = v >>> 16;
      buf[o + 3] = v >>> 24;
      return o + 4;
    default:
      buf[o] = v >>> 24;
      buf[o + 1] = v >>> 16;
      buf[o + 2] = v >>> 8;
      buf[o + 3] = v;
      return o + 4;
  }
}

/**
 * Write a w×h block of pixel values (row start `off`, `stride` values per row)
 * at `o`; returns the next offset. The caller has made room for w*h*size bytes.
 * One loop per layout: this is the raw-tile path and runs over every pixel.
 */
export function writePixelBlock(
  mode: number,
  px: Uint32Array,
  off: number,
  stride: number,
  w: number,
  h: number,
  buf: Uint8Array,
  o: number,
): number {
  if (mode === PixelMode.U32LE && hostLittleEndian) {
    // Same bytes as in memory: one copy per row.
    const src = new Uint8Array(px.buffer, px.byteOffset, px.length * 4);
    const rowBytes = w * 4;
    if (stride === w) {
      buf.set(src.subarray(off * 4, off * 4 + rowBytes * h), o);
      return o + rowBytes * h;
    }
    for (let y = 0; y < h; y++) {
      const s = (off + y * stride) * 4;
      buf.set(src.subarray(s, s + rowBytes), o);
      o += rowBytes;
    }
    return o;
  }
  for (let y = 0; y < h; y++) {
    let i = off + y * stride;
    const end = i + w;
    switch (mode) {
      case PixelMode.U8:
        for (; i < end; i++) buf[o++] = px[i]!;
        break;
      case PixelMode.U16LE:
        for (; i < end; i++) {
          const v = px[i]!;
          buf[o] = v;
          buf[o + 1] = v >>> 8;
          o += 2;
        }
        break;
      case PixelMode.U16BE:
        for (; i < end; i++) {
          const v = px[i]!;
          buf[o] = v >>> 8;
          buf[o + 1] = v;
          o += 2;
        }
        break;
      case PixelMode.U24LowLE:
        for (; i < end; i++) {
          const v = px[i]!;
          buf[o] = v;
          buf[o + 1] = v >>> 8;
          buf[o + 2] = v >>> 16;
          o += 3;
        }
        break;
      default:
        for (; i < end; i++) o = writePixel(mode, buf, o, px[i]!);
    }
  }
  return o;
}
