import type { Rect } from '../../framebuffer/rect.js';
import { Encoding } from '../constants.js';
import type { PixelConverter } from '../pixel-format.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, EncodeOutcome, Encoder, Piece, Suitability } from './encoder.js';
import { DEFAULT_ZLIB_LEVEL } from './encoder-state.js';
import { gradientData, looksPhotographic } from './tight-gradient.js';
import { InputBuffers } from './input-buffers.js';
import { jpegFormatFor, jpegLibrary, writeJpeg, jpegSettingsFrom, type JpegLibrary, type JpegSettings } from './tight-jpeg.js';
import { MAX_PALETTE, TightPalette } from './tight-palette.js';
import { palettePng, rgbPng } from './tight-png.js';
import { solidAreaPieces } from './tight-split.js';
import { tightStreamLevel } from './tight-streams.js';
import {
  CTL_EXPLICIT_FILTER,
  CTL_FILL,
  ColourWriter,
  FILTER_GRADIENT,
  MIN_TO_COMPRESS,
  STREAM_FULL,
  STREAM_GRADIENT,
  TIGHT_STREAMS,
  withCompactLength,
} from './tight-wire.js';

export { TIGHT_STREAMS } from './tight-wire.js';

/** Kept buffers for the data deflate reads after encode() returns, one pool for every connection's Tight encoder (one thread). */
const INPUTS = new InputBuffers();

/** Below this many pixels a many-colour area goes lossless: JPEG's tables alone (about 600 bytes) would outweigh it. */
const JPEG_MIN_PIXELS = 1024;

/**
 * Tight (7), and TightPNG (−260) with `{ png: true }`. Per rectangle: a solid
 * one as a fill; a few colours (≤ 16) through the palette filter; many
 * colours, where the area looks photographic (tight-gradient.ts), as JPEG
 * when the client sent a JPEG quality and its format is 32 bpp depth 24
 * (tight-jpeg.ts), else through the gradient filter; other many-coloured
 * areas in full colour.
 * Lossless data is deflated through the connection's stream for its kind.
 * TightPNG has no basic compression: its palette and full-colour areas are
 * PNG images (tight-png.ts), and it serves only TPIXEL formats (other
 * formats get Raw). Big solid areas inside a rectangle are cut out as fills
 * of their own (`pieces`, tight-split.ts).
 */
export class TightEncoder implements Encoder {
  readonly encoding: number;
  readonly name: string;
  readonly kind = 'pixels';
  /** Tight rectangles are at most 2048 wide (the spec); height is not limited. */
  readonly maxRect = { w: 2048, h: 0xffff };
  /**
   * 65536 pixels is the most TightVNC and TigerVNC send in one rectangle: it
   * keeps the data well inside the 22-bit compact length and within what
   * decoders have always been given.
   */
  readonly maxArea = 65536;
  private readonly png: boolean;
  private readonly palette = new TightPalette();
  private jpeg: JpegSettings | null = null;
  private gradientTurn = false;
  private jpegFormat: { converter: PixelConverter; format: number | null } | null = null;

  private readonly lib: () => JpegLibrary | null;

  /** `png`: be TightPNG. `jpegLibrary`: where libjpeg-turbo comes from (null: unavailable), for tests; the shared binding by default. */
  constructor(options: { png?: boolean; jpegLibrary?: () => JpegLibrary | null } = {}) {
    this.png = options.png ?? false;
    this.lib = options.jpegLibrary ?? jpegLibrary;
    this.encoding = this.png ? Encoding.TightPNG : Encoding.Tight;
    this.name = this.png ? 'TightPNG' : 'Tight';
  }

  /**
   * Many colours suit Tight: as JPEG when the client asked for it, and
   * lossless too since solid areas are cut out and photo-like ones go
   * through the gradient filter (1920×1080 busy desktop, bench/encoders.mjs:
   * 639 KB in 37 ms against ZRLE's 1114 KB in 56 ms; figures in
   * docs/architecture.md). TightPNG without JPEG deflates whole PNG images
   * with no stream history, slower than ZRLE: a fallback there.
   */
  get suits(): { readonly few: Suitability; readonly many: Suitability } {
    return { few: 'good', many: this.jpeg || !this.png ? 'good' : 'fallback' };
  }

  /** Reads the JPEG quality pseudo-encodings; JPEG stays off when libjpeg-turbo cannot be loaded. */
  setEncodings(list: readonly number[]): void {
    const settings = jpegSettingsFrom(list);
    this.jpeg = settings && this.lib() ? settings : null;
  }

  /** A fill: the control byte and one colour, whatever the size. */
  solidCost(_w: number, _h: number, bpp: number): number {
    return 1 + Math.min(bpp, 3);
  }

  /** Big solid areas apart from the rest, each piece then encoded on its own. */
  pieces(px: Uint32Array, rect: Rect): Piece[] | null {
    return solidAreaPieces(px, rect, this.maxRect.w, this.maxArea);
  }

  /** Whether the last encode() sent JPEG. */
  lossy = false;

  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome {
    const { w, h } = input.rect;
    const px = input.pixels;
    this.lossy = false;
    const n = w * h;
    const colour = new ColourWriter(input.converter);
    if (this.png && !colour.tpixel) return 'too-big'; // TightPNG's images need 8-bit channels: Raw instead
    const colours = this.palette.analyse(px, n);

    if (colours === 1) {
      out.u8(CTL_FILL);
      colour.writeTo(out, px[0]!);
      return 'written';
    }
    const shifts = [colour.rs, colour.gs, colour.bs] as const;
    const level = input.compressLevel ?? DEFAULT_ZLIB_LEVEL;
    const photographic = colours > MAX_PALETTE && colour.tpixel && (input.photo === true || looksPhotographic(px, w, h));
    // JPEG only where the area looks photographic: many-coloured text and lines stay sharp.
    if (photographic && this.jpeg && !input.lossless && n >= JPEG_MIN_PIXELS) {
      const lib = this.lib();
      const format = lib ? this.formatFor(input.converter) : null;
      if (lib && format !== null) {
        this.lossy = true;
        writeJpeg(out, lib, px, w, h, format, this.jpeg);
        return 'written';
      }
    }
    if (this.png) {
      return colours <= MAX_PALETTE
        ? palettePng(this.palette.colours, colours, this.palette.pixelIndexes, w, h, shifts, level)
        : rgbPng(px, w, h, shifts, level);
    }

    let head: Uint8Array;
    let data: Buffer;
    let stream: number;
    // Colour and gradient bytes go into a kept buffer, back in the pool once deflate has read them.
    let held: Buffer | null = null;
    if (colours <= MAX_PALETTE) {
      ({ head, data, stream } = this.palette.parts(colours, w, h, colour));
    } else if (photographic) {
      // Photo-like areas take turns between two streams, so two deflates run on the thread pool at once.
      this.gradientTurn = !this.gradientTurn;
      stream = this.gradientTurn ? STREAM_GRADIENT : STREAM_FULL;
      head = Uint8Array.of((stream << 4) | CTL_EXPLICIT_FILTER, FILTER_GRADIENT);
      held = INPUTS.take(n * 3);
      data = gradientData(px, w, h, colour.rs, colour.gs, colour.bs, held);
    } else {
      // Copy filter, implied by leaving the filter bit clear.
      stream = STREAM_FULL;
      head = Uint8Array.of(stream << 4);
      held = INPUTS.take(n * colour.size);
      data = colour.block(px, n, w, h, held);
    }

    if (data.length < MIN_TO_COMPRESS) {
      out.bytes(head).bytes(data);
      if (held) INPUTS.give(held);
      return 'written';
    }
    const z = input.state.zlib(TIGHT_STREAMS[stream]!, tightStreamLevel(stream, input.compressLevel));
    // Given back only once read; after a failure it is left to the collector (a closing deflater may still hold it).
    return z.compress(data).then((c) => {
      if (held) INPUTS.give(held);
      return withCompactLength(head, c);
    });
  }

  /** The TurboJPEG format for the client's pixels, worked out once per converter. */
  private formatFor(c: PixelConverter): number | null {
    if (this.jpegFormat?.converter !== c) {
      const lib = this.lib();
      this.jpegFormat = { converter: c, format: lib ? jpegFormatFor(c, lib) : null };
    }
    return this.jpegFormat.format;
  }
}
