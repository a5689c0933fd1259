import type { Rect } from '../../framebuffer/rect.js';
import type { PixelConverter } from '../pixel-format.js';
import { DEFAULT_ZLIB_LEVEL, type ClosableEncoderState } from './encoder-state.js';
import { ColourWriter, MIN_TO_COMPRESS, STREAM_INDEXED, STREAM_MONO, TIGHT_STREAMS, withCompactLength } from './tight-wire.js';

/** The least zlib level for the palette streams (mono and indexed). */
const PALETTE_ZLIB_LEVEL = 3;

/**
 * The zlib level Tight's stream `stream` is made with, from the level the
 * client asked for (undefined: the connection's). Palette data (one bit or
 * one byte a pixel: text, lines) is small and compresses far: a level above
 * the connection's default buys bytes there, but not as far as 6: on the
 * bench desktop's text (47 KB of palette data a 1080p frame, in 16 chunks)
 * level 6 took 1.51 ms for 18.4 KB, level 3 1.01 ms for 19.1 KB, level 2
 * 0.91 ms for 19.3 KB. TightVNC's table (libvncserver's tight.c) takes
 * level 3 for palettes at compression level 2, what TigerVNC's viewer and
 * noVNC ask for.
 */
export function tightStreamLevel(stream: number, compressLevel: number | undefined): number | undefined {
  const palette = stream === STREAM_MONO || stream === STREAM_INDEXED;
  return palette ? Math.max(compressLevel ?? DEFAULT_ZLIB_LEVEL, PALETTE_ZLIB_LEVEL) : compressLevel;
}

/** A zlib header: deflate with a 32 KiB window, no dictionary (RFC 1950). */
const ZLIB_HEADER = [0x78, 0x01] as const;

/**
 * `data` (under 64 KiB) as the start of a zlib stream: the header, then one
 * stored block, not final (RFC 1951 3.2.4). It ends on a byte boundary as a
 * sync flush does, so independent chunks may follow; and it needs no
 * deflater.
 */
export function storedStreamStart(data: Uint8Array): Buffer {
  const n = data.length;
  const b = Buffer.allocUnsafe(ZLIB_HEADER.length + 5 + n);
  b.set(ZLIB_HEADER, 0);
  // BFINAL 0, BTYPE 00 (stored), padded to the byte; then LEN and its complement, little-endian.
  b[2] = 0;
  b.writeUInt16LE(n, 3);
  b.writeUInt16LE(~n & 0xffff, 5);
  b.set(data, 7);
  return b;
}

/**
 * A rectangle that begins the connection's Tight stream `name` (its zlib
 * header goes to the client) before a unit goes to an encode worker, whose
 * chunks can only continue a stream that has begun: the first pixels of the
 * unit's top row (`px`, `unit`'s pixels), copy filter, just enough of them
 * for Tight to compress them (12 bytes), in a stored block. The connection's
 * own deflater for the stream is made only if it is used, and continues
 * without a header (ZlibStream.begunElsewhere). It draws what the unit draws
 * again. Null when the unit is too narrow.
 *
 * Not a reset of the stream instead (the control byte's bits 0–3): noVNC's
 * inflater keeps no history after a reset of a stream it has used, so every
 * later chunk of ours through that stream would have to stand alone.
 */
export function tightStreamOpener(name: string, px: Uint32Array, unit: Rect, converter: PixelConverter, state: ClosableEncoderState, compressLevel: number | undefined): { rect: Rect; payload: Buffer } | null {
  const stream = TIGHT_STREAMS.indexOf(name as (typeof TIGHT_STREAMS)[number]);
  const colour = new ColourWriter(converter);
  const w = Math.ceil(MIN_TO_COMPRESS / colour.size);
  if (stream < 0 || unit.w < w) return null;
  state.zlib(name, tightStreamLevel(stream, compressLevel)).begunElsewhere();
  return { rect: { x: unit.x, y: unit.y, w, h: 1 }, payload: withCompactLength(Uint8Array.of(stream << 4), storedStreamStart(colour.block(px, w, w, 1))) };
}
