import type { Rect } from '../../framebuffer/rect.js';
import type { PixelConverter } from '../pixel-format.js';
import type { EncoderState } from './encoder.js';
import { DEFAULT_ZLIB_LEVEL } from './encoder-state.js';
import { ColourWriter, MIN_TO_COMPRESS, STREAM_INDEXED, STREAM_MONO, TIGHT_STREAMS, withCompactLength } from './tight-wire.js';

/** The least zlib level for the palette streams (mono and indexed). */
const PALETTE_ZLIB_LEVEL = 6;

/**
 * The zlib level Tight's stream `stream` is made with, from the level the
 * client asked for (undefined: the connection's). Palette data (one bit or
 * one byte a pixel: text, lines) is small and compresses far: a stronger
 * level costs little time there and buys bytes.
 */
export function tightStreamLevel(stream: number, compressLevel: number | undefined): number | undefined {
  const palette = stream === STREAM_MONO || stream === STREAM_INDEXED;
  return palette ? Math.max(compressLevel ?? DEFAULT_ZLIB_LEVEL, PALETTE_ZLIB_LEVEL) : compressLevel;
}

/**
 * A rectangle that begins the connection's Tight stream `name` (its zlib
 * header goes to the client) before a unit goes to an encode worker, whose
 * chunks can only continue a stream that has begun: the first pixels of the
 * unit's top row (`px`, `unit`'s pixels), copy filter, just enough of them for
 * the data to be compressed. It draws what the unit draws again. Null when
 * the unit is too narrow.
 *
 * Not a reset of the stream instead (the control byte's bits 0–3): noVNC's
 * inflater keeps no history after a reset of a stream it has used, so every
 * later chunk of ours through that stream would have to stand alone.
 */
export function tightStreamOpener(name: string, px: Uint32Array, unit: Rect, converter: PixelConverter, state: EncoderState, compressLevel: number | undefined): { rect: Rect; payload: Promise<Buffer> } | null {
  const stream = TIGHT_STREAMS.indexOf(name as (typeof TIGHT_STREAMS)[number]);
  const colour = new ColourWriter(converter);
  const w = Math.ceil(MIN_TO_COMPRESS / colour.size);
  if (stream < 0 || unit.w < w) return null;
  const head = Uint8Array.of(stream << 4);
  const z = state.zlib(name, tightStreamLevel(stream, compressLevel));
  return { rect: { x: unit.x, y: unit.y, w, h: 1 }, payload: z.compress(colour.block(px, w, w, 1)).then((c) => withCompactLength(head, c)) };
}
