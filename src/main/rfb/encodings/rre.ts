import { Encoding } from '../constants.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, EncodeOutcome, Encoder } from './encoder.js';
import { pixelLayout, writePixel } from './pixel-writer.js';
import { SubrectFinder, needsMoreSubrects } from './subrects.js';
import { MAX_PALETTE, TileAnalysis } from './tile-analysis.js';

/**
 * RRE (2) and, with one-byte coordinates, CoRRE (4): a background colour and
 * single-colour subrectangles. The background is the most frequent colour.
 */
export class RreEncoder implements Encoder {
  readonly encoding: number = Encoding.RRE;
  readonly name: string = 'RRE';
  readonly kind = 'pixels';
  /** Compact for a few colours in blocks; on busy areas it is chosen only when the client lists nothing better. */
  readonly suits = { few: 'good', many: 'fallback' } as const;
  readonly maxRect?: { w: number; h: number };
  /** Bytes per subrectangle coordinate (2 for RRE, 1 for CoRRE). */
  protected readonly coordBytes: number = 2;
  private readonly analysis = new TileAnalysis(0);
  private readonly finder = new SubrectFinder();

  /** A solid rectangle: the subrectangle count and the background. */
  solidCost(_w: number, _h: number, bpp: number): number {
    return 4 + bpp;
  }

  /** Gives up ('too-big') when the payload would exceed `input.limit`: RRE can come out larger than Raw. */
  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome {
    return this.encodeWithin(input, out, input.limit ?? Infinity) ? 'written' : 'too-big';
  }

  private encodeWithin(input: EncodeInput, out: ByteWriter, limit: number): boolean {
    const { w, h } = input.rect;
    const px = input.pixels;
    const { mode, size } = pixelLayout(input.converter, false);
    const header = 4 + size;
    const per = size + 4 * this.coordBytes;
    if (limit < header) return false;
    const maxCount = Math.min(Math.floor((limit - header) / per), 0xffffffff);

    // Colours past the palette limit are not counted (run ratio 0 stops the pass):
    // the background is then the most frequent of the first ones, good enough.
    const a = this.analysis;
    a.analyse(px, 0, w, w, h, MAX_PALETTE, 0, false);
    const bg = a.palette[a.mostFrequent()]!;
    // On a busy area (more colours than the palette holds) the search would
    // give up only after finding maxCount rectangles; a cheaper count of the
    // rectangles that are bound to be needed usually says so sooner. (It
    // counts at most one per pixel, so under no limit it has nothing to say.)
    if (a.overflow && maxCount < w * h && needsMoreSubrects(px, 0, w, w, h, bg, maxCount)) return false;
    const f = this.finder;
    if (!f.find(px, 0, w, w, h, bg, maxCount)) return false;

    const n = f.count;
    const buf = out.raw(header + n * per);
    let o = out.length;
    buf.writeUInt32BE(n, o);
    o = writePixel(mode, buf, o + 4, bg);
    const { x, y, w: sw, h: sh, colour } = f;
    if (this.coordBytes === 2) {
      for (let i = 0; i < n; i++) {
        o = writePixel(mode, buf, o, colour[i]!);
        buf[o] = x[i]! >>> 8;
        buf[o + 1] = x[i]!;
        buf[o + 2] = y[i]! >>> 8;
        buf[o + 3] = y[i]!;
        buf[o + 4] = sw[i]! >>> 8;
        buf[o + 5] = sw[i]!;
        buf[o + 6] = sh[i]! >>> 8;
        buf[o + 7] = sh[i]!;
        o += 8;
      }
    } else {
      for (let i = 0; i < n; i++) {
        o = writePixel(mode, buf, o, colour[i]!);
        buf[o] = x[i]!;
        buf[o + 1] = y[i]!;
        buf[o + 2] = sw[i]!;
        buf[o + 3] = sh[i]!;
        o += 4;
      }
    }
    out.advance(o - out.length);
    return true;
  }
}
