import { Encoding } from '../constants.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, EncodeOutcome, Encoder } from './encoder.js';
import { pixelLayout, writePixel, writePixelBlock } from './pixel-writer.js';
import { manyCorners, SubrectFinder } from './subrects.js';
import { MAX_PALETTE, TileAnalysis, TwoColourScan } from './tile-analysis.js';

const TILE = 16;

/** Hextile sub-encoding mask bits (RFC 6143 §7.7.4). */
export const HextileFlag = {
  Raw: 1,
  BackgroundSpecified: 2,
  ForegroundSpecified: 4,
  AnySubrects: 8,
  SubrectsColoured: 16,
} as const;

/**
 * Hextile (5): 16×16 tiles, each solid, background + foreground subrects,
 * background + coloured subrects, or raw when that is smaller. Background and
 * foreground carry over between tiles of one rectangle and are re-sent only
 * when they change. After a raw tile both are sent again, and after a tile
 * with coloured subrects the foreground is: viewers differ on what they keep
 * across those tiles.
 */
export class HextileEncoder implements Encoder {
  readonly encoding = Encoding.Hextile;
  readonly name = 'Hextile';
  readonly kind = 'pixels';
  readonly suits = { few: 'good', many: 'good' } as const;
  private readonly scan = new TwoColourScan();
  private readonly analysis = new TileAnalysis(0);
  private readonly finder = new SubrectFinder();
  /** Background and foreground the viewer holds from earlier tiles of this rectangle. */
  private bg = 0;
  private fg = 0;
  private bgValid = false;
  private fgValid = false;

  /** A solid rectangle: the first tile sets the background, every other one is a zero mask byte. */
  solidCost(w: number, h: number, bpp: number): number {
    return bpp + Math.ceil(w / TILE) * Math.ceil(h / TILE);
  }

  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome {
    const { w, h } = input.rect;
    const { mode, size } = pixelLayout(input.converter, false);
    this.bgValid = this.fgValid = false;
    for (let ty = 0; ty < h; ty += TILE) {
      const th = Math.min(TILE, h - ty);
      for (let tx = 0; tx < w; tx += TILE) {
        const tw = Math.min(TILE, w - tx);
        // Worst-case tile size (raw, or solid/two-colour headers); written directly, then committed with advance().
        const buf = out.raw(1 + tw * th * size + 2 * size + 2);
        const end = this.encodeTile(input.pixels, ty * w + tx, w, tw, th, mode, size, buf, out.length);
        out.advance(end - out.length);
      }
    }
    return 'written';
  }

  /** One tile (at px[off], rows `stride` apart) at buf[o]; returns the offset after it. */
  private encodeTile(px: Uint32Array, off: number, stride: number, tw: number, th: number, mode: number, size: number, buf: Uint8Array, o: number): number {
    const rawCost = 1 + tw * th * size;
    const scan = this.scan;
    const colours = scan.scan(px, off, stride, tw, th);
    if (colours === 1) return this.solidTile(scan.first, mode, buf, o);

    const f = this.finder;
    if (colours === 2) {
      // The background is the more frequent colour (the first pixel's on a tie).
      const secondIsBg = scan.secondCount > tw * th - scan.secondCount;
      const tileBg = secondIsBg ? scan.second : scan.first;
      const tileFg = secondIsBg ? scan.first : scan.second;
      const sendBg = !this.bgValid || tileBg !== this.bg;
      const sendFg = !this.fgValid || tileFg !== this.fg;
      const head = 1 + (sendBg ? size : 0) + (sendFg ? size : 0) + 1;
      const maxCount = Math.min(255, Math.floor((rawCost - head) / 2));
      if (maxCount > 0 && f.findInMasks(this.foregroundRows(secondIsBg, tw, th), th, tileFg, maxCount)) {
        buf[o++] = HextileFlag.AnySubrects | (sendBg ? HextileFlag.BackgroundSpecified : 0) | (sendFg ? HextileFlag.ForegroundSpecified : 0);
        if (sendBg) o = writePixel(mode, buf, o, tileBg);
        if (sendFg) o = writePixel(mode, buf, o, tileFg);
        const n = f.count;
        buf[o++] = n;
        for (let i = 0; i < n; i++) {
          buf[o++] = (f.x[i]! << 4) | f.y[i]!;
          buf[o++] = ((f.w[i]! - 1) << 4) | (f.h[i]! - 1);
        }
        this.bg = tileBg;
        this.fg = tileFg;
        this.bgValid = this.fgValid = true;
        return o;
      }
      return this.rawTile(px, off, stride, tw, th, mode, buf, o);
    }

    // Three colours or more. Photo-like tiles, where nearly every pixel differs
    // from its left and upper neighbours, need more rectangles than raw is
    // worth whatever the background: such a corner is a rectangle's top-left
    // unless it is of the background colour, and a background over more than
    // an eighth of the tile that is mostly corners is rare enough to forgo.
    // This pass costs far less than the palette that would find out.
    const fewestCorners = Math.floor((rawCost - 2 - size) / (size + 2)) + ((tw * th) >> 3);
    if (manyCorners(px, off, stride, tw, th, fewestCorners)) return this.rawTile(px, off, stride, tw, th, mode, buf, o);
    // Coloured subrectangles, unless past the palette limit.
    const a = this.analysis;
    a.analyse(px, off, stride, tw, th, MAX_PALETTE, 0, false);
    if (!a.overflow) {
      const tileBg = a.palette[a.mostFrequent()]!;
      const sendBg = !this.bgValid || tileBg !== this.bg;
      const head = 1 + (sendBg ? size : 0) + 1;
      const maxCount = Math.min(255, Math.floor((rawCost - head) / (size + 2)));
      if (maxCount > 0 && f.find(px, off, stride, tw, th, tileBg, maxCount)) {
        buf[o++] = HextileFlag.AnySubrects | HextileFlag.SubrectsColoured | (sendBg ? HextileFlag.BackgroundSpecified : 0);
        if (sendBg) o = writePixel(mode, buf, o, tileBg);
        const n = f.count;
        buf[o++] = n;
        for (let i = 0; i < n; i++) {
          o = writePixel(mode, buf, o, f.colour[i]!);
          buf[o++] = (f.x[i]! << 4) | f.y[i]!;
          buf[o++] = ((f.w[i]! - 1) << 4) | (f.h[i]! - 1);
        }
        this.bg = tileBg;
        this.bgValid = true;
        this.fgValid = false;
        return o;
      }
    }
    return this.rawTile(px, off, stride, tw, th, mode, buf, o);
  }

  private solidTile(c: number, mode: number, buf: Uint8Array, o: number): number {
    if (this.bgValid && c === this.bg) {
      buf[o] = 0;
      return o + 1;
    }
    buf[o] = HextileFlag.BackgroundSpecified;
    this.bg = c;
    this.bgValid = true;
    return writePixel(mode, buf, o + 1, c);
  }

  private rawTile(px: Uint32Array, off: number, stride: number, tw: number, th: number, mode: number, buf: Uint8Array, o: number): number {
    buf[o] = HextileFlag.Raw;
    this.bgValid = this.fgValid = false;
    return writePixelBlock(mode, px, off, stride, tw, th, buf, o + 1);
  }

  /** The scan's masks as masks of the foreground: as they are, or inverted when the second colour is the background. */
  private foregroundRows(secondIsBg: boolean, tw: number, th: number): Int32Array {
    const rows = this.scan.rows;
    if (secondIsBg) {
      const all = (1 << tw) - 1;
      for (let y = 0; y < th; y++) rows[y] = ~rows[y]! & all;
    }
    return rows;
  }
}
