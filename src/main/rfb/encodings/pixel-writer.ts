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

/** Typed arrays store values little-endian on this host. */
export const hostLittleEndian = endianness() === 'LE';

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
 * Rows (or, when they follow each other in `px`, whole blocks) at least this
 * many pixels long are written with typed-array copies, which convert and copy
 * in native code; shorter ones by a loop, as a copy's fixed cost is that of a
 * few dozen pixels.
 */
const BULK_MIN_PIXELS = 64;

/**
 * Write a w×h block of pixel values (row start `off`, `stride` values per row)
 * at `o`; returns the next offset. The caller has made room for w*h*size bytes.
 * This is the Raw and raw-tile path and runs over every pixel: long runs go by
 * typed-array copies where the layout allows, the rest by one loop per layout.
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
  const packed = stride === w;
  if ((packed ? w * h : w) >= BULK_MIN_PIXELS && hasBulkCopy(mode)) {
    if (packed) return writeRunBulk(mode, px, off, w * h, buf, o);
    for (let y = 0; y < h; y++) o = writeRunBulk(mode, px, off + y * stride, w, buf, o);
    return o;
  }
  if (mode === PixelMode.U32LE || mode === PixelMode.U32BE) return writeBlock32(mode === PixelMode.U32LE, px, off, stride, w, h, buf, o);
  if (mode >= PixelMode.U24LowLE && mode <= PixelMode.U24HighBE && w * h > 1) return writeBlock24(mode, px, off, stride, w, h, buf, o);
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
      default:
        for (; i < end; i++) o = writePixel(mode, buf, o, px[i]!);
    }
  }
  return o;
}

/** A DataView of `buf`, the last one made when it is of the same bytes (one a tile would be an allocation a tile). */
let lastView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
function viewOf(buf: Uint8Array): DataView<ArrayBufferLike> {
  const v = lastView;
  if (v.buffer === buf.buffer && v.byteOffset === buf.byteOffset && v.byteLength === buf.byteLength) return v;
  return (lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength));
}

/** 32-bit pixels, a DataView store each (cheaper than four byte stores). */
function writeBlock32(littleEndian: boolean, px: Uint32Array, off: number, stride: number, w: number, h: number, buf: Uint8Array, o: number): number {
  const dv = viewOf(buf);
  for (let y = 0; y < h; y++) {
    for (let i = off + y * stride, end = i + w; i < end; i++, o += 4) dv.setUint32(o, px[i]!, littleEndian);
  }
  return o;
}

/**
 * 24-bit CPIXELs (ZRLE/TRLE raw tiles, the bulk of a photo): each pixel is one
 * 32-bit little-endian store of its three wire bytes, 3 bytes apart, so a
 * store's fourth byte is overwritten by the next pixel; the block's last pixel
 * is written byte by byte, as no byte beyond the block may be touched. Costs
 * about half of three byte stores a pixel.
 */
function writeBlock24(mode: number, px: Uint32Array, off: number, stride: number, w: number, h: number, buf: Uint8Array, o: number): number {
  const dv = viewOf(buf);
  const lastRow = off + (h - 1) * stride;
  for (let y = 0; y < h; y++) {
    let i = off + y * stride;
    // The last row stops a pixel short; that pixel goes by writePixel.
    const end = i + w - (i === lastRow ? 1 : 0);
    switch (mode) {
      case PixelMode.U24LowLE:
        for (; i < end; i++, o += 3) dv.setUint32(o, px[i]!, true);
        break;
      case PixelMode.U24HighLE:
        for (; i < end; i++, o += 3) dv.setUint32(o, px[i]! >>> 8, true);
        break;
      case PixelMode.U24LowBE:
        for (; i < end; i++, o += 3) {
          const v = px[i]!;
          dv.setUint32(o, ((v >>> 16) & 0xff) | (v & 0xff00) | ((v & 0xff) << 16), true);
        }
        break;
      default:
        for (; i < end; i++, o += 3) {
          const v = px[i]!;
          dv.setUint32(o, (v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000), true);
        }
    }
  }
  return writePixel(mode, buf, o, px[lastRow + w - 1]!);
}

/**
 * Layouts a typed-array copy can produce: 8 bits in any case (the copy keeps
 * the low byte, all a one-byte pixel has); 16 and 32 bits on a little-endian
 * host, whose typed arrays store little-endian (big-endian ones are then
 * byte-swapped in place).
 */
function hasBulkCopy(mode: number): boolean {
  switch (mode) {
    case PixelMode.U8:
      return true;
    case PixelMode.U16LE:
    case PixelMode.U16BE:
    case PixelMode.U32LE:
    case PixelMode.U32BE:
      return hostLittleEndian;
    default:
      return false;
  }
}

/** Aligned staging area for 16-bit runs whose destination is at an odd address (grows to the longest such run). */
let staging16 = new Uint16Array(0);

/** Write px[i, i+n) at `o` with typed-array copies (hasBulkCopy(mode) must hold); returns the next offset. */
function writeRunBulk(mode: number, px: Uint32Array, i: number, n: number, buf: Uint8Array, o: number): number {
  const src = px.subarray(i, i + n);
  switch (mode) {
    case PixelMode.U8:
      // Uint8Array.set keeps the low 8 bits of each value, as buf[o] = v does.
      buf.set(src, o);
      return o + n;
    case PixelMode.U16LE:
    case PixelMode.U16BE: {
      const at = buf.byteOffset + o;
      if (at % 2 === 0) {
        new Uint16Array(buf.buffer, at, n).set(src);
      } else {
        if (staging16.length < n) staging16 = new Uint16Array(n);
        staging16.set(src);
        buf.set(new Uint8Array(staging16.buffer, 0, n * 2), o);
      }
      if (mode === PixelMode.U16BE) Buffer.from(buf.buffer, at, n * 2).swap16();
      return o + n * 2;
    }
    default: {
      // 32 bits: the values' bytes as they are in memory.
      buf.set(new Uint8Array(px.buffer, px.byteOffset + i * 4, n * 4), o);
      if (mode === PixelMode.U32BE) Buffer.from(buf.buffer, buf.byteOffset + o, n * 4).swap32();
      return o + n * 4;
    }
  }
}
