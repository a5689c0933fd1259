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
  private readonly tiles = new RleTileEncoder(TILE);

  /** A solid rectangle: one sub-encoding byte and one pixel per tile. */
  solidCost(w: number, h: number, bpp: number): number {
    return Math.ceil(w / TILE) * Math.ceil(h / TILE) * (1 + bpp);
  }

  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome {
    this.tiles.encodeRect(input.pixels, input.rect.w, input.rect.h, pixelLayout(input.converter, true), out);
    return 'written';
  }
}
