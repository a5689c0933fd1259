import { Encoding } from '../constants.js';
import type { PixelConverter } from '../pixel-format.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, EncodeOutcome, Encoder } from './encoder.js';
import { pixelLayout, writePixel, writePixelBlock } from './pixel-writer.js';

/**
 * The connection's deflate streams for Tight, one per kind of data so each
 * stream's history matches what it compresses. Tight has four; the fourth is
 * unused so far (free for the gradient filter).
 */
export const TIGHT_STREAMS = ['tight0', 'tight1', 'tight2', 'tight3'] as const;
const STREAM_FULL = 0;
const STREAM_MONO = 1;
const STREAM_INDEXED = 2;

/** Compression-control byte: fill, and basic compression's "explicit filter" bit (stream id goes in bits 4–5). */
const CTL_FILL = 0x80;
const CTL_EXPLICIT_FILTER = 0x40;
const FILTER_PALETTE = 1;

/** Data blocks shorter than this go uncompressed, without a length (rfbproto; decoders assume it). */
const MIN_TO_COMPRESS = 12;
/** Most colours sent through the palette filter; beyond it full colour (Copy filter) is used. */
const MAX_PALETTE = 16;
/** The compact length carries 22 bits. */
const MAX_COMPACT_LENGTH = (1 << 22) - 1;

/**
 * Tight (7), lossless: a solid rectangle as one fill colour; otherwise basic
 * compression with the palette filter (2 colours at 1 bit per pixel, up to 16
 * at a byte per pixel) or full colour, deflated through the stream kept for
 * that kind of data. Colours are TPIXELs (R, G, B bytes) for 32 bpp depth-24
 * true colour with 8-bit channels, the client's PIXEL otherwise. No JPEG yet.
 */
export class TightEncoder implements Encoder {
  readonly encoding = Encoding.Tight;
  readonly name = 'Tight';
  readonly kind = 'pixels';
  /** Tight rectangles are at most 2048 wide (the spec); height is not limited. */
  readonly maxRect = { w: 2048, h: 0xffff };
  /**
   * 65536 pixels is the most TightVNC and TigerVNC send in one rectangle: it
   * keeps the data well inside the 22-bit compact length and within what
   * decoders have always been given.
   */
  readonly maxArea = 65536;
  /*
   * Many colours only as a fallback for now: without JPEG and without cutting
   * solid areas out, a photo-like 1280×720 frame took 482 KB and 36.5 ms in
   * full-colour Tight against ZRLE's 410 KB and 15.9 ms (bench/encoders.mjs),
   * and noVNC and TigerVNC's viewer list Tight before ZRLE: they get ZRLE for
   * such areas, Tight for solid and few-colour ones (where it is smaller).
   */
  readonly suits = { few: 'good', many: 'fallback' } as const;
  private readonly palette = new Uint32Array(MAX_PALETTE);
  private indexes = new Uint8Array(4096);

  /** A fill: the control byte and one colour, whatever the size. */
  solidCost(_w: number, _h: number, bpp: number): number {
    return 1 + Math.min(bpp, 3);
  }

  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome {
    const { w, h } = input.rect;
    const px = input.pixels;
    const n = w * h;
    const colour = new ColourWriter(input.converter);
    const colours = this.analyse(px, n);

    if (colours === 1) {
      out.u8(CTL_FILL);
      colour.writeTo(out, px[0]!);
      return 'written';
    }

    let head: Buffer;
    let data: Buffer;
    let stream: number;
    if (colours >= 2 && colours <= MAX_PALETTE) {
      // Palette filter: the colours, then one index per pixel (one bit each when there are two).
      stream = colours === 2 ? STREAM_MONO : STREAM_INDEXED;
      head = Buffer.allocUnsafe(3 + colours * colour.size);
      head[0] = (stream << 4) | CTL_EXPLICIT_FILTER;
      head[1] = FILTER_PALETTE;
      head[2] = colours - 1;
      let o = 3;
      for (let i = 0; i < colours; i++) o = colour.write(head, o, this.palette[i]!);
      data = colours === 2 ? packBits(this.indexes, w, h) : Buffer.from(this.indexes.subarray(0, n));
    } else {
      // Copy filter, implied by leaving the filter bit clear.
      stream = STREAM_FULL;
      head = Buffer.from([stream << 4]);
      data = colour.block(px, n, w, h);
    }

    if (data.length < MIN_TO_COMPRESS) {
      out.bytes(head).bytes(data);
      return 'written';
    }
    const z = input.state.zlib(TIGHT_STREAMS[stream]!, input.compressLevel);
    return z.compress(data).then((c) => withCompactLength(head, c));
  }

  /**
   * Colours of the first n pixels: their count when at most MAX_PALETTE (the
   * palette and every pixel's index are then filled in), MAX_PALETTE + 1 for
   * more. The previous pixel's colour is checked first, so flat areas cost
   * one comparison per pixel.
   */
  private analyse(px: Uint32Array, n: number): number {
    if (this.indexes.length < n) this.indexes = new Uint8Array(n);
    const { palette, indexes } = this;
    let count = 0;
    let last = -1;
    let lastIndex = 0;
    for (let i = 0; i < n; i++) {
      const p = px[i]!;
      if (p !== last) {
        let k = 0;
        while (k < count && palette[k] !== p) k++;
        if (k === count) {
          if (count === MAX_PALETTE) return MAX_PALETTE + 1;
          palette[count++] = p;
        }
        last = p;
        lastIndex = k;
      }
      indexes[i] = lastIndex;
    }
    return count;
  }
}

/** Index bits (0 or 1) packed 8 to a byte, most significant first, each row starting on a byte. */
function packBits(indexes: Uint8Array, w: number, h: number): Buffer {
  const rowBytes = (w + 7) >> 3;
  const out = Buffer.alloc(rowBytes * h);
  for (let y = 0, i = 0; y < h; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < w; x++, i++) {
      if (indexes[i]) out[row + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return out;
}

/** `head`, the compressed data's length in Tight's compact 1–3 byte form, then the data. */
function withCompactLength(head: Buffer, data: Buffer): Buffer {
  const len = data.length;
  if (len > MAX_COMPACT_LENGTH) throw new Error(`Tight data of ${len} bytes does not fit a compact length`);
  const lenBytes = len < 0x80 ? 1 : len < 0x4000 ? 2 : 3;
  const b = Buffer.allocUnsafe(head.length + lenBytes + len);
  head.copy(b, 0);
  let o = head.length;
  if (lenBytes === 1) {
    b[o++] = len;
  } else {
    b[o++] = (len & 0x7f) | 0x80;
    if (lenBytes === 2) {
      b[o++] = len >> 7;
    } else {
      b[o++] = ((len >> 7) & 0x7f) | 0x80;
      b[o++] = len >> 14;
    }
  }
  data.copy(b, o);
  return b;
}

/**
 * How a colour goes on the wire in Tight: a TPIXEL (R, G, B bytes) when the
 * client's format is 32 bpp true colour of depth 24 with 8-bit channels, else
 * the client's PIXEL in its byte order.
 */
class ColourWriter {
  readonly size: number;
  private readonly mode: number;
  private readonly tpixel: boolean;
  private readonly rs: number;
  private readonly gs: number;
  private readonly bs: number;

  constructor(c: PixelConverter) {
    const pf = c.pf;
    this.tpixel =
      pf.trueColour && pf.bitsPerPixel === 32 && pf.depth === 24 && pf.redMax === 255 && pf.greenMax === 255 && pf.blueMax === 255;
    const layout = pixelLayout(c, false);
    this.mode = layout.mode;
    this.size = this.tpixel ? 3 : layout.size;
    this.rs = pf.redShift;
    this.gs = pf.greenShift;
    this.bs = pf.blueShift;
  }

  /** Write one colour at `o`; returns the next offset. */
  write(buf: Uint8Array, o: number, v: number): number {
    if (!this.tpixel) return writePixel(this.mode, buf, o, v);
    buf[o] = v >>> this.rs;
    buf[o + 1] = v >>> this.gs;
    buf[o + 2] = v >>> this.bs;
    return o + 3;
  }

  writeTo(out: ByteWriter, v: number): void {
    const b = Buffer.allocUnsafe(this.size);
    this.write(b, 0, v);
    out.bytes(b);
  }

  /** The first n pixels (w×h) as a fresh buffer: deflate reads it on the thread pool after the encoder returns. */
  block(px: Uint32Array, n: number, w: number, h: number): Buffer {
    const b = Buffer.allocUnsafe(n * this.size);
    if (!this.tpixel) {
      writePixelBlock(this.mode, px, 0, w, w, h, b, 0);
      return b;
    }
    const { rs, gs, bs } = this;
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const v = px[i]!;
      b[o] = v >>> rs;
      b[o + 1] = v >>> gs;
      b[o + 2] = v >>> bs;
    }
    return b;
  }
}
