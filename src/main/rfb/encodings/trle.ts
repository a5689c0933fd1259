import { Encoding } from '../constants.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, EncodeOutcome, Encoder } from './encoder.js';
import { pixelLayout } from './pixel-writer.js';
import { RleTileEncoder } from './rle-tile.js';

const TILE = 16;

/** TRLE (15): 16×16 tiles with ZRLE's sub-encodings, uncompressed (RFC 6143 §7.7.5). */
export class TrleEncoder implements Encoder {
  readonly encoding = Encoding.TRLE;
  readonly name = 'TRLE';
  readonly kind = 'pixels';
  readonly suits = { few: 'good', many: 'good' } as const;
  private readonly tiles = new RleTileEncoder(TILE * TILE);

  /** A solid rectangle: one sub-encoding byte and one pixel per tile. */
  solidCost(w: number, h: number, bpp: number): number {
    return Math.ceil(w / TILE) * Math.ceil(h / TILE) * (1 + bpp);
  }

  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome {
    const { w, h } = input.rect;
    const px = input.pixels;
    const tiles = this.tiles;
    tiles.setLayout(pixelLayout(input.converter, true));
    for (let ty = 0; ty < h; ty += TILE) {
      const th = Math.min(TILE, h - ty);
      for (let tx = 0; tx < w; tx += TILE) {
        const tw = Math.min(TILE, w - tx);
        const buf = out.raw(tiles.maxTileBytes(tw, th));
        const end = tiles.encodeTile(px, ty * w + tx, w, tw, th, buf, out.length);
        out.advance(end - out.length);
      }
    }
    return 'written';
  }
}
