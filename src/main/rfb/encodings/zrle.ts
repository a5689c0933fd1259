import { Encoding } from '../constants.js';
import { ByteWriter } from '../wire.js';
import type { EncodeInput, Encoder } from './encoder.js';
import { pixelLayout } from './pixel-writer.js';
import { RleTileEncoder } from './rle-tile.js';
import { withLength } from './zlib.js';

const TILE = 64;
/** The most a kept tiles buffer may hold. */
const KEEP_MAX = 8 * 1024 * 1024;

/** Name of the connection's deflate stream used by ZRLE. */
export const ZRLE_STREAM = 'zrle';

/**
 * deflate memLevel of the ZRLE stream. Its blocks of 2^11 symbols (against
 * 2^15 at 9) follow the changes between text, palette and photo tiles: a
 * 1920×1080 photo-like desktop deflates to 5 % fewer bytes at level 2 (2381
 * against 2516 KiB; a synthetic busy desktop 9 % fewer, a screen of terminal
 * text 2 % more) for about 15 % more deflate instructions.
 */
export const ZRLE_MEM_LEVEL = 5;

/**
 * ZRLE (16): 64×64 tiles (solid, packed palette, palette RLE, plain RLE or raw,
 * whichever is smallest) through the connection's persistent deflate stream,
 * as u32 length + data (RFC 6143 §7.7.6).
 */
export class ZrleEncoder implements Encoder {
  readonly encoding = Encoding.ZRLE;
  readonly name = 'ZRLE';
  readonly kind = 'pixels';
  readonly suits = { few: 'good', many: 'good' } as const;
  private readonly tiles = new RleTileEncoder(TILE, 3 / 4);
  /** The tiles' buffer kept from call to call where deflate reads it at once (encode workers). */
  private kept: ByteWriter | null = null;

  /** A solid rectangle: a few bytes per distinct tile size after deflate, plus the length and the flush marker. */
  solidCost(w: number, h: number): number {
    return 16 + (Math.ceil(w / TILE) * Math.ceil(h / TILE)) / 8;
  }

  /** Tiles are built now; deflate runs on the thread pool and the promise resolves to the payload. */
  encode(input: EncodeInput): Promise<Buffer> {
    const { w, h } = input.rect;
    const layout = pixelLayout(input.converter, true);
    // Deflate reads its input on the thread pool after we return, so each
    // rectangle's tiles go to a buffer of their own, as large as they can
    // get (a sub-encoding byte a tile plus raw pixels): written once and
    // handed over as it is, no copy and no growth.
    const tiles = Math.ceil(w / TILE) * Math.ceil(h / TILE);
    const most = tiles + w * h * layout.size;
    const s = input.deflateReadsAtOnce ? this.keptWriter(most) : new ByteWriter(most);
    this.tiles.encodeRect(input.pixels, w, h, layout, s);
    // Mostly raw tiles: photo-like, where deflate's string search costs much for what it finds (zlib-stream.ts strategyFor).
    const hint = this.tiles.rawPixels * 4 >= w * h * 3 ? (input.busy ? 'moving-photo' : 'photo') : undefined;
    const sink = input.state.zlib(ZRLE_STREAM, input.compressLevel, ZRLE_MEM_LEVEL);
    return sink.compressWithLength ? sink.compressWithLength(s.view(), hint) : sink.compress(s.view(), hint).then(withLength);
  }

  /** The kept buffer, emptied, with room for `bytes` (a fresh one of 8 MiB at most otherwise kept: a 1080p frame's unit). */
  private keptWriter(bytes: number): ByteWriter {
    if (bytes > KEEP_MAX) return new ByteWriter(bytes);
    this.kept ??= new ByteWriter(bytes);
    this.kept.reset();
    this.kept.ensure(bytes);
    return this.kept;
  }
}
