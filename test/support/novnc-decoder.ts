/**
 * Runs noVNC's own rectangle decoders (core/decoders/*.js from @novnc/novnc) in
 * Node, as an independent check of our encoders. The package exports only
 * core/rfb.js, so the decoder files are imported by file URL.
 *
 * noVNC asks servers for 32 bpp, depth 24, little-endian, red-shift 0,
 * green-shift 8, blue-shift 16 (or 8 bpp depth 6 for Raw only), and decodes
 * only that: the expected pixels here are for that format.
 */

import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import { Encoding } from '../../src/main/rfb/constants.js';
import type { PixelFormat } from '../../src/main/rfb/pixel-format.js';

/** The pixel format noVNC requests at full depth. */
export const NOVNC_FORMAT: PixelFormat = Object.freeze({
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 0,
  greenShift: 8,
  blueShift: 16,
});

/** What noVNC requests at depth 8 ("low colour"): two bits per channel. */
export const NOVNC_FORMAT_8: PixelFormat = Object.freeze({
  bitsPerPixel: 8,
  depth: 8,
  bigEndian: false,
  trueColour: true,
  redMax: 3,
  greenMax: 3,
  blueMax: 3,
  redShift: 0,
  greenShift: 2,
  blueShift: 4,
});

type Colour = ArrayLike<number>;

/** The receive queue part of noVNC's Websock that decoders use. */
export class FakeSock {
  _rQ = new Uint8Array(1024);
  _rQi = 0;
  _rQlen = 0;

  /** Append received bytes, dropping what has been consumed. */
  push(bytes: Uint8Array): void {
    const live = this._rQlen - this._rQi;
    if (this._rQlen + bytes.length > this._rQ.length) {
      // A fresh buffer, never compaction in place: decoders may still hold views into the old one.
      const next = new Uint8Array(Math.max(1024, (live + bytes.length) * 2));
      next.set(this._rQ.subarray(this._rQi, this._rQlen));
      this._rQ = next;
      this._rQi = 0;
      this._rQlen = live;
    }
    this._rQ.set(bytes, this._rQlen);
    this._rQlen += bytes.length;
  }

  rQpeek8(): number {
    return this._rQ[this._rQi]!;
  }

  rQskipBytes(n: number): void {
    this._rQi += n;
  }

  rQshift8(): number {
    return this.shift(1);
  }

  rQshift16(): number {
    return this.shift(2);
  }

  rQshift32(): number {
    return this.shift(4);
  }

  rQlen(): number {
    return this._rQlen - this._rQi;
  }

  rQshiftStr(len: number): string {
    return String.fromCharCode(...this.rQshiftBytes(len, false));
  }

  rQshiftBytes(len: number, copy = true): Uint8Array {
    this.check(len);
    this._rQi += len;
    return copy ? this._rQ.slice(this._rQi - len, this._rQi) : this._rQ.subarray(this._rQi - len, this._rQi);
  }

  rQshiftTo(target: Uint8Array, len: number): void {
    this.check(len);
    target.set(this._rQ.subarray(this._rQi, this._rQi + len));
    this._rQi += len;
  }

  rQpeekBytes(len: number, copy = true): Uint8Array {
    this.check(len);
    return copy ? this._rQ.slice(this._rQi, this._rQi + len) : this._rQ.subarray(this._rQi, this._rQi + len);
  }

  rQwait(_msg: string, num: number, goback?: number): boolean {
    if (this._rQlen - this._rQi < num) {
      if (goback) {
        if (this._rQi < goback) throw new Error(`rQwait cannot back up ${goback} bytes`);
        this._rQi -= goback;
      }
      return true;
    }
    return false;
  }

  private shift(n: number): number {
    this.check(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this._rQ[this._rQi++]!;
    return v;
  }

  /** A decoder reading bytes it did not wait for is a decoder bug, or ours: fail loudly. */
  private check(n: number): void {
    if (this._rQlen - this._rQi < n) throw new Error(`decoder read ${n} bytes with only ${this._rQlen - this._rQi} queued`);
  }
}

/** pngjs (pure JS, no types shipped): only its synchronous reader. */
const pngjs = createRequire(import.meta.url)('pngjs') as { PNG: { sync: { read(b: Buffer): { width: number; height: number; data: Buffer } } } };

/** The drawing part of noVNC's Display, into an RGBA array. */
export class FakeDisplay {
  readonly rgba: Uint8Array;
  /** Pixels drawn from a JPEG image (1), so checks can allow its loss there and be exact elsewhere. */
  readonly lossy: Uint8Array;
  /** Images drawn so far, by type. */
  readonly images = { jpeg: 0, png: 0 };
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgba = new Uint8Array(width * height * 4);
    this.lossy = new Uint8Array(width * height);
  }

  /**
   * What noVNC's Display does with a JPEG or PNG rectangle (Tight's JPEG,
   * TightPNG's PNG), decoded here by pure-JS decoders independent of the
   * encoder's libraries (jpeg-js, pngjs) instead of the browser's.
   */
  imageRect(x: number, y: number, w: number, h: number, mime: string, data: Uint8Array): void {
    let img: { width: number; height: number; data: Uint8Array };
    if (mime === 'image/jpeg') {
      img = jpeg.decode(data, { useTArray: true, formatAsRGBA: true });
      this.images.jpeg++;
    } else if (mime === 'image/png') {
      img = pngjs.PNG.sync.read(Buffer.from(data));
      this.images.png++;
    } else {
      throw new Error(`unexpected image type ${mime}`);
    }
    if (img.width !== w || img.height !== h) throw new Error(`${mime} image is ${img.width}×${img.height}, the rectangle ${w}×${h}`);
    this.blitImage(x, y, w, h, img.data, 0);
    for (let j = y; j < y + h; j++) this.lossy.fill(mime === 'image/jpeg' ? 1 : 0, j * this.width + x, j * this.width + x + w);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Colour): void {
    this.bounds(x, y, w, h);
    this.exact(x, y, w, h);
    for (let j = y; j < y + h; j++) {
      for (let i = x; i < x + w; i++) {
        const o = (j * this.width + i) * 4;
        this.rgba[o] = color[0]!;
        this.rgba[o + 1] = color[1]!;
        this.rgba[o + 2] = color[2]!;
        this.rgba[o + 3] = 255;
      }
    }
  }

  blitImage(x: number, y: number, w: number, h: number, arr: Uint8Array, offset: number): void {
    this.bounds(x, y, w, h);
    this.exact(x, y, w, h);
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const s = offset + (j * w + i) * 4;
        const o = ((y + j) * this.width + x + i) * 4;
        this.rgba[o] = arr[s]!;
        this.rgba[o + 1] = arr[s + 1]!;
        this.rgba[o + 2] = arr[s + 2]!;
        this.rgba[o + 3] = 255;
      }
    }
  }

  copyImage(oldX: number, oldY: number, newX: number, newY: number, w: number, h: number): void {
    this.bounds(oldX, oldY, w, h);
    this.bounds(newX, newY, w, h);
    // Canvas drawImage onto itself behaves as if the source were copied first.
    const tmp = new Uint8Array(w * h * 4);
    for (let j = 0; j < h; j++) {
      const s = ((oldY + j) * this.width + oldX) * 4;
      tmp.set(this.rgba.subarray(s, s + w * 4), j * w * 4);
    }
    for (let j = 0; j < h; j++) {
      const o = ((newY + j) * this.width + newX) * 4;
      this.rgba.set(tmp.subarray(j * w * 4, (j + 1) * w * 4), o);
    }
  }

  /** Drawn without loss: no longer lossy. */
  private exact(x: number, y: number, w: number, h: number): void {
    for (let j = y; j < y + h; j++) this.lossy.fill(0, j * this.width + x, j * this.width + x + w);
  }

  private bounds(x: number, y: number, w: number, h: number): void {
    if (x < 0 || y < 0 || w < 0 || h < 0 || x + w > this.width || y + h > this.height) {
      throw new Error(`draw outside the framebuffer: ${x},${y} ${w}×${h}`);
    }
  }
}

/** What core/rfb.js calls on a decoder: false means "wait for more bytes, then call again". */
export interface NoVncDecoder {
  decodeRect(x: number, y: number, w: number, h: number, sock: FakeSock, display: FakeDisplay, depth: number): boolean;
}
type DecoderClass = new () => NoVncDecoder;

const DECODER_FILES: Record<number, string> = {
  [Encoding.Raw]: 'raw.js',
  [Encoding.CopyRect]: 'copyrect.js',
  [Encoding.RRE]: 'rre.js',
  [Encoding.Hextile]: 'hextile.js',
  [Encoding.Zlib]: 'zlib.js',
  [Encoding.ZRLE]: 'zrle.js',
  [Encoding.Tight]: 'tight.js',
  [Encoding.TightPNG]: 'tightpng.js',
};

async function loadDecoder(file: string): Promise<DecoderClass> {
  // noVNC's logging module reads window.console at import time.
  const g = globalThis as { window?: unknown };
  g.window ??= globalThis;
  const url = new URL(`../../node_modules/@novnc/novnc/core/decoders/${file}`, import.meta.url).href;
  const mod = (await import(url)) as { default: DecoderClass };
  return mod.default;
}

/** One fresh decoder per encoding noVNC decodes here (Raw, CopyRect, RRE, Hextile, Zlib, ZRLE, Tight, TightPNG), keyed by encoding number. */
export async function loadNoVncDecoders(): Promise<Map<number, NoVncDecoder>> {
  const out = new Map<number, NoVncDecoder>();
  for (const [enc, file] of Object.entries(DECODER_FILES)) {
    const C = await loadDecoder(file);
    out.set(Number(enc), new C());
  }
  return out;
}

export interface FeedOptions {
  /** Bytes delivered per chunk (1 exercises every re-entry point). Default: all at once. */
  chunk?: number;
}

/**
 * A noVNC client's rectangle loop: reads rectangle headers and hands each to
 * the decoder for its encoding, as core/rfb.js does. Decoders live as long as
 * the client, so zlib streams persist across updates like a real connection.
 */
export class NoVncClient {
  readonly display: FakeDisplay;
  readonly sock = new FakeSock();
  /** Encodings of the rectangles decoded so far. */
  readonly seen: number[] = [];

  private constructor(
    width: number,
    height: number,
    private readonly depth: 24 | 8,
    private readonly decoders: Map<number, NoVncDecoder>,
  ) {
    this.display = new FakeDisplay(width, height);
  }

  static async create(width: number, height: number, depth: 24 | 8 = 24): Promise<NoVncClient> {
    return new NoVncClient(width, height, depth, await loadNoVncDecoders());
  }

  /**
   * Decode one rectangle whose 12-byte header the caller has read from
   * `sock`, from bytes already queued there: for a caller following a whole
   * RFB stream, where only decoding tells where a rectangle ends. False when
   * the queued bytes run out first.
   */
  decodeQueuedRect(x: number, y: number, w: number, h: number, encoding: number): boolean {
    const dec = this.decoders.get(encoding);
    if (!dec) throw new Error(`noVNC has no decoder for encoding ${encoding}`);
    this.seen.push(encoding);
    return dec.decodeRect(x, y, w, h, this.sock, this.display, this.depth);
  }

  /**
   * Decode `count` rectangles (12-byte header + payload each) from `bytes`,
   * delivered in chunks. Throws if the bytes run out, or are left over.
   */
  decodeRects(bytes: Uint8Array, count: number, opts: FeedOptions = {}): void {
    const chunk = opts.chunk ?? bytes.length;
    let fed = 0;
    const feed = (): boolean => {
      if (fed >= bytes.length) return false;
      const n = Math.min(Math.max(1, chunk), bytes.length - fed);
      this.sock.push(bytes.subarray(fed, fed + n));
      fed += n;
      return true;
    };
    const sock = this.sock;
    for (let r = 0; r < count; r++) {
      while (sock.rQwait('header', 12)) if (!feed()) throw new Error(`ran out of bytes in the header of rectangle ${r}`);
      const x = sock.rQshift16();
      const y = sock.rQshift16();
      const w = sock.rQshift16();
      const h = sock.rQshift16();
      const enc = sock.rQshift32() | 0;
      const dec = this.decoders.get(enc);
      if (!dec) throw new Error(`noVNC has no decoder for encoding ${enc}`);
      this.seen.push(enc);
      while (!dec.decodeRect(x, y, w, h, sock, this.display, this.depth)) {
        if (!feed()) throw new Error(`ran out of bytes in rectangle ${r} (encoding ${enc})`);
      }
    }
    while (feed());
    if (sock.rQlen() !== 0) throw new Error(`${sock.rQlen()} bytes left after ${count} rectangles`);
  }
}
