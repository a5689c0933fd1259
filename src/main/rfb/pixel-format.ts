import type { PixelFormat } from '../../shared/pixel-format.js';
import type { Frame } from '../framebuffer/frame.js';
import type { Rect } from '../framebuffer/rect.js';

export type { PixelFormat };

/** What the server captures in and announces in ServerInit: 32 bpp, depth 24, 0x00RRGGBB little-endian. */
export const NATIVE_FORMAT: PixelFormat = Object.freeze({
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
});

/**
 * The format used for colour-map clients: BGR233 values index a fixed
 * 256-entry palette we send with SetColourMapEntries.
 */
export const BGR233_FORMAT: PixelFormat = Object.freeze({
  bitsPerPixel: 8,
  depth: 8,
  bigEndian: false,
  trueColour: true,
  redMax: 7,
  greenMax: 7,
  blueMax: 3,
  redShift: 0,
  greenShift: 3,
  blueShift: 6,
});

export function parsePixelFormat(b: Uint8Array, off = 0): PixelFormat {
  const dv = new DataView(b.buffer, b.byteOffset + off, 16);
  return {
    bitsPerPixel: dv.getUint8(0) as PixelFormat['bitsPerPixel'],
    depth: dv.getUint8(1),
    bigEndian: dv.getUint8(2) !== 0,
    trueColour: dv.getUint8(3) !== 0,
    redMax: dv.getUint16(4),
    greenMax: dv.getUint16(6),
    blueMax: dv.getUint16(8),
    redShift: dv.getUint8(10),
    greenShift: dv.getUint8(11),
    blueShift: dv.getUint8(12),
  };
}

export function serializePixelFormat(pf: PixelFormat): Buffer {
  const b = Buffer.alloc(16);
  b[0] = pf.bitsPerPixel;
  b[1] = pf.depth;
  b[2] = pf.bigEndian ? 1 : 0;
  b[3] = pf.trueColour ? 1 : 0;
  b.writeUInt16BE(pf.redMax, 4);
  b.writeUInt16BE(pf.greenMax, 6);
  b.writeUInt16BE(pf.blueMax, 8);
  b[10] = pf.redShift;
  b[11] = pf.greenShift;
  b[12] = pf.blueShift;
  return b;
}

function bitCount(max: number): number {
  let n = 0;
  while (max & 1) {
    n++;
    max >>>= 1;
  }
  return max === 0 ? n : -1; // -1: not of the form 2^n − 1
}

/**
 * Why a client's pixel format cannot be served, or null if it can.
 * Colour-map formats are accepted only at 8 bpp (we then serve BGR233 through a fixed palette).
 */
export function pixelFormatError(pf: PixelFormat): string | null {
  if (pf.bitsPerPixel !== 8 && pf.bitsPerPixel !== 16 && pf.bitsPerPixel !== 32) {
    return `bits-per-pixel ${pf.bitsPerPixel} is not 8, 16 or 32`;
  }
  if (pf.depth < 1 || pf.depth > pf.bitsPerPixel) {
    return `depth ${pf.depth} is not within 1..${pf.bitsPerPixel}`;
  }
  if (!pf.trueColour) {
    return pf.bitsPerPixel === 8 ? null : `colour-map formats are supported only at 8 bpp (got ${pf.bitsPerPixel})`;
  }
  const channels: Array<[string, number, number]> = [
    ['red', pf.redMax, pf.redShift],
    ['green', pf.greenMax, pf.greenShift],
    ['blue', pf.blueMax, pf.blueShift],
  ];
  let used = 0;
  for (const [name, max, shift] of channels) {
    const bits = bitCount(max);
    if (max === 0 || bits < 0) return `${name}-max ${max} is not 2^n − 1`;
    if (bits > 16) return `${name}-max ${max} is too large`;
    if (shift + bits > pf.bitsPerPixel) return `${name} channel (shift ${shift}, ${bits} bits) does not fit in ${pf.bitsPerPixel} bpp`;
    const mask = ((2 ** bits - 1) * 2 ** shift) >>> 0;
    if ((used & mask) !== 0) return `${name} channel overlaps another channel`;
    used = (used | mask) >>> 0;
  }
  return null;
}

export function bytesPerPixel(pf: PixelFormat): number {
  return pf.bitsPerPixel >> 3;
}

export function samePixelFormat(a: PixelFormat, b: PixelFormat): boolean {
  return (
    a.bitsPerPixel === b.bitsPerPixel &&
    a.depth === b.depth &&
    a.bigEndian === b.bigEndian &&
    a.trueColour === b.trueColour &&
    a.redMax === b.redMax &&
    a.greenMax === b.greenMax &&
    a.blueMax === b.blueMax &&
    a.redShift === b.redShift &&
    a.greenShift === b.greenShift &&
    a.blueShift === b.blueShift
  );
}

/** Scale an 8-bit channel value to 0..max, rounding to nearest. */
export function scaleChannel(v: number, max: number): number {
  return Math.floor((v * max + 127) / 255);
}

/**
 * How a converter computes client values: the identity and byte shuffles
 * (8-bit channels on byte boundaries) need only shifts, and noVNC's
 * red-in-the-low-byte format, the common shuffle, has a loop of its own;
 * anything else goes through the per-channel tables.
 */
type ConvertMethod = 'identity' | 'swapRedBlue' | 'shuffle' | 'table';

/**
 * Converts native 0x00RRGGBB pixels to a client's pixel values, through one
 * lookup table per channel (built once per SetPixelFormat); whole rectangles
 * with shifts instead where the format allows (see ConvertMethod).
 */
export class PixelConverter {
  readonly pf: PixelFormat;
  readonly bpp: 1 | 2 | 4;
  /** True when client pixel values equal native values (no per-pixel work). */
  readonly identity: boolean;
  private readonly method: ConvertMethod;
  private readonly rt = new Uint32Array(256);
  private readonly gt = new Uint32Array(256);
  private readonly bt = new Uint32Array(256);

  constructor(pf: PixelFormat) {
    // Colour-map clients get BGR233 indices into our fixed palette.
    this.pf = pf.trueColour ? pf : { ...BGR233_FORMAT, bigEndian: pf.bigEndian };
    const f = this.pf;
    this.bpp = (f.bitsPerPixel >> 3) as 1 | 2 | 4;
    for (let v = 0; v < 256; v++) {
      this.rt[v] = (scaleChannel(v, f.redMax) * 2 ** f.redShift) >>> 0;
      this.gt[v] = (scaleChannel(v, f.greenMax) * 2 ** f.greenShift) >>> 0;
      this.bt[v] = (scaleChannel(v, f.blueMax) * 2 ** f.blueShift) >>> 0;
    }
    this.identity =
      f.bitsPerPixel === 32 &&
      f.redMax === 255 && f.greenMax === 255 && f.blueMax === 255 &&
      f.redShift === 16 && f.greenShift === 8 && f.blueShift === 0;
    // scaleChannel(v, 255) is v, so with 8-bit channels the tables only move bytes.
    const byteChannels =
      f.bitsPerPixel === 32 &&
      f.redMax === 255 && f.greenMax === 255 && f.blueMax === 255 &&
      f.redShift % 8 === 0 && f.greenShift % 8 === 0 && f.blueShift % 8 === 0;
    const swapsRedBlue = byteChannels && f.redShift === 0 && f.greenShift === 8 && f.blueShift === 16;
    this.method = this.identity ? 'identity' : swapsRedBlue ? 'swapRedBlue' : byteChannels ? 'shuffle' : 'table';
  }

  /** One native pixel to a client pixel value. */
  convert(native: number): number {
    if (this.identity) return native & 0xffffff;
    return (this.rt[(native >>> 16) & 0xff]! | this.gt[(native >>> 8) & 0xff]! | this.bt[native & 0xff]!) >>> 0;
  }

  /** A rectangle of the frame as packed client pixel values (w*h, row-major). */
  convertRect(frame: Frame, r: Rect, out?: Uint32Array): Uint32Array {
    const n = r.w * r.h;
    const dst = out && out.length >= n ? out.subarray(0, n) : new Uint32Array(n);
    // A rectangle as wide as the frame's rows is one stretch of memory: one call does it.
    const whole = r.w === frame.stride;
    const rows = whole ? 1 : r.h;
    const len = whole ? n : r.w;
    for (let row = 0; row < rows; row++) this.convertRun(frame.pixels, (r.y + row) * frame.stride + r.x, dst, row * len, len);
    return dst;
  }

  /** Convert src[i, i+n) into dst[o, o+n). */
  private convertRun(src: Uint32Array, i: number, dst: Uint32Array, o: number, n: number): void {
    const f = this.pf;
    switch (this.method) {
      case 'identity':
        // Frames hold 0x00RRGGBB (every source clears byte 3, see Frame), so the
        // identity is a copy: a memcpy, some 20 times faster than masking each value.
        dst.set(src.subarray(i, i + n), o);
        return;
      case 'swapRedBlue':
        swapRedBlueRun(src, i, dst, o, n);
        return;
      case 'shuffle':
        shuffleRun(src, i, dst, o, n, f.redShift, f.greenShift, f.blueShift);
        return;
      default:
        lookupRun(src, i, dst, o, n, this.rt, this.gt, this.bt);
    }
  }

  /** Write one pixel value at `off` in the client's byte order; returns the next offset. */
  writePixel(buf: Uint8Array, off: number, v: number): number {
    switch (this.bpp) {
      case 1:
        buf[off] = v;
        return off + 1;
      case 2:
        if (this.pf.bigEndian) {
          buf[off] = v >>> 8;
          buf[off + 1] = v;
        } else {
          buf[off] = v;
          buf[off + 1] = v >>> 8;
        }
        return off + 2;
      default:
        if (this.pf.bigEndian) {
          buf[off] = v >>> 24;
          buf[off + 1] = v >>> 16;
          buf[off + 2] = v >>> 8;
          buf[off + 3] = v;
        } else {
          buf[off] = v;
          buf[off + 1] = v >>> 8;
          buf[off + 2] = v >>> 16;
          buf[off + 3] = v >>> 24;
        }
        return off + 4;
    }
  }

  /** Serialise packed pixel values to the client's wire bytes. */
  pixelsToBytes(px: Uint32Array, out?: Buffer): Buffer {
    const n = px.length * this.bpp;
    const b = out && out.length >= n ? out : Buffer.allocUnsafe(n);
    if (this.bpp === 4 && !this.pf.bigEndian && (b.byteOffset & 3) === 0) {
      new Uint32Array(b.buffer, b.byteOffset, px.length).set(px);
      return b.subarray(0, n);
    }
    let o = 0;
    for (let i = 0; i < px.length; i++) o = this.writePixel(b, o, px[i]!);
    return b.subarray(0, n);
  }

  /**
   * ZRLE/TRLE "CPIXEL" size: 3 bytes when a 32 bpp true-colour pixel with depth ≤ 24
   * uses only the low or only the high three bytes (RFC 6143 §7.7.5), else bpp.
   */
  cpixelBytes(): { size: number; highBytes: boolean } {
    const f = this.pf;
    if (f.bitsPerPixel === 32 && f.trueColour && f.depth <= 24) {
      const mask =
        ((f.redMax * 2 ** f.redShift) | (f.greenMax * 2 ** f.greenShift) | (f.blueMax * 2 ** f.blueShift)) >>> 0;
      if ((mask & 0xff000000) === 0) return { size: 3, highBytes: false };
      if ((mask & 0xff) === 0) return { size: 3, highBytes: true };
    }
    return { size: this.bpp, highBytes: false };
  }
}

/*
 * Most per-pixel loops below handle four pixels per iteration: V8 does not
 * unroll loops, and on bodies this short the loop's own bookkeeping is a good
 * part of the time (measured on a full frame: the mask takes half the time of
 * a plain loop, the red/blue swap and the table look-ups a fifth less). The
 * odd pixels go first: a loop after the main one would be compiled (while the
 * main one runs long, on a big first rectangle) before it ever ran, and undo
 * that compilation the first time it did.
 */

function swapRedBlue(v: number): number {
  return ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff);
}

function swapRedBlueRun(src: Uint32Array, i: number, dst: Uint32Array, o: number, n: number): void {
  const end = i + n;
  for (const head = i + (n & 3); i < head; i++, o++) dst[o] = swapRedBlue(src[i]!);
  for (; i < end; i += 4, o += 4) {
    dst[o] = swapRedBlue(src[i]!);
    dst[o + 1] = swapRedBlue(src[i + 1]!);
    dst[o + 2] = swapRedBlue(src[i + 2]!);
    dst[o + 3] = swapRedBlue(src[i + 3]!);
  }
}

function shufflePixel(v: number, rs: number, gs: number, bs: number): number {
  return (((v >>> 16) & 0xff) << rs) | (((v >>> 8) & 0xff) << gs) | ((v & 0xff) << bs);
}

/** With shifts by variables the work outweighs the loop, and four at a time gains nothing. */
function shuffleRun(src: Uint32Array, i: number, dst: Uint32Array, o: number, n: number, rs: number, gs: number, bs: number): void {
  for (const end = i + n; i < end; i++, o++) dst[o] = shufflePixel(src[i]!, rs, gs, bs);
}

function lookupPixel(v: number, rt: Uint32Array, gt: Uint32Array, bt: Uint32Array): number {
  return rt[(v >>> 16) & 0xff]! | gt[(v >>> 8) & 0xff]! | bt[v & 0xff]!;
}

function lookupRun(
  src: Uint32Array,
  i: number,
  dst: Uint32Array,
  o: number,
  n: number,
  rt: Uint32Array,
  gt: Uint32Array,
  bt: Uint32Array,
): void {
  const end = i + n;
  for (const head = i + (n & 3); i < head; i++, o++) dst[o] = lookupPixel(src[i]!, rt, gt, bt);
  for (; i < end; i += 4, o += 4) {
    dst[o] = lookupPixel(src[i]!, rt, gt, bt);
    dst[o + 1] = lookupPixel(src[i + 1]!, rt, gt, bt);
    dst[o + 2] = lookupPixel(src[i + 2]!, rt, gt, bt);
    dst[o + 3] = lookupPixel(src[i + 3]!, rt, gt, bt);
  }
}

/** The fixed palette sent to colour-map clients: entry i is BGR233 value i, as 16-bit RGB. */
export function bgr233Palette(): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i < 256; i++) {
    const r = i & 7;
    const g = (i >> 3) & 7;
    const b = (i >> 6) & 3;
    out.push([Math.round((r * 65535) / 7), Math.round((g * 65535) / 7), Math.round((b * 65535) / 3)]);
  }
  return out;
}
