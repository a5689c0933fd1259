import { MAX_PALETTE, TileAnalysis } from './tile-analysis.js';
import type { ByteWriter } from '../wire.js';
import { type PixelLayout, writePixel, writePixelBlock } from './pixel-writer.js';

/**
 * ZRLE/TRLE tile sub-encodings (RFC 6143 §7.7.5, §7.7.6). Values 2..16 are a
 * packed palette of that many colours; 130..255 are palette RLE with
 * (value − 128) colours.
 */
export const RleSubencoding = {
  Raw: 0,
  Solid: 1,
  PlainRle: 128,
  PaletteRleBase: 128,
} as const;

/** Bits per packed palette index for a palette of `n` (2..16) colours. */
function packedBits(n: number): number {
  return n <= 2 ? 1 : n <= 4 ? 2 : 4;
}

/**
 * Encodes one TRLE/ZRLE tile in whichever form is smallest before any
 * compression: solid, packed palette, palette RLE, plain RLE or raw.
 */
export class RleTileEncoder {
  private readonly analysis: TileAnalysis;
  private layout: PixelLayout = { mode: 0, size: 1 };
  /** Pixels of the last encodeRect sent as raw tiles (photo-like content, where deflate finds few repeats). */
  rawPixels = 0;

  /**
   * `tile`: the tiles' side, 16 for TRLE and 64 for ZRLE. `plainRleShare`:
   * plain RLE is taken only when it is smaller than that share of the best
   * other form. 1 when the bytes go out as they are (TRLE); below 1 when
   * deflate follows (ZRLE), as the run lengths between the pixels break up
   * the byte patterns deflate finds in raw pixels: on a photo-like desktop
   * 3/4 gives 0.5 % fewer bytes after deflate, with less analysis.
   */
  constructor(
    private readonly tile: number,
    private readonly plainRleShare = 1,
  ) {
    this.analysis = new TileAnalysis(tile * tile);
  }

  /**
   * Append the w×h rectangle of pixels `px` to `out` as tiles, row by row,
   * each in its smallest form, laid out as `layout` says (CPIXELs).
   */
  encodeRect(px: Uint32Array, w: number, h: number, layout: PixelLayout, out: ByteWriter): void {
    this.layout = layout;
    this.rawPixels = 0;
    const t = this.tile;
    for (let ty = 0; ty < h; ty += t) {
      const th = Math.min(t, h - ty);
      for (let tx = 0; tx < w; tx += t) {
        const tw = Math.min(t, w - tx);
        const buf = out.raw(this.maxTileBytes(tw, th));
        const end = this.encodeTile(px, ty * w + tx, w, tw, th, buf, out.length);
        out.advance(end - out.length);
      }
    }
  }

  /** Largest number of bytes a w×h tile can take. */
  maxTileBytes(w: number, h: number): number {
    return 1 + w * h * this.layout.size;
  }

  /**
   * Encode the w×h tile whose first pixel is px[off] (rows `stride` apart) at
   * buf[o]; buf must have maxTileBytes(w, h) bytes free. Returns the next offset.
   */
  encodeTile(px: Uint32Array, off: number, stride: number, w: number, h: number, buf: Uint8Array, o: number): number {
    const { mode, size } = this.layout;
    const a = this.analysis;
    const n = w * h;
    const rawBytes = n * size;
    // Plain RLE spends at least size+1 bytes a run, raw size bytes a pixel: once
    // runs outnumber share × size/(size+1) of the pixels seen, plain RLE will
    // (almost surely) not come under that share of raw.
    const share = this.plainRleShare;
    a.analyse(px, off, stride, w, h, MAX_PALETTE, (share * size) / (size + 1), true);

    if (!a.overflow && a.paletteSize === 1) {
      buf[o] = RleSubencoding.Solid;
      return writePixel(mode, buf, o + 1, a.palette[0]!);
    }

    let best = rawBytes;
    let choice: number = RleSubencoding.Raw;
    if (!a.bailed) {
      const plain = a.runs * (size + 1) + a.extraLengthBytes;
      if (plain < best * share) {
        best = plain;
        choice = RleSubencoding.PlainRle;
      }
    }
    if (!a.overflow) {
      const pal = a.paletteSize;
      const paletteBytes = pal * size;
      // Palette RLE: one index byte a run, plus length bytes for runs longer than one.
      const paletteRle = paletteBytes + 2 * a.runs - a.singles + a.extraLengthBytes;
      if (paletteRle < best) {
        best = paletteRle;
        choice = RleSubencoding.PaletteRleBase + pal;
      }
      if (pal <= 16) {
        const packed = paletteBytes + h * ((w * packedBits(pal) + 7) >> 3);
        if (packed <= best) {
          best = packed;
          choice = pal;
        }
      }
    }

    if (choice === RleSubencoding.Raw) {
      this.rawPixels += w * h;
      buf[o] = RleSubencoding.Raw;
      return writePixelBlock(mode, px, off, stride, w, h, buf, o + 1);
    }
    if (choice === RleSubencoding.PlainRle) {
      buf[o] = RleSubencoding.PlainRle;
      return this.writePlainRle(px, off, stride, w, h, buf, o + 1);
    }
    buf[o++] = choice;
    const pal = a.paletteSize;
    for (let i = 0; i < pal; i++) o = writePixel(mode, buf, o, a.palette[i]!);
    return choice > RleSubencoding.PaletteRleBase ? this.writePaletteRle(buf, o) : this.writePacked(w, h, packedBits(pal), buf, o);
  }

  private writePacked(w: number, h: number, bits: number, buf: Uint8Array, o: number): number {
    const { runIndex, runLength } = this.analysis;
    const perByte = 8 / bits;
    // A whole byte of one index: 1 bit → 0x00/0xff, 2 bits → idx×0x55, 4 bits → idx×0x11.
    const repeat = bits === 1 ? 0xff : bits === 2 ? 0x55 : 0x11;
    let r = -1;
    let left = 0;
    let idx = 0;
    for (let y = 0; y < h; y++) {
      let acc = 0;
      let nbits = 0;
      let x = 0;
      while (x < w) {
        if (left === 0) {
          r++;
          left = runLength[r]!;
          idx = runIndex[r]!;
        }
        let span = Math.min(left, w - x);
        left -= span;
        x += span;
        // Finish a partly filled byte, then whole bytes at once, then the tail.
        while (span > 0 && nbits !== 0) {
          acc = (acc << bits) | idx;
          nbits += bits;
          span--;
          if (nbits === 8) {
            buf[o++] = acc;
            acc = 0;
            nbits = 0;
          }
        }
        if (span >= perByte) {
          const whole = (span / perByte) | 0;
          buf.fill(idx * repeat, o, o + whole);
          o += whole;
          span -= whole * perByte;
        }
        for (; span > 0; span--) {
          acc = (acc << bits) | idx;
          nbits += bits;
        }
      }
      // Rows are padded to a whole byte, first pixel in the most significant bits.
      if (nbits > 0) buf[o++] = acc << (8 - nbits);
    }
    return o;
  }

  private writePaletteRle(buf: Uint8Array, o: number): number {
    const { runIndex, runLength, runs } = this.analysis;
    for (let r = 0; r < runs; r++) {
      const idx = runIndex[r]!;
      let len = runLength[r]!;
      if (len === 1) {
        buf[o++] = idx;
        continue;
      }
      buf[o++] = idx | 128;
      len -= 1;
      while (len >= 255) {
        buf[o++] = 255;
        len -= 255;
      }
      buf[o++] = len;
    }
    return o;
  }

  private writePlainRle(px: Uint32Array, off: number, stride: number, w: number, h: number, buf: Uint8Array, o: number): number {
    const mode = this.layout.mode;
    let cur = px[off]!;
    let len = 0;
    for (let y = 0; y < h; y++) {
      let i = off + y * stride;
      const end = i + w;
      for (; i < end; i++) {
        const p = px[i]!;
        if (p === cur) {
          len++;
          continue;
        }
        o = writePixel(mode, buf, o, cur);
        o = writeRunLength(buf, o, len);
        cur = p;
        len = 1;
      }
    }
    o = writePixel(mode, buf, o, cur);
    return writeRunLength(buf, o, len);
  }
}

function writeRunLength(buf: Uint8Array, o: number, len: number): number {
  len -= 1;
  while (len >= 255) {
    buf[o++] = 255;
    len -= 255;
  }
  buf[o++] = len;
  return o;
}
