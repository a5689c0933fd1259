/**
 * EXTRA round-trip checks with a minimal decoder written here, for what noVNC
 * cannot decode: CoRRE, TRLE, and pixel formats other than 32 bpp depth 24
 * little-endian (16 bpp, 8 bpp, big-endian, 3-byte CPIXELs in the high or low
 * bytes). The real interoperability check for these is the end-to-end
 * libvncclient test; this one catches regressions early. Zlib data is inflated
 * with the inflater noVNC ships (not one of its decoders).
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { PixelConverter, type PixelFormat } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { CorreEncoder } from '../../../../src/main/rfb/encodings/corre.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { encodeInto, type Encoder } from '../../../../src/main/rfb/encodings/encoder.js';
import { HextileEncoder } from '../../../../src/main/rfb/encodings/hextile.js';
import { RawEncoder } from '../../../../src/main/rfb/encodings/raw.js';
import { RreEncoder } from '../../../../src/main/rfb/encodings/rre.js';
import { TrleEncoder } from '../../../../src/main/rfb/encodings/trle.js';
import { ZlibEncoder } from '../../../../src/main/rfb/encodings/zlib.js';
import { ZrleEncoder } from '../../../../src/main/rfb/encodings/zrle.js';
import { FRAME_KINDS, makeFrame, referencePixel } from '../../../support/reference-pixels.js';

/** Plain check for hot decode loops (vitest's expect is too slow per pixel). */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

interface Inflator {
  setInput(data: Uint8Array | null): void;
  inflate(expected: number): Uint8Array;
}

async function newInflator(): Promise<Inflator> {
  const url = new URL('../../../../node_modules/@novnc/novnc/core/inflator.js', import.meta.url).href;
  const mod = (await import(url)) as { default: new () => Inflator };
  return new mod.default();
}

const pf = (p: Partial<PixelFormat>): PixelFormat => ({
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
  ...p,
});

const FORMATS: Array<[string, PixelFormat]> = [
  ['32bpp LE low bytes', pf({})],
  ['32bpp BE low bytes', pf({ bigEndian: true })],
  ['32bpp LE high bytes', pf({ redShift: 24, greenShift: 16, blueShift: 8 })],
  ['32bpp BE high bytes', pf({ bigEndian: true, redShift: 24, greenShift: 16, blueShift: 8 })],
  ['32bpp depth 32 (4-byte CPIXEL)', pf({ depth: 32, redShift: 0, greenShift: 8, blueShift: 16 })],
  ['16bpp 565 LE', pf({ bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 })],
  ['16bpp 555 BE', pf({ bitsPerPixel: 16, depth: 15, bigEndian: true, redMax: 31, greenMax: 31, blueMax: 31, redShift: 10, greenShift: 5, blueShift: 0 })],
  ['8bpp BGR233', pf({ bitsPerPixel: 8, depth: 8, redMax: 7, greenMax: 7, blueMax: 3, redShift: 0, greenShift: 3, blueShift: 6 })],
];

/** Reads pixels and CPIXELs of one format, by the rules of RFC 6143 §7.7.5 as written, independently of the encoder side. */
class PixelReader {
  readonly size: number;
  readonly csize: number;
  private readonly high: boolean;
  constructor(private readonly f: PixelFormat) {
    this.size = f.bitsPerPixel / 8;
    const mask = (f.redMax * 2 ** f.redShift + f.greenMax * 2 ** f.greenShift + f.blueMax * 2 ** f.blueShift) >>> 0;
    const compact = f.bitsPerPixel === 32 && f.depth <= 24 && ((mask & 0xff000000) === 0 || (mask & 0xff) === 0);
    this.csize = compact ? 3 : this.size;
    this.high = compact && (mask & 0xff) === 0;
  }
  pixel(b: Uint8Array, o: number): number {
    let v = 0;
    for (let i = 0; i < this.size; i++) v += b[o + i]! * 2 ** (8 * (this.f.bigEndian ? this.size - 1 - i : i));
    return v >>> 0;
  }
  cpixel(b: Uint8Array, o: number): number {
    if (this.csize !== 3) return this.pixel(b, o);
    // The three colour bytes in the pixel's own byte order; the missing byte is zero.
    const [b0, b1, b2] = [b[o]!, b[o + 1]!, b[o + 2]!];
    const v = this.f.bigEndian ? b0 * 65536 + b1 * 256 + b2 : b2 * 65536 + b1 * 256 + b0;
    return (this.high ? v * 256 : v) >>> 0;
  }
}

/** A byte source over one rectangle's payload (or inflated data) that fails on over-reads. */
class Bytes implements Source {
  o = 0;
  constructor(private readonly b: Uint8Array) {}
  u8(): number {
    if (this.o >= this.b.length) throw new Error('read past the end');
    return this.b[this.o++]!;
  }
  u16(): number {
    return this.u8() * 256 + this.u8();
  }
  u32(): number {
    return this.u16() * 65536 + this.u16();
  }
  take(n: number): Uint8Array {
    if (this.o + n > this.b.length) throw new Error('read past the end');
    this.o += n;
    return this.b.subarray(this.o - n, this.o);
  }
  get left(): number {
    return this.b.length - this.o;
  }
}

interface Source {
  u8(): number;
  take(n: number): Uint8Array;
}

/** Reads straight from the inflater, as much as each step needs (its inflate() wants exact sizes). */
class InflateSource implements Source {
  constructor(private readonly z: Inflator) {}
  u8(): number {
    return this.z.inflate(1)[0]!;
  }
  take(n: number): Uint8Array {
    return this.z.inflate(n).slice();
  }
}

/** Minimal client: a framebuffer of client pixel values. */
class MiniClient {
  readonly fb: Uint32Array;
  private readonly rd: PixelReader;
  private zrle: Inflator | null = null;
  private zlib: Inflator | null = null;
  constructor(
    readonly width: number,
    height: number,
    format: PixelFormat,
  ) {
    this.fb = new Uint32Array(width * height);
    this.rd = new PixelReader(format);
  }

  async init(): Promise<this> {
    this.zrle = await newInflator();
    this.zlib = await newInflator();
    return this;
  }

  private fill(x: number, y: number, w: number, h: number, v: number): void {
    for (let j = y; j < y + h; j++) this.fb.fill(v, j * this.width + x, j * this.width + x + w);
  }

  decode(bytes: Uint8Array, count: number): void {
    const s = new Bytes(bytes);
    for (let i = 0; i < count; i++) {
      const x = s.u16();
      const y = s.u16();
      const w = s.u16();
      const h = s.u16();
      const enc = s.u32() | 0;
      switch (enc) {
        case Encoding.Raw:
          this.raw(s, x, y, w, h);
          break;
        case Encoding.RRE:
        case Encoding.CoRRE:
          this.rre(s, x, y, w, h, enc === Encoding.CoRRE);
          break;
        case Encoding.Hextile:
          this.hextile(s, x, y, w, h);
          break;
        case Encoding.Zlib: {
          const z = this.zlib!;
          z.setInput(s.take(s.u32()));
          this.raw(new Bytes(z.inflate(w * h * this.rd.size)), x, y, w, h);
          z.setInput(null);
          break;
        }
        case Encoding.TRLE:
          this.rleTiles(s, x, y, w, h, 16);
          break;
        case Encoding.ZRLE: {
          const z = this.zrle!;
          z.setInput(s.take(s.u32()));
          this.rleTiles(new InflateSource(z), x, y, w, h, 64);
          z.setInput(null);
          break;
        }
        default:
          throw new Error(`unexpected encoding ${enc}`);
      }
    }
    expect(s.left).toBe(0);
  }

  private raw(s: Source, x: number, y: number, w: number, h: number): void {
    const n = this.rd.size;
    const b = s.take(w * h * n);
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.fb[(y + j) * this.width + x + i] = this.rd.pixel(b, (j * w + i) * n);
  }

  private px(s: Source): number {
    return this.rd.pixel(s.take(this.rd.size), 0);
  }

  private cpx(s: Source): number {
    return this.rd.cpixel(s.take(this.rd.csize), 0);
  }

  private rre(s: Bytes, x: number, y: number, w: number, h: number, compact: boolean): void {
    const n = s.u32();
    this.fill(x, y, w, h, this.px(s));
    for (let i = 0; i < n; i++) {
      const c = this.px(s);
      const [sx, sy, sw, sh] = compact ? [s.u8(), s.u8(), s.u8(), s.u8()] : [s.u16(), s.u16(), s.u16(), s.u16()];
      check(sx + sw <= w && sy + sh <= h && sw > 0 && sh > 0, 'subrectangle outside the rectangle');
      this.fill(x + sx, y + sy, sw, sh, c);
    }
  }

  private hextile(s: Bytes, x: number, y: number, w: number, h: number): void {
    let bg: number | null = null;
    let fg: number | null = null;
    for (let ty = y; ty < y + h; ty += 16) {
      for (let tx = x; tx < x + w; tx += 16) {
        const tw = Math.min(16, x + w - tx);
        const th = Math.min(16, y + h - ty);
        const sub = s.u8();
        if (sub & 1) {
          this.raw(s, tx, ty, tw, th);
          bg = fg = null; // what we promise after a raw tile: both are re-sent
          continue;
        }
        if (sub & 2) bg = this.px(s);
        if (sub & 4) fg = this.px(s);
        if (bg === null) throw new Error('tile without a background');
        this.fill(tx, ty, tw, th, bg);
        if (sub & 8) {
          const n = s.u8();
          for (let i = 0; i < n; i++) {
            let c: number;
            if (sub & 16) c = this.px(s);
            else if (fg === null) throw new Error('subrects without a foreground');
            else c = fg;
            const xy = s.u8();
            const wh = s.u8();
            const sx = xy >> 4;
            const sy = xy & 15;
            const sw = (wh >> 4) + 1;
            const sh = (wh & 15) + 1;
            check(sx + sw <= tw && sy + sh <= th, 'subrectangle outside the tile');
            this.fill(tx + sx, ty + sy, sw, sh, c);
          }
          if (sub & 16) fg = null;
        }
      }
    }
  }

  private rleTiles(s: Source, x: number, y: number, w: number, h: number, size: number): void {
    for (let ty = y; ty < y + h; ty += size) {
      for (let tx = x; tx < x + w; tx += size) {
        const tw = Math.min(size, x + w - tx);
        const th = Math.min(size, y + h - ty);
        const n = tw * th;
        const put = (k: number, v: number): void => {
          this.fb[(ty + Math.floor(k / tw)) * this.width + tx + (k % tw)] = v;
        };
        const sub = s.u8();
        const runLen = (): number => {
          let len = 1;
          let b: number;
          do {
            b = s.u8();
            len += b;
          } while (b === 255);
          return len;
        };
        if (sub === 0) {
          for (let k = 0; k < n; k++) put(k, this.cpx(s));
        } else if (sub === 1) {
          this.fill(tx, ty, tw, th, this.cpx(s));
        } else if (sub <= 16) {
          const pal = Array.from({ length: sub }, () => this.cpx(s));
          const bits = sub <= 2 ? 1 : sub <= 4 ? 2 : 4;
          for (let j = 0; j < th; j++) {
            let byte = 0;
            let left = 0;
            for (let i = 0; i < tw; i++) {
              if (left === 0) {
                byte = s.u8();
                left = 8;
              }
              left -= bits;
              const idx = (byte >> left) & ((1 << bits) - 1);
              check(idx < sub, 'palette index out of range');
              put(j * tw + i, pal[idx]!);
            }
          }
        } else if (sub === 128) {
          let k = 0;
          while (k < n) {
            const c = this.cpx(s);
            const len = runLen();
            check(k + len <= n, 'run past the end of the tile');
            for (let e = k + len; k < e; k++) put(k, c);
          }
        } else if (sub >= 130) {
          const pal = Array.from({ length: sub - 128 }, () => this.cpx(s));
          let k = 0;
          while (k < n) {
            const b = s.u8();
            const idx = b & 127;
            check(idx < pal.length, 'palette index out of range');
            const len = b & 128 ? runLen() : 1;
            check(k + len <= n, 'run past the end of the tile');
            for (let e = k + len; k < e; k++) put(k, pal[idx]!);
          }
        } else {
          throw new Error(`unexpected sub-encoding ${sub}`);
        }
      }
    }
  }
}

function expectFramebuffer(client: MiniClient, frame: Frame, r: Rect, format: PixelFormat): void {
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) {
      const want = referencePixel(format, frame.pixels[y * frame.stride + x]! & 0xffffff);
      const got = client.fb[y * client.width + x]!;
      if (got !== want) expect.fail(`(${x}, ${y}): got 0x${got.toString(16)}, want 0x${want.toString(16)}`);
    }
  }
}

const ENCODERS: Array<() => Encoder> = [
  () => new RawEncoder(),
  () => new RreEncoder(),
  () => new CorreEncoder(),
  () => new HextileEncoder(),
  () => new ZlibEncoder(),
  () => new TrleEncoder(),
  () => new ZrleEncoder(),
];

describe.each(FORMATS)('extra: own minimal decoder, %s', (_name, format) => {
  const conv = new PixelConverter(format);
  it.each(ENCODERS.map((m) => [m().name, m] as const))('%s over every frame kind, two updates per connection', async (_n, make) => {
    const enc = make();
    const state = createEncoderState();
    const w = 150;
    const h = 140; // CoRRE's limit is 255, so one rectangle each
    const client = await new MiniClient(w, h, format).init();
    for (const [k, kind] of FRAME_KINDS.entries()) {
      const frame = makeFrame(w, h, kind, 40 + k);
      const rects: Rect[] = [
        { x: 0, y: 0, w, h },
        { x: 7, y: 9, w: 65, h: 70 },
      ];
      for (const r of rects) {
        const out = new ByteWriter();
        out.u16(r.x).u16(r.y).u16(r.w).u16(r.h).s32(enc.encoding);
        await encodeInto(enc, { rect: r, pixels: conv.convertRect(frame, r), converter: conv, state }, out);
        client.decode(out.view(), 1);
        expectFramebuffer(client, frame, r, format);
      }
    }
    state.close();
  });
});
