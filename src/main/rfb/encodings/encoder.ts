import type { Rect } from '../../framebuffer/rect.js';
import type { PixelConverter } from '../pixel-format.js';
import type { ByteWriter } from '../wire.js';
import type { DeflateSink } from './zlib-stream.js';

/** Per-connection state that encoders keep across updates (RFC 6143 requires persistent zlib streams). */
export interface EncoderState {
  /**
   * Get (creating on first use) the named persistent deflate stream of this
   * connection. `level` and `memLevel` apply only when the stream is created;
   * omitted, the state's default level and zlib's largest memLevel are used.
   */
  zlib(name: string, level?: number, memLevel?: number): DeflateSink;
}

/** A rectangle an encoder cut a unit into (Encoder.pieces), with what the cut found out about it. */
export interface Piece extends Rect {
  /** All of it looked photographic (Tight's cut: each 16×16 block rarely repeats a pixel): no need to look again. */
  readonly photo?: boolean;
}

/** One rectangle to encode. */
export interface EncodeInput {
  /** Position and size in framebuffer coordinates (the manager writes the rectangle header). */
  readonly rect: Rect;
  /** Client pixel values, rect.w × rect.h, row-major (empty for a copy). */
  readonly pixels: Uint32Array;
  readonly converter: PixelConverter;
  readonly state: EncoderState;
  /** zlib level the client asked for (CompressLevel pseudo-encoding), used when a stream is first created. */
  readonly compressLevel?: number;
  /**
   * Most payload bytes worth sending (what Raw would take): an encoder whose
   * output can grow past Raw gives up beyond it. Omitted: no limit.
   */
  readonly limit?: number;
  /** The piece looked photographic when its unit was cut (Piece.photo). */
  readonly photo?: boolean;
  /** Send the pixels exactly (a lossless refresh of areas sent as JPEG before): no approximation. */
  readonly lossless?: boolean;
  /** For a copy (CopyRect): where on the client's screen the rectangle's pixels are now. */
  readonly copyFrom?: { readonly x: number; readonly y: number };
  /**
   * The state's deflate reads its input before `compress` returns (an encode
   * worker's synchronous zlib), so a buffer handed to it may be written again
   * by the next call: the encoder may keep one instead of allocating each time.
   */
  readonly deflateReadsAtOnce?: boolean;
  /**
   * Most of the area keeps changing (framebuffer/churn-map.ts): it will be
   * replaced in a moment, so an encoder may trade bytes for time.
   */
  readonly busy?: boolean;
}

/**
 * What one `encode` call did:
 * - 'written': the whole payload is in `out`;
 * - 'too-big': the payload would exceed `input.limit`; `out` may hold part of
 *   it, which the caller discards (it sends the rectangle as Raw instead);
 * - a promise: the work that reads `input.pixels` is done, compression runs on
 *   the thread pool, and the promise resolves to the whole payload; `out` is
 *   untouched. Payloads of one connection resolve in call order, so the caller
 *   can prepare the next rectangle (and reuse the pixel buffer) meanwhile.
 */
export type EncodeOutcome = 'written' | 'too-big' | Promise<Buffer>;

/** How well an encoding suits a class of rectangle: a good choice, only when nothing good is listed, or never. */
export type Suitability = 'good' | 'fallback' | 'no';

/**
 * The rectangle classes the manager sorts pixels into (after TigerVNC's
 * EncodeManager): one colour, a few (≤ 16), or many.
 */
export type RectClass = 'solid' | 'few' | 'many';

/**
 * An RFB encoding. The encoder writes only the rectangle's payload (what
 * follows the 12-byte rectangle header); the encode manager writes the header
 * and is the only caller. What an encoding is good for and what a solid
 * rectangle costs in it are said here, as data; which encoding is used for a
 * rectangle is the manager's choice among those the client listed, in the
 * client's order.
 */
export interface Encoder {
  readonly encoding: number;
  readonly name: string;
  /**
   * 'pixels' encoders get the rectangle's pixels; the 'copy' encoder
   * (CopyRect) gets only where to copy from and is used for moved areas.
   */
  readonly kind: 'pixels' | 'copy';
  /** Largest rectangle the encoding can express; the manager splits larger ones. */
  readonly maxRect?: { readonly w: number; readonly h: number };
  /** Most pixels in one rectangle; the manager cuts larger ones into bands of whole rows. */
  readonly maxArea?: number;
  /** For rectangles of a few colours and of many: Raw is the last resort of both. */
  readonly suits: { readonly few: Suitability; readonly many: Suitability };
  /**
   * Rough bytes (plus a penalty for CPU) to send a solid w×h rectangle at
   * `bpp` bytes per pixel: the manager sends solid areas in the cheapest of
   * the client's encodings.
   */
  solidCost(w: number, h: number, bpp: number): number;
  /**
   * True when the last encode() sent an approximation of the pixels (Tight's
   * JPEG): the area is refreshed losslessly once it has been still a while.
   */
  readonly lossy?: boolean;
  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome;
  /**
   * The client's whole SetEncodings list (pseudo-encodings included), given
   * before the manager reads `suits`: an encoder whose behaviour depends on
   * pseudo-encodings (Tight's JPEG quality) reads them here, and may change
   * what it suits.
   */
  setEncodings?(list: readonly number[]): void;
  /**
   * How to cut a unit this encoder was chosen for into rectangles, from its
   * pixels (`px`, rect.w per row): e.g. big solid areas apart from the rest.
   * Every piece must fit `maxRect` and `maxArea`. Omitted (or null): the
   * manager cuts by `maxRect` and `maxArea` alone.
   */
  pieces?(px: Uint32Array, rect: Rect): Piece[] | null;
}

/**
 * Encode one rectangle's payload into `out` and wait for it, whatever the
 * outcome's form: true when written, false when the encoder gave up (`out` is
 * then back where it was). For tests and tools; the manager pipelines instead.
 */
export async function encodeInto(encoder: Encoder, input: EncodeInput, out: ByteWriter): Promise<boolean> {
  const before = out.length;
  const outcome = encoder.encode(input, out);
  if (outcome === 'written') return true;
  if (outcome === 'too-big') {
    out.truncate(before);
    return false;
  }
  out.bytes(await outcome);
  return true;
}
