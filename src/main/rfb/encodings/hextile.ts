import { Encoding } from '../constants.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, Encoder } from './encoder.js';
import { pixelLayout, writePixel, writePixelBlock } from './pixel-writer.js';
import { SubrectFinder } from './subrects.js';
import { MAX_PALETTE, TileAnalysis } from './tile-analysis.js';

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
  private readonly analysis = new TileAnalysis(0);
  private readonly finder = new SubrectFinder();

  encode(input: EncodeInput, out: ByteWriter): void {
    const { w, h } = input.rect;
    const px = input.pixels;
    const { mode, size } = pixelLayout(input.converter, false);
    const a = this.analysis;
    const f = this.finder;
    let bg = 0;
    let fg = 0;
    let bgValid = false;
    let fgValid = false;

    for (let ty = 0; ty < h; ty += TILE) {
      const th = Math.min(TILE, h - ty);
      for (let tx = 0; tx < w; tx += TILE) {
        const tw = Math.min(TILE, w - tx);
        const off = ty * w + tx;
        const rawCost = 1 + tw * th * size;
        // Worst-case tile size; written directly, then committed with advance().
        const buf = out.raw(rawCost + 2 * size + 2);
        let o = out.length;

        a.analyse(px, off, w, tw, th, MAX_PALETTE, 0, false);
        if (!a.overflow && a.paletteSize === 1) {
          const c = a.palette[0]!;
          if (bgValid && c === bg) {
            buf[o++] = 0;
          } else {
            buf[o++] = HextileFlag.BackgroundSpecified;
            o = writePixel(mode, buf, o, c);
            bg = c;
            bgValid = true;
          }
          out.advance(o - out.length);
          continue;
        }

        let done = false;
        if (!a.overflow) {
          const tileBg = a.palette[a.mostFrequent()]!;
          const sendBg = !bgValid || tileBg !== bg;
          if (a.paletteSize === 2) {
            const tileFg = a.palette[0] === tileBg ? a.palette[1]! : a.palette[0]!;
            const sendFg = !fgValid || tileFg !== fg;
            const head = 1 + (sendBg ? size : 0) + (sendFg ? size : 0) + 1;
            const maxCount = Math.min(255, Math.floor((rawCost - head) / 2));
            if (maxCount > 0 && f.find(px, off, w, tw, th, tileBg, maxCount)) {
              buf[o++] = HextileFlag.AnySubrects | (sendBg ? HextileFlag.BackgroundSpecified : 0) | (sendFg ? HextileFlag.ForegroundSpecified : 0);
              if (sendBg) o = writePixel(mode, buf, o, tileBg);
              if (sendFg) o = writePixel(mode, buf, o, tileFg);
              const n = f.count;
              buf[o++] = n;
              for (let i = 0; i < n; i++) {
                buf[o++] = (f.x[i]! << 4) | f.y[i]!;
                buf[o++] = ((f.w[i]! - 1) << 4) | (f.h[i]! - 1);
              }
              bg = tileBg;
              fg = tileFg;
              bgValid = fgValid = true;
              done = true;
            }
          } else {
            const head = 1 + (sendBg ? size : 0) + 1;
            const maxCount = Math.min(255, Math.floor((rawCost - head) / (size + 2)));
            if (maxCount > 0 && f.find(px, off, w, tw, th, tileBg, maxCount)) {
              buf[o++] = HextileFlag.AnySubrects | HextileFlag.SubrectsColoured | (sendBg ? HextileFlag.BackgroundSpecified : 0);
              if (sendBg) o = writePixel(mode, buf, o, tileBg);
              const n = f.count;
              buf[o++] = n;
              for (let i = 0; i < n; i++) {
                o = writePixel(mode, buf, o, f.colour[i]!);
                buf[o++] = (f.x[i]! << 4) | f.y[i]!;
                buf[o++] = ((f.w[i]! - 1) << 4) | (f.h[i]! - 1);
              }
              bg = tileBg;
              bgValid = true;
              fgValid = false;
              done = true;
            }
          }
        }
        if (!done) {
          buf[o++] = HextileFlag.Raw;
          o = writePixelBlock(mode, px, off, w, tw, th, buf, o);
          bgValid = fgValid = false;
        }
        out.advance(o - out.length);
      }
    }
  }
}
