import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Frame } from '../../framebuffer/frame.js';
import type { Rect } from '../../framebuffer/rect.js';
import { Encoding } from '../constants.js';
import { NATIVE_FORMAT, PixelConverter } from '../pixel-format.js';
import { ByteWriter } from '../wire.js';
import { writeCopyRect } from './copyrect.js';
import { CorreEncoder } from './corre.js';
import type { EncodeInput, Encoder, EncoderState } from './encoder.js';
import { HextileEncoder } from './hextile.js';
import { hostLittleEndian } from './pixel-writer.js';
import { RawEncoder } from './raw.js';
import { RreEncoder } from './rre.js';
import { ColourSet, countColours } from './tile-analysis.js';
import { TrleEncoder } from './trle.js';
import { ZlibEncoder } from './zlib.js';
import { ZlibStream } from './zlib-stream.js';
import { ZrleEncoder } from './zrle.js';

/** What one written rectangle cost; `bytes` includes its 12-byte header, `rawBytes` is w*h*bytes-per-pixel. */
export interface RectStats {
  encoding: number;
  pixels: number;
  bytes: number;
  rawBytes: number;
}

/** A region the client can copy from elsewhere on its screen. */
export interface CopyOp {
  dst: Rect;
  srcX: number;
  srcY: number;
}

/** Rectangle classes, after TigerVNC's EncodeManager: each maps to one encoder. */
export type RectClass = 'solid' | 'few' | 'many';

/**
 * zlib level used when neither the server nor the client chose one. 2 is what
 * noVNC and TigerVNC's viewer ask for by default; on ZRLE data higher levels
 * save about 1 % for up to several times the deflate time.
 */
export const DEFAULT_ZLIB_LEVEL = 2;

/** CompressLevel pseudo-encodings: −256 is level 0 … −247 is level 9 (rfbproto). */
const COMPRESS_LEVEL_0 = -256;
const COMPRESS_LEVEL_9 = -247;

/**
 * Rectangles are cut into units of at most this many pixels (and MAX_UNIT_WIDTH
 * wide, rows a multiple of 64 so ZRLE tiles stay whole): it bounds scratch
 * memory, refines the per-rectangle choice, and lets one unit's deflate run on
 * the thread pool while the next unit is prepared.
 */
const MAX_UNIT_AREA = 1 << 17;
const MAX_UNIT_WIDTH = 2048;
/** A rectangle with at most this many colours (and more than one) is "few". */
const FEW_COLOURS = 16;
/** Pixels of prepared work between yields to the event loop, with and without compression queued. */
const YIELD_PIXELS = 1 << 14;
const IDLE_YIELD_PIXELS = 1 << 17;

/** Per-connection encoder state whose streams can be closed with the connection. */
export interface ClosableEncoderState extends EncoderState {
  close(): void;
}

/** Encoder state that creates each named deflate stream on first use, at `level` unless the caller asks otherwise. */
export function createEncoderState(level: number = DEFAULT_ZLIB_LEVEL): ClosableEncoderState {
  const streams = new Map<string, ZlibStream>();
  return {
    zlib(name: string, want?: number): ZlibStream {
      let s = streams.get(name);
      if (!s) {
        s = new ZlibStream(want ?? level);
        streams.set(name, s);
      }
      return s;
    },
    close(): void {
      for (const s of streams.values()) s.close();
      streams.clear();
    },
  };
}

/** Encodings good for each class, in no order: the client's list orders them. */
const GOOD_FOR_FEW = new Set<number>([Encoding.ZRLE, Encoding.TRLE, Encoding.Hextile, Encoding.Zlib, Encoding.RRE, Encoding.CoRRE]);
const GOOD_FOR_MANY = new Set<number>([Encoding.ZRLE, Encoding.TRLE, Encoding.Hextile, Encoding.Zlib]);
/** For many colours RRE/CoRRE are used only when nothing better is listed (and never when larger than Raw). */
const LAST_RESORT_FOR_MANY = new Set<number>([Encoding.RRE, Encoding.CoRRE]);

/**
 * Chooses an encoding for every rectangle of an update and writes the
 * rectangles; the only caller of encoders. One encodeRects() at a time per
 * manager: the zlib streams and scratch buffers are per connection.
 */
export class EncodeManager {
  private readonly state: EncoderState;
  private readonly encoders = new Map<number, Encoder>();
  private readonly raw: Encoder;
  private converter = new PixelConverter(NATIVE_FORMAT);
  private listed: number[] = [];
  private copyRect = false;
  private compressLevel: number | undefined;
  private fewEncoder: Encoder;
  private manyEncoder: Encoder;
  private solidCandidates: Encoder[] = [];

  private scratch = new Uint32Array(0);
  private pieceScratch = new Uint32Array(0);
  private readonly colours = new ColourSet();
  private readonly side = new ByteWriter(64 * 1024);
  private readonly within = new ByteWriter(64 * 1024);
  private busy = false;

  constructor(state: EncoderState) {
    this.state = state;
    for (const e of [new RawEncoder(), new RreEncoder(), new CorreEncoder(), new HextileEncoder(), new ZlibEncoder(), new TrleEncoder(), new ZrleEncoder()]) {
      this.encoders.set(e.encoding, e);
    }
    this.raw = this.encoders.get(Encoding.Raw)!;
    this.fewEncoder = this.raw;
    this.manyEncoder = this.raw;
  }

  /** The client's SetEncodings list, in its order of preference. Unknown numbers and pseudo-encodings are ignored. */
  setEncodings(list: readonly number[]): void {
    this.listed = [];
    this.copyRect = false;
    this.compressLevel = undefined;
    for (const e of list) {
      if (e === Encoding.CopyRect) this.copyRect = true;
      else if (this.encoders.has(e) && !this.listed.includes(e)) this.listed.push(e);
      else if (e >= COMPRESS_LEVEL_0 && e <= COMPRESS_LEVEL_9 && this.compressLevel === undefined) this.compressLevel = e - COMPRESS_LEVEL_0;
    }
    const firstOf = (good: Set<number>): Encoder | undefined => {
      const e = this.listed.find((n) => good.has(n));
      return e === undefined ? undefined : this.encoders.get(e);
    };
    this.fewEncoder = firstOf(GOOD_FOR_FEW) ?? this.raw;
    this.manyEncoder = firstOf(GOOD_FOR_MANY) ?? firstOf(LAST_RESORT_FOR_MANY) ?? this.raw;
    this.solidCandidates = this.listed.filter((n) => n !== Encoding.Raw).map((n) => this.encoders.get(n)!);
  }

  /** The client's pixel format, as a converter from the native frame. */
  setConverter(c: PixelConverter): void {
    this.converter = c;
  }

  get pixelConverter(): PixelConverter {
    return this.converter;
  }

  /** Whether CopyRect rectangles will be sent (the client listed CopyRect). */
  get usesCopyRect(): boolean {
    return this.copyRect;
  }

  /** The zlib level the client asked for with a CompressLevel pseudo-encoding, if any. */
  get clientCompressLevel(): number | undefined {
    return this.compressLevel;
  }

  /** The encoding used for a w×h rectangle of the given class. */
  encodingFor(cls: RectClass, w = 64, h = 64): number {
    return this.choose(cls, w, h).encoding;
  }

  /**
   * Pixels to show instead of the frame's inside `rect` (native 0x00RRGGBB,
   * packed, rect.w per row) for the next encodeRects — the cursor composited
   * for clients that cannot draw it. Null for none.
   */
  overlay: { rect: Rect; pixels: Uint32Array } | null = null;

  private convert(frame: Frame, r: Rect, scratch: Uint32Array): Uint32Array {
    const px = this.converter.convertRect(frame, r, scratch);
    const o = this.overlay;
    if (!o) return px;
    const x0 = Math.max(r.x, o.rect.x);
    const y0 = Math.max(r.y, o.rect.y);
    const x1 = Math.min(r.x + r.w, o.rect.x + o.rect.w);
    const y1 = Math.min(r.y + r.h, o.rect.y + o.rect.h);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        px[(y - r.y) * r.w + (x - r.x)] = this.converter.convert(o.pixels[(y - o.rect.y) * o.rect.w + (x - o.rect.x)]!);
      }
    }
    return px;
  }

  /**
   * Write every rectangle of an update into `out`: for each, the 12-byte header
   * (x, y, w, h, encoding) and the payload. CopyRect entries come first when the
   * client takes CopyRect; otherwise their destinations are sent as changed
   * pixels from `frame`. Returns the number of rectangles written, for the
   * FramebufferUpdate header. `onRect` gets one call per rectangle, in order,
   * once the update is complete.
   *
   * Big updates are encoded a unit at a time with yields to the event loop in
   * between (so deflate overlaps the next unit's work and input is not held
   * up): `frame` is read across those turns, so pixels grabbed into it
   * meanwhile may show up in this update; they are sent again with the next.
   */
  async encodeRects(
    frame: Frame,
    rects: readonly Rect[],
    copies: readonly CopyOp[],
    out: ByteWriter,
    onRect?: (s: RectStats) => void,
  ): Promise<number> {
    if (this.busy) throw new Error('EncodeManager.encodeRects called while a previous call is still running');
    this.busy = true;
    try {
      return await this.encodeAll(frame, rects, copies, out, onRect);
    } finally {
      this.busy = false;
    }
  }

  private async encodeAll(
    frame: Frame,
    rects: readonly Rect[],
    copies: readonly CopyOp[],
    out: ByteWriter,
    onRect: ((s: RectStats) => void) | undefined,
  ): Promise<number> {
    const bounds: Rect = { x: 0, y: 0, w: frame.width, h: frame.height };
    const bpp = this.converter.bpp;
    const stats: Array<RectStats & { pending?: Promise<Buffer> }> = [];
    // Once a payload is pending, later bytes go to `side` and are kept in order in `parts`.
    const parts: Array<Buffer | Promise<Buffer>> = [];
    const side = this.side;
    side.reset();
    const target = (): ByteWriter => (parts.length === 0 ? out : side);
    let sinceYield = 0;
    // With compression queued, yield often: the thread pool starts the next
    // chunk only when the event loop collects the last one. Otherwise yield
    // now and then so input and other clients are not held up by a big frame.
    const timeToYield = (pixels: number): boolean => {
      sinceYield += pixels;
      if (sinceYield < (parts.length > 0 ? YIELD_PIXELS : IDLE_YIELD_PIXELS)) return false;
      sinceYield = 0;
      return true;
    };

    const pixelRects: Rect[] = [];
    for (const c of copies) {
      const dst = clip(c.dst, bounds);
      if (!dst) continue;
      const sx = c.srcX + (dst.x - c.dst.x);
      const sy = c.srcY + (dst.y - c.dst.y);
      const srcInside = sx >= 0 && sy >= 0 && sx + dst.w <= frame.width && sy + dst.h <= frame.height;
      if (!this.copyRect || !srcInside) {
        pixelRects.push(dst);
        continue;
      }
      const t = target();
      const before = t.length;
      writeHeader(t, dst, Encoding.CopyRect);
      writeCopyRect(t, sx, sy);
      stats.push({ encoding: Encoding.CopyRect, pixels: dst.w * dst.h, bytes: t.length - before, rawBytes: dst.w * dst.h * bpp });
    }
    for (const r of rects) {
      const c = clip(r, bounds);
      if (c) pixelRects.push(c);
    }

    const units = pixelRects.flatMap(splitUnits);
    const rawOnly = this.rawOnly();
    if (rawOnly) {
      // Every unit goes as Raw, whose size is known: make room for all of it at
      // once instead of growing `out` (and copying it) a doubling at a time.
      out.ensure(units.reduce((sum, u) => sum + RECT_HEADER_BYTES + u.w * u.h * bpp, 0));
    }
    // A little-endian 32 bpp client's Raw pixels are their values as this host stores them.
    const direct = rawOnly && bpp === 4 && !this.converter.pf.bigEndian && hostLittleEndian;

    for (const unit of units) {
      const n = unit.w * unit.h;
      if (direct && this.rawIntoOutput(frame, unit, out, stats)) {
        if (timeToYield(n)) await yieldToLoop();
        continue;
      }
      if (this.scratch.length < n) this.scratch = new Uint32Array(Math.max(n, 4096));
      const px = this.convert(frame, unit, this.scratch);
      const enc = this.choose(this.classify(px, n), unit.w, unit.h);

      const pieces = enc.maxRect && (unit.w > enc.maxRect.w || unit.h > enc.maxRect.h) ? splitPieces(unit, enc.maxRect.w, enc.maxRect.h) : null;
      for (const piece of pieces ?? [unit]) {
        let pp = px;
        if (pieces) {
          const m = piece.w * piece.h;
          if (this.pieceScratch.length < m) this.pieceScratch = new Uint32Array(m);
          // Cut from the unit's converted pixels (cursor included) rather than converting again.
          pp = cutBlock(px, unit, piece, this.pieceScratch);
        }
        const input: EncodeInput = { rect: piece, pixels: pp, converter: this.converter, state: this.state, compressLevel: this.compressLevel };
        const rawBytes = piece.w * piece.h * bpp;

        if (enc.encodeDeferred) {
          const t = target();
          const before = t.length;
          writeHeader(t, piece, enc.encoding);
          const head = t.length - before;
          if (parts.length > 0) {
            parts.push(Buffer.from(side.view()));
            side.reset();
          }
          const pending = enc.encodeDeferred(input);
          pending.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
          parts.push(pending);
          stats.push({ encoding: enc.encoding, pixels: piece.w * piece.h, bytes: head, rawBytes, pending });
          continue;
        }

        const t = target();
        const before = t.length;
        let used = enc;
        if (enc.encodeWithin) {
          const w = this.within;
          w.reset();
          if (enc.encodeWithin(input, w, rawBytes)) {
            writeHeader(t, piece, enc.encoding);
            t.bytes(w.view());
          } else {
            used = this.raw;
            writeHeader(t, piece, Encoding.Raw);
            this.raw.encode(input, t);
          }
        } else {
          writeHeader(t, piece, enc.encoding);
          const done = enc.encode(input, t);
          // Only encoders without encodeDeferred get here, and they are all synchronous.
          if (done instanceof Promise) await done;
        }
        stats.push({ encoding: used.encoding, pixels: piece.w * piece.h, bytes: t.length - before, rawBytes });
      }

      if (timeToYield(n)) await yieldToLoop();
    }

    if (parts.length > 0) {
      if (side.length > 0) parts.push(Buffer.from(side.view()));
      side.reset();
      for (const p of parts) out.bytes(p instanceof Promise ? await p : p);
      for (const s of stats) {
        if (s.pending) {
          s.bytes += (await s.pending).length;
          delete s.pending;
        }
      }
    }
    if (onRect) for (const s of stats) onRect({ encoding: s.encoding, pixels: s.pixels, bytes: s.bytes, rawBytes: s.rawBytes });
    return stats.length;
  }

  /**
   * Write `unit` as Raw by converting the frame straight into `out`: no
   * scratch copy, no classification. Only for clients whose Raw pixels are
   * their values as this host stores them (`direct` in encodeAll), and only
   * where the payload starts 4-byte aligned in `out` (a typed-array view needs
   * it); returns false, having written nothing, otherwise.
   */
  private rawIntoOutput(frame: Frame, unit: Rect, out: ByteWriter, stats: RectStats[]): boolean {
    const n = unit.w * unit.h;
    const buf = out.raw(RECT_HEADER_BYTES + n * 4);
    const at = buf.byteOffset + out.length + RECT_HEADER_BYTES;
    if (at % 4 !== 0) return false;
    writeHeader(out, unit, Encoding.Raw);
    this.convert(frame, unit, new Uint32Array(buf.buffer, at, n));
    out.advance(n * 4);
    stats.push({ encoding: Encoding.Raw, pixels: n, bytes: RECT_HEADER_BYTES + n * 4, rawBytes: n * 4 });
    return true;
  }

  /** Whether every rectangle will be sent as Raw, whatever its class. */
  private rawOnly(): boolean {
    return this.fewEncoder === this.raw && this.manyEncoder === this.raw && this.solidCandidates.length === 0;
  }

  private classify(px: Uint32Array, n: number): RectClass {
    // When few and many map to the same encoder only "solid or not" matters, and that stops at the second colour.
    const limit = this.fewEncoder === this.manyEncoder ? 1 : FEW_COLOURS;
    const c = countColours(px, n, limit, this.colours);
    return c <= 1 ? 'solid' : c <= FEW_COLOURS ? 'few' : 'many';
  }

  private choose(cls: RectClass, w: number, h: number): Encoder {
    if (cls === 'few') return this.fewEncoder;
    if (cls === 'many') return this.manyEncoder;
    let best = this.raw;
    let bestCost = solidCost(Encoding.Raw, w, h, this.converter.bpp);
    for (const e of this.solidCandidates) {
      const cost = solidCost(e.encoding, w, h, this.converter.bpp);
      if (cost < bestCost) {
        best = e;
        bestCost = cost;
      }
    }
    return best;
  }
}

/**
 * Rough bytes (plus a penalty for CPU) to send a solid w×h rectangle, used to
 * pick the cheapest solid form among the client's encodings.
 */
function solidCost(encoding: number, w: number, h: number, bpp: number): number {
  const tiles16 = Math.ceil(w / 16) * Math.ceil(h / 16);
  switch (encoding) {
    case Encoding.RRE:
      return 4 + bpp;
    case Encoding.CoRRE: {
      const pieces = Math.ceil(w / 255) * Math.ceil(h / 255);
      return pieces * (4 + bpp) + (pieces - 1) * 12;
    }
    case Encoding.ZRLE:
      // A few bytes per distinct tile size after deflate, plus length and flush marker.
      return 16 + (Math.ceil(w / 64) * Math.ceil(h / 64)) / 8;
    case Encoding.Hextile:
      return bpp + tiles16;
    case Encoding.TRLE:
      return tiles16 * (1 + bpp);
    case Encoding.Zlib:
      // deflate tops out near 1000:1, and it has to chew through every byte.
      return 64 + (w * h * bpp) / 100;
    default:
      return w * h * bpp;
  }
}

/** The pixels of `piece` (inside `unit`) out of the unit's packed pixels `px`, packed into `scratch`. */
function cutBlock(px: Uint32Array, unit: Rect, piece: Rect, scratch: Uint32Array): Uint32Array {
  const dst = scratch.subarray(0, piece.w * piece.h);
  let i = (piece.y - unit.y) * unit.w + (piece.x - unit.x);
  for (let o = 0; o < dst.length; o += piece.w, i += unit.w) dst.set(px.subarray(i, i + piece.w), o);
  return dst;
}

/** x, y, w, h and encoding type before each rectangle's payload. */
const RECT_HEADER_BYTES = 12;

function writeHeader(out: ByteWriter, r: Rect, encoding: number): void {
  out.u16(r.x).u16(r.y).u16(r.w).u16(r.h).s32(encoding);
}

function clip(r: Rect, b: Rect): Rect | null {
  const x = Math.max(r.x, b.x);
  const y = Math.max(r.y, b.y);
  const x2 = Math.min(r.x + r.w, b.x + b.w);
  const y2 = Math.min(r.y + r.h, b.y + b.h);
  return x2 > x && y2 > y ? { x, y, w: x2 - x, h: y2 - y } : null;
}

/** Cut a rectangle into units: ≤ MAX_UNIT_WIDTH wide, ≤ MAX_UNIT_AREA pixels, row counts a multiple of 64. */
function splitUnits(r: Rect): Rect[] {
  const uw = Math.min(r.w, MAX_UNIT_WIDTH);
  const uh = Math.max(64, Math.floor(MAX_UNIT_AREA / uw / 64) * 64);
  if (r.w <= uw && r.h <= uh) return [r];
  return splitPieces(r, uw, uh);
}

function splitPieces(r: Rect, tw: number, th: number): Rect[] {
  const out: Rect[] = [];
  for (let y = r.y; y < r.y + r.h; y += th) {
    const h = Math.min(th, r.y + r.h - y);
    for (let x = r.x; x < r.x + r.w; x += tw) out.push({ x, y, w: Math.min(tw, r.x + r.w - x), h });
  }
  return out;
}
