import { describe, expect, it } from 'vitest';
import type { CursorImage } from '../../../src/main/framebuffer/cursor-image.js';
import type { Frame } from '../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';
import { blendCursor, compositeCursor, cursorBounds } from '../../../src/main/rfb/cursor.js';
import { cursorShapeBytes, writeCursorShape } from '../../../src/main/rfb/server-messages.js';
import { NATIVE_FORMAT, PixelConverter, type PixelFormat } from '../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../src/main/rfb/wire.js';

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function cursorOf(width: number, height: number, hotX: number, hotY: number, pixels: number[] | Uint32Array): CursorImage {
  return { width, height, hotX, hotY, pixels: Uint32Array.from(pixels), serial: 1 };
}

function randomCursor(width: number, height: number, seed: number): CursorImage {
  const next = rng(seed);
  const px = new Uint32Array(width * height);
  for (let i = 0; i < px.length; i++) {
    const v = next();
    // plenty of the interesting alphas: 0, 127, 128, 255, and anything else
    const pick = v & 7;
    const a = pick === 0 ? 0 : pick === 1 ? 127 : pick === 2 ? 128 : pick === 3 ? 255 : (v >>> 24) & 0xff;
    px[i] = ((a << 24) | (next() & 0xffffff)) >>> 0;
  }
  return cursorOf(width, height, Math.floor(width / 3), Math.floor(height / 2), px);
}

/**
 * The RFC 6143 description of a pixel, computed here from scratch: each 8-bit
 * channel scaled to 0..max (rounded), shifted into place, and the value laid
 * out in bits-per-pixel/8 bytes in the format's byte order.
 */
function expectedPixelBytes(pf: PixelFormat, argb: number): number[] {
  const r = Math.round((((argb >>> 16) & 0xff) * pf.redMax) / 255);
  const g = Math.round((((argb >>> 8) & 0xff) * pf.greenMax) / 255);
  const b = Math.round(((argb & 0xff) * pf.blueMax) / 255);
  const value = r * 2 ** pf.redShift + g * 2 ** pf.greenShift + b * 2 ** pf.blueShift;
  const n = pf.bitsPerPixel / 8;
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) bytes.push(Math.floor(value / 2 ** (8 * i)) % 256); // little-endian order
  return pf.bigEndian ? bytes.reverse() : bytes;
}

/** The bitmask as the RFC describes it, built from a string of 0s and 1s per row. */
function expectedMask(c: CursorImage): number[] {
  const out: number[] = [];
  const rowBytes = Math.floor((c.width + 7) / 8);
  for (let y = 0; y < c.height; y++) {
    let bits = '';
    for (let x = 0; x < c.width; x++) bits += Math.floor(c.pixels[y * c.width + x]! / 2 ** 24) >= 128 ? '1' : '0';
    bits = bits.padEnd(rowBytes * 8, '0');
    for (let i = 0; i < rowBytes; i++) out.push(parseInt(bits.slice(i * 8, i * 8 + 8), 2));
  }
  return out;
}

function expectedRect(pf: PixelFormat, c: CursorImage): number[] {
  const header = [c.hotX >> 8, c.hotX & 255, c.hotY >> 8, c.hotY & 255, c.width >> 8, c.width & 255, c.height >> 8, c.height & 255];
  const encoding = [0xff, 0xff, 0xff, 0x11]; // −239 as a big-endian two's-complement s32
  const pixels: number[] = [];
  for (const p of c.pixels) pixels.push(...expectedPixelBytes(pf, p));
  return [...header, ...encoding, ...pixels, ...expectedMask(c)];
}

function written(c: CursorImage | null, pf: PixelFormat): { bytes: number[]; returned: number; predicted: number } {
  const out = new ByteWriter(16); // small on purpose: the writer has to grow
  out.u8(0xaa); // something before the rectangle, as in a real update
  const conv = new PixelConverter(pf);
  const returned = writeCursorShape(out, c, conv);
  const bytes = [...out.view()];
  expect(bytes[0]).toBe(0xaa);
  return { bytes: bytes.slice(1), returned, predicted: cursorShapeBytes(c, conv) };
}

const FORMATS: Record<string, PixelFormat> = {
  'native 32 bpp LE': NATIVE_FORMAT,
  '32 bpp BE, RGB reversed': { ...NATIVE_FORMAT, bigEndian: true, redShift: 0, greenShift: 8, blueShift: 16 },
  '16 bpp RGB565 LE': { bitsPerPixel: 16, depth: 16, bigEndian: false, trueColour: true, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 },
  '16 bpp RGB555 BE': { bitsPerPixel: 16, depth: 15, bigEndian: true, trueColour: true, redMax: 31, greenMax: 31, blueMax: 31, redShift: 10, greenShift: 5, blueShift: 0 },
  '8 bpp BGR233': { bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: true, redMax: 7, greenMax: 7, blueMax: 3, redShift: 0, greenShift: 3, blueShift: 6 },
};

describe('writeCursorShape (Cursor pseudo-encoding, RFC 6143 §7.8.1)', () => {
  it('writes a small cursor byte for byte (hand-written expectation)', () => {
    // 3×2, hotspot (1, 1): opaque red, half-transparent green (alpha 0x80: opaque in the mask),
    // nearly transparent blue (alpha 0x7f: not), fully transparent, opaque white, opaque black
    const c = cursorOf(3, 2, 1, 1, [0xffff0000, 0x8000ff00, 0x7f0000ff, 0x00123456, 0xffffffff, 0xff000000]);
    const { bytes, returned, predicted } = written(c, NATIVE_FORMAT);
    expect(bytes).toEqual([
      0, 1, 0, 1, 0, 3, 0, 2, 0xff, 0xff, 0xff, 0x11, // x=hotX y=hotY w h, encoding −239
      0x00, 0x00, 0xff, 0x00, // red as 0x00RRGGBB little-endian
      0x00, 0xff, 0x00, 0x00, // green: the straight colour whatever the alpha
      0xff, 0x00, 0x00, 0x00, // blue
      0x56, 0x34, 0x12, 0x00, // the transparent pixel keeps its colour; the mask hides it
      0xff, 0xff, 0xff, 0x00,
      0x00, 0x00, 0x00, 0x00,
      0b1100_0000, // row 0: red, green opaque; blue not
      0b0110_0000, // row 1: transparent, white, black
    ]);
    expect(returned).toBe(bytes.length);
    expect(predicted).toBe(bytes.length);
  });

  for (const [name, pf] of Object.entries(FORMATS)) {
    it(`matches the RFC layout in ${name}`, () => {
      for (const [w, h, seed] of [
        [1, 1, 1],
        [7, 3, 2],
        [8, 8, 3],
        [9, 16, 4], // the xterm I-beam's size: two mask bytes per row, the second holding one bit
        [17, 5, 5],
        [32, 32, 6],
        [64, 3, 7],
      ] as const) {
        const c = randomCursor(w, h, seed);
        const { bytes, returned, predicted } = written(c, pf);
        expect(bytes, `${w}×${h}`).toEqual(expectedRect(pf, c));
        expect(returned).toBe(bytes.length);
        expect(predicted).toBe(bytes.length);
        expect(bytes.length).toBe(12 + w * h * (pf.bitsPerPixel / 8) + Math.ceil(w / 8) * h);
      }
    });
  }

  it('sends colour-map clients BGR233 values', () => {
    const cmap: PixelFormat = { ...FORMATS['8 bpp BGR233']!, trueColour: false, redMax: 0, greenMax: 0, blueMax: 0, redShift: 0, greenShift: 0, blueShift: 0 };
    const c = randomCursor(5, 4, 9);
    expect(written(c, cmap).bytes).toEqual(expectedRect(FORMATS['8 bpp BGR233']!, c));
  });

  it('sends a hidden cursor as an empty rectangle', () => {
    const empty = [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x11];
    for (const c of [null, cursorOf(0, 0, 3, 4, [])]) {
      const { bytes, returned, predicted } = written(c, NATIVE_FORMAT);
      expect(bytes).toEqual(empty);
      expect(returned).toBe(12);
      expect(predicted).toBe(12);
    }
  });

  it('sets exactly the mask bits of pixels with alpha ≥ 128, most significant bit first', () => {
    // every alpha value once, in a 256×1 cursor: the first 128 bits clear, the rest set
    const px = Array.from({ length: 256 }, (_, a) => ((a << 24) | 0x102030) >>> 0);
    const { bytes } = written(cursorOf(256, 1, 0, 0, px), NATIVE_FORMAT);
    const mask = bytes.slice(12 + 256 * 4);
    expect(mask).toEqual([...new Array(16).fill(0), ...new Array(16).fill(0xff)]);
    // a single opaque pixel at x = 10 in a 12-wide row: byte 1, bit 0x20
    const one = new Array(12).fill(0);
    one[10] = 0xff000000;
    expect(written(cursorOf(12, 1, 0, 0, one), NATIVE_FORMAT).bytes.slice(12 + 48)).toEqual([0x00, 0x20]);
  });
});

/** The blend as the brief states it, per channel, with plain floating-point rounding. */
function referenceBlend(under: number, over: number): number {
  const a = over >>> 24;
  let out = 0;
  for (const shift of [16, 8, 0]) {
    const c = (over >>> shift) & 0xff;
    const d = (under >>> shift) & 0xff;
    out += Math.round((c * a + d * (255 - a)) / 255) * 2 ** shift;
  }
  return out;
}

describe('blendCursor', () => {
  it('blends single pixels as computed by hand', () => {
    const rect: Rect = { x: 0, y: 0, w: 1, h: 1 };
    const cases: Array<[number, number, number]> = [
      // [desktop, cursor pixel, expected]
      [0x0000ff, 0x80ff0000, 0x80007f], // 255·128/255 = 128 red; 255·127/255 = 127 blue
      [0xffffff, 0x40000000, 0xbfbfbf], // 255·191/255 = 191
      [0x102030, 0xff405060, 0x405060], // opaque: the cursor colour
      [0x102030, 0x00ffffff, 0x102030], // transparent: unchanged
      [0x646464, 0x01c8c8c8, 0x646464], // (200·1 + 100·254) / 255 = 25600 / 255 = 100.39 → 100
      // rounding both ways: red (170·3 + 1·252) / 255 = 762 / 255 = 2.99 → 3,
      // green (128·3 + 252) / 255 = 636 / 255 = 2.49 → 2, blue 252 / 255 = 0.99 → 1
      [0x010101, 0x03aa8000, 0x030201],
    ];
    for (const [under, over, want] of cases) {
      const dst = Uint32Array.of(under);
      blendCursor(dst, 1, rect, cursorOf(1, 1, 0, 0, [over]), 0, 0);
      expect(dst[0]!.toString(16), `${under.toString(16)} under ${over.toString(16)}`).toBe(want.toString(16));
    }
  });

  it('rounds exactly like round((c·a + d·(255 − a)) / 255) for every alpha, colour and background', () => {
    // a 256×256 cursor: alpha along x, colour along y; laid over uniform grey levels d
    const px = new Uint32Array(256 * 256);
    for (let c = 0; c < 256; c++) for (let a = 0; a < 256; a++) px[c * 256 + a] = ((a << 24) | (c << 16) | ((255 - c) << 8) | c) >>> 0;
    const cursor = cursorOf(256, 256, 0, 0, px);
    const rect: Rect = { x: 0, y: 0, w: 256, h: 256 };
    const dst = new Uint32Array(256 * 256);
    for (let d = 0; d < 256; d += 5) {
      const under = (d << 16) | (d << 8) | d;
      dst.fill(under);
      blendCursor(dst, 256, rect, cursor, 0, 0);
      for (let i = 0; i < dst.length; i++) {
        if (dst[i] !== referenceBlend(under, px[i]!)) {
          expect(dst[i]!.toString(16), `d=${d} pixel ${px[i]!.toString(16)}`).toBe(referenceBlend(under, px[i]!).toString(16));
        }
      }
    }
  });

  it('places the hotspot on the pointer, clips to the rectangle and respects the stride', () => {
    const cursor = randomCursor(11, 7, 42); // hotspot (3, 3)
    const rect: Rect = { x: 100, y: 50, w: 20, h: 10 };
    const stride = 23; // wider than the rectangle: the extra columns must stay untouched
    const next = rng(7);
    const base = new Uint32Array(stride * rect.h);
    for (let i = 0; i < base.length; i++) base[i] = next() & 0xffffff;
    for (const [px, py] of [
      [110, 55], // inside
      [100, 50], // hotspot on the top-left corner: only the lower right of the cursor shows
      [97, 47], // cursor just reaching the corner
      [125, 62], // past the right and bottom edges
      [119, 59],
      [90, 40], // entirely outside (cursor spans 87..97 × 37..43)
      [300, 300],
      [-5, -5],
    ] as const) {
      const dst = base.slice();
      const touched = blendCursor(dst, stride, rect, cursor, px, py);
      const cx = px - cursor.hotX;
      const cy = py - cursor.hotY;
      let expectTouched: Rect | null = null;
      const x0 = Math.max(rect.x, cx);
      const y0 = Math.max(rect.y, cy);
      const x1 = Math.min(rect.x + rect.w, cx + cursor.width);
      const y1 = Math.min(rect.y + rect.h, cy + cursor.height);
      if (x1 > x0 && y1 > y0) expectTouched = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
      expect(touched, `pointer ${px},${py}`).toEqual(expectTouched);
      for (let row = 0; row < rect.h; row++) {
        for (let col = 0; col < stride; col++) {
          const i = row * stride + col;
          const dx = rect.x + col - cx;
          const dy = rect.y + row - cy;
          const inside = col < rect.w && dx >= 0 && dy >= 0 && dx < cursor.width && dy < cursor.height;
          const want = inside ? referenceBlend(base[i]!, cursor.pixels[dy * cursor.width + dx]!) : base[i]!;
          if (dst[i] !== want) expect(dst[i]!.toString(16), `pointer ${px},${py} at column ${col} row ${row}`).toBe(want.toString(16));
        }
      }
    }
  });

  it('does nothing for a hidden cursor', () => {
    const dst = Uint32Array.of(1, 2, 3, 4);
    expect(blendCursor(dst, 2, { x: 0, y: 0, w: 2, h: 2 }, null, 0, 0)).toBeNull();
    expect(blendCursor(dst, 2, { x: 0, y: 0, w: 2, h: 2 }, cursorOf(0, 0, 0, 0, []), 0, 0)).toBeNull();
    expect([...dst]).toEqual([1, 2, 3, 4]);
  });

  it('cursorBounds is the cursor rectangle with the hotspot on the pointer', () => {
    expect(cursorBounds(cursorOf(9, 16, 4, 8, new Uint32Array(144)), 100, 200)).toEqual({ x: 96, y: 192, w: 9, h: 16 });
    expect(cursorBounds(null, 1, 1)).toBeNull();
  });
});

describe('compositeCursor', () => {
  it('returns a blended copy of the frame area and leaves the frame alone', () => {
    const wide: Frame = { width: 40, height: 30, stride: 48, pixels: new Uint32Array(48 * 30) }; // stride > width
    const next = rng(99);
    for (let i = 0; i < wide.pixels.length; i++) wide.pixels[i] = next() & 0xffffff;
    const before = wide.pixels.slice();
    const cursor = randomCursor(12, 12, 5); // hotspot (4, 6)
    const rect: Rect = { x: 8, y: 4, w: 16, h: 10 };
    const out = compositeCursor(wide, rect, cursor, 10, 8);
    expect(out.length).toBe(rect.w * rect.h);
    expect(wide.pixels).toEqual(before);
    for (let row = 0; row < rect.h; row++) {
      for (let col = 0; col < rect.w; col++) {
        const under = before[(rect.y + row) * wide.stride + rect.x + col]!;
        const dx = rect.x + col - (10 - cursor.hotX);
        const dy = rect.y + row - (8 - cursor.hotY);
        const inside = dx >= 0 && dy >= 0 && dx < cursor.width && dy < cursor.height;
        const want = inside ? referenceBlend(under, cursor.pixels[dy * cursor.width + dx]!) : under;
        expect(out[row * rect.w + col]!.toString(16), `column ${col} row ${row}`).toBe(want.toString(16));
      }
    }
    // a buffer large enough is reused
    const reuse = new Uint32Array(1000);
    const again = compositeCursor(wide, rect, cursor, 10, 8, reuse);
    expect(again.buffer).toBe(reuse.buffer);
    expect([...again]).toEqual([...out]);
  });
});
