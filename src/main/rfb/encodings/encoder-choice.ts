import { Encoding } from '../constants.js';
import type { Encoder, RectClass } from './encoder.js';
import { ColourSet, countColours } from './tile-analysis.js';

/** CompressLevel pseudo-encodings: −256 is level 0 … −247 is level 9 (rfbproto). */
const COMPRESS_LEVEL_0 = -256;
const COMPRESS_LEVEL_9 = -247;

/** A rectangle with at most this many colours (and more than one) is "few". */
const FEW_COLOURS = 16;

/**
 * Which of the encoders a client listed serves which rectangles, after
 * TigerVNC's EncodeManager: a rectangle is classed by its colours (one, a
 * few, many), and the class goes to the first encoder in the client's order
 * that suits it (each encoder's own `suits`), a solid one to the cheapest by
 * `solidCost`. Raw is the last resort of every class.
 */
export class EncoderChoice {
  readonly raw: Encoder;
  /** The encoder for moved areas (CopyRect). */
  readonly copier: Encoder;
  private readonly encoders = new Map<number, Encoder>();
  /** The client's pixel encodings, in its order (Raw included if listed). */
  private listed: Encoder[] = [];
  private copyRect = false;
  private compressLevel: number | undefined;
  private fewEncoder: Encoder;
  private manyEncoder: Encoder;
  private solidCandidates: Encoder[] = [];
  private readonly colours = new ColourSet();

  /** Raw and CopyRect must be among `encoders`. */
  constructor(encoders: readonly Encoder[]) {
    for (const e of encoders) this.encoders.set(e.encoding, e);
    this.raw = this.encoders.get(Encoding.Raw)!;
    this.copier = [...this.encoders.values()].find((e) => e.kind === 'copy')!;
    this.fewEncoder = this.raw;
    this.manyEncoder = this.raw;
  }

  /** The client's SetEncodings list, in its order of preference. Unknown numbers and pseudo-encodings are ignored. */
  setEncodings(list: readonly number[]): void {
    this.listed = [];
    this.copyRect = false;
    this.compressLevel = undefined;
    for (const n of list) {
      const e = this.encoders.get(n);
      if (e?.kind === 'copy') this.copyRect = true;
      else if (e && !this.listed.includes(e)) this.listed.push(e);
      else if (n >= COMPRESS_LEVEL_0 && n <= COMPRESS_LEVEL_9 && this.compressLevel === undefined) this.compressLevel = n - COMPRESS_LEVEL_0;
    }
    // Hook: encoders that read pseudo-encodings (Tight's JPEG quality) see the list before their `suits` is read.
    for (const e of this.encoders.values()) e.setEncodings?.(list);
    const first = (cls: 'few' | 'many', fit: 'good' | 'fallback') => this.listed.find((e) => e.suits[cls] === fit);
    this.fewEncoder = first('few', 'good') ?? this.raw;
    this.manyEncoder = first('many', 'good') ?? first('many', 'fallback') ?? this.raw;
    this.solidCandidates = this.listed.filter((e) => e !== this.raw);
  }

  /** Whether the client listed CopyRect. */
  get usesCopyRect(): boolean {
    return this.copyRect;
  }

  /** The zlib level the client asked for with a CompressLevel pseudo-encoding, if any. */
  get clientCompressLevel(): number | undefined {
    return this.compressLevel;
  }

  /** Whether every rectangle will be sent as Raw, whatever its class. */
  get rawOnly(): boolean {
    return this.fewEncoder === this.raw && this.manyEncoder === this.raw && this.solidCandidates.length === 0;
  }

  /** The class of the first `n` pixels of `px`. */
  classify(px: Uint32Array, n: number): RectClass {
    // When few and many map to the same encoder only "solid or not" matters, and that stops at the second colour.
    const limit = this.fewEncoder === this.manyEncoder ? 1 : FEW_COLOURS;
    const c = countColours(px, n, limit, this.colours);
    return c <= 1 ? 'solid' : c <= FEW_COLOURS ? 'few' : 'many';
  }

  /** The encoder for a w×h rectangle of class `cls`, at `bpp` bytes a pixel. */
  choose(cls: RectClass, w: number, h: number, bpp: number): Encoder {
    if (cls === 'few') return this.fewEncoder;
    if (cls === 'many') return this.manyEncoder;
    let best = this.raw;
    let bestCost = this.raw.solidCost(w, h, bpp);
    for (const e of this.solidCandidates) {
      const cost = e.solidCost(w, h, bpp);
      if (cost < bestCost) {
        best = e;
        bestCost = cost;
      }
    }
    return best;
  }
}
