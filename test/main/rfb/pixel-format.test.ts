import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';
import {
  BGR233_FORMAT,
  NATIVE_FORMAT,
  PixelConverter,
  bgr233Palette,
  bytesPerPixel,
  parsePixelFormat,
  pixelFormatError,
  samePixelFormat,
  serializePixelFormat,
  type PixelFormat,
} from '../../../src/main/rfb/pixel-format.js';
import { bytes } from '../../support/bytes.js';
import { NOVNC_FORMAT, NOVNC_FORMAT_8, NoVncClient } from '../../support/novnc-decoder.js';
import { prng } from '../../support/prng.js';

/** A true-colour format from its fields, in the order RFC 6143 §7.4 lists them. */
function tc(
  bitsPerPixel: PixelFormat['bitsPerPixel'],
  depth: number,
  bigEndian: boolean,
  [redMax, greenMax, blueMax]: [number, number, number],
  [redShift, greenShift, blueShift]: [number, number, number],
): PixelFormat {
  return { bitsPerPixel, depth, bigEndian, trueColour: true, redMax, greenMax, blueMax, redShift, greenShift, blueShift };
}

/** An 8 bpp colour-map format: the maxima and shifts mean nothing there (RFC 6143 §7.4), so they are zero. */
const COLOUR_MAP_8: PixelFormat = { ...tc(8, 8, false, [0, 0, 0], [0, 0, 0]), trueColour: false };

/*
 * The formats converted below (after TigerVNC's pixel-format test tables):
 * one row per format a real client asks for, plus edge cases of the layout.
 */
const FORMATS: Array<[name: string, pf: PixelFormat]> = [
  ['rgb888le', NATIVE_FORMAT], // the server's own format: pixel values pass through unchanged
  ['rgb888be', tc(32, 24, true, [255, 255, 255], [16, 8, 0])], // same values, big-endian bytes
  ['bgr888le', NOVNC_FORMAT], // noVNC at full depth: red in the low byte
  ['rgbx888be', tc(32, 24, true, [255, 255, 255], [24, 16, 8])], // colour in the top three bytes (Java viewers)
  ['bgrx888le', tc(32, 24, false, [255, 255, 255], [8, 16, 24])], // blue in the top byte: sets bit 31
  ['rgb565le', tc(16, 16, false, [31, 63, 31], [11, 5, 0])], // the common 16-bit format
  ['rgb565be', tc(16, 16, true, [31, 63, 31], [11, 5, 0])], // 16-bit from a big-endian client
  ['rgb555le', tc(16, 15, false, [31, 31, 31], [10, 5, 0])], // depth 15: the top bit unused
  ['bgr555be', tc(16, 15, true, [31, 31, 31], [0, 5, 10])], // 15-bit with blue high
  ['rgb444le', tc(16, 12, false, [15, 15, 15], [8, 4, 0])], // 12-bit (TigerVNC's "very low" colour level)
  ['bgr233', BGR233_FORMAT], // what colour-map clients get, through our palette
  ['rgb332', tc(8, 8, false, [7, 7, 3], [5, 2, 0])], // the other common 8-bit layout
  ['novnc8', NOVNC_FORMAT_8], // noVNC "low colour": two bits per channel
  ['rgb111', tc(8, 3, false, [1, 1, 1], [2, 1, 0])], // 8 colours: every channel one bit
  ['rgb101010le', tc(32, 30, false, [1023, 1023, 1023], [20, 10, 0])], // 10-bit channels: more levels than the source has
  ['r10g11b11le', tc(32, 32, false, [1023, 2047, 2047], [22, 11, 0])], // every one of the 32 bits used, red up to bit 31
];

/**
 * RFC 6143 §7.4 for an 8-bit source channel c: the client's value is the
 * nearest of the levels 0..max (c·max/255 rounded), placed at the channel's
 * shift. Written with Math.round and plain arithmetic, not the server's
 * integer formula, so the two are independent. (255 is odd, so c·max/255 is
 * never exactly halfway between two levels: rounding has no ties.)
 */
function rfcPixel(pf: PixelFormat, rgb: number): number {
  const level = (c: number, max: number): number => Math.round((c * max) / 255);
  return (
    level((rgb >>> 16) & 0xff, pf.redMax) * 2 ** pf.redShift +
    level((rgb >>> 8) & 0xff, pf.greenMax) * 2 ** pf.greenShift +
    level(rgb & 0xff, pf.blueMax) * 2 ** pf.blueShift
  );
}

/** A pixel value's bytes in the client's order, built field by field. */
function wireBytes(bpp: 1 | 2 | 4, bigEndian: boolean, v: number): number[] {
  const be = bpp === 1 ? bytes().u8(v) : bpp === 2 ? bytes().u16(v) : bytes().u32(v);
  const out = [...be.build()];
  return bigEndian ? out : out.reverse();
}

/** Colours that reach every level boundary of every channel, then random ones (some with a dirty top byte). */
function testColours(seed: number, random = 4000): number[] {
  const out: number[] = [];
  for (let c = 0; c < 256; c++) out.push(c << 16, c << 8, c, (c << 16) | ((255 - c) << 8) | ((c * 7) & 255));
  const rand = prng(seed);
  for (let i = 0; i < random; i++) {
    const v = Math.floor(rand() * 2 ** 32) >>> 0;
    out.push(i % 3 === 0 ? v : v & 0xffffff);
  }
  return out;
}

function mismatches(conv: PixelConverter, pf: PixelFormat, colours: number[]): string[] {
  const bad: string[] = [];
  for (const c of colours) {
    const got = conv.convert(c);
    const want = rfcPixel(pf, c);
    if (got !== want && bad.length < 5) bad.push(`0x${(c >>> 0).toString(16)} → 0x${got.toString(16)}, want 0x${want.toString(16)}`);
  }
  return bad;
}

describe('parsePixelFormat / serializePixelFormat (RFC 6143 §7.4)', () => {
  it('serialises every field at its RFC offset, with three zero bytes of padding', () => {
    const pf = tc(16, 15, true, [31, 0x1234, 0xabcd], [10, 5, 0]);
    expect(serializePixelFormat(pf)).toEqual(
      bytes()
        .u8(16) // bits-per-pixel
        .u8(15) // depth
        .u8(1) // big-endian-flag
        .u8(1) // true-colour-flag
        .u16(31) // red-max
        .u16(0x1234) // green-max
        .u16(0xabcd) // blue-max
        .u8(10) // red-shift
        .u8(5) // green-shift
        .u8(0) // blue-shift
        .pad(3) // padding
        .build(),
    );
  });

  it('serialises false flags as zero bytes', () => {
    const b = serializePixelFormat(COLOUR_MAP_8);
    expect(b).toEqual(bytes().u8(8).u8(8).u8(0).u8(0).u16(0).u16(0).u16(0).u8(0).u8(0).u8(0).pad(3).build());
  });

  it('parses the fields from their RFC offsets', () => {
    const wire = bytes()
      .u8(32) // bits-per-pixel
      .u8(24) // depth
      .u8(0) // big-endian-flag
      .u8(1) // true-colour-flag
      .u16(255) // red-max
      .u16(255) // green-max
      .u16(255) // blue-max
      .u8(0) // red-shift
      .u8(8) // green-shift
      .u8(16) // blue-shift
      .pad(3)
      .build();
    expect(parsePixelFormat(wire)).toEqual(NOVNC_FORMAT);
  });

  it('treats any non-zero flag byte as true and ignores the padding', () => {
    const wire = bytes().u8(16).u8(16).u8(0x80).u8(0xff).u16(31).u16(63).u16(31).u8(11).u8(5).u8(0).raw([0xde, 0xad, 0xff]).build();
    expect(parsePixelFormat(wire)).toEqual(tc(16, 16, true, [31, 63, 31], [11, 5, 0]));
  });

  it('parses at an offset inside a larger buffer (as SetPixelFormat does, after its 4-byte header)', () => {
    const body = serializePixelFormat(FORMATS[5]![1]);
    const msg = Buffer.concat([bytes().u8(0).pad(3).build(), body, Buffer.from([0xff])]);
    // A subarray too, so byteOffset within the underlying ArrayBuffer is not zero.
    const inner = Buffer.concat([Buffer.alloc(7, 0xee), msg]).subarray(7);
    expect(parsePixelFormat(inner, 4)).toEqual(FORMATS[5]![1]);
  });

  it.each(FORMATS)('round-trips %s', (_name, pf) => {
    const wire = serializePixelFormat(pf);
    expect(wire.length).toBe(16);
    expect(parsePixelFormat(wire)).toEqual({ ...pf });
    expect(serializePixelFormat(parsePixelFormat(wire))).toEqual(wire);
  });

  it('round-trips the colour-map format', () => {
    expect(parsePixelFormat(serializePixelFormat(COLOUR_MAP_8))).toEqual(COLOUR_MAP_8);
  });
});

describe('samePixelFormat and bytesPerPixel', () => {
  it('compares every field', () => {
    const base = FORMATS[5]![1];
    expect(samePixelFormat(base, { ...base })).toBe(true);
    const changes: Array<Partial<PixelFormat>> = [
      { bitsPerPixel: 32 },
      { depth: 15 },
      { bigEndian: true },
      { trueColour: false },
      { redMax: 15 },
      { greenMax: 31 },
      { blueMax: 15 },
      { redShift: 10 },
      { greenShift: 6 },
      { blueShift: 1 },
    ];
    for (const change of changes) expect(samePixelFormat(base, { ...base, ...change }), JSON.stringify(change)).toBe(false);
  });

  it('is bits-per-pixel / 8', () => {
    expect([NATIVE_FORMAT, FORMATS[5]![1], BGR233_FORMAT].map(bytesPerPixel)).toEqual([4, 2, 1]);
  });
});

describe('pixelFormatError', () => {
  // Formats a client may ask for and we serve.
  const valid: Array<[why: string, pf: PixelFormat]> = [
    ['our own 32 bpp depth 24', NATIVE_FORMAT],
    ['noVNC 32 bpp, red low', NOVNC_FORMAT],
    ['noVNC 8 bpp, 2 bits per channel', NOVNC_FORMAT_8],
    ['16 bpp rgb565, big-endian', tc(16, 16, true, [31, 63, 31], [11, 5, 0])],
    ['16 bpp depth 15', tc(16, 15, false, [31, 31, 31], [10, 5, 0])],
    ['16 bpp depth 12', tc(16, 12, false, [15, 15, 15], [8, 4, 0])],
    ['8 bpp bgr233', BGR233_FORMAT],
    ['8 bpp, one bit per channel (max 1 = 2^1 − 1)', tc(8, 3, false, [1, 1, 1], [2, 1, 0])],
    ['32 bpp colour in the top three bytes', tc(32, 24, true, [255, 255, 255], [24, 16, 8])],
    ['32 bpp with every bit used, up to bit 31', tc(32, 32, false, [1023, 2047, 2047], [22, 11, 0])],
    ['32 bpp, one 16-bit channel (the widest allowed)', tc(32, 32, false, [65535, 255, 255], [16, 8, 0])],
    ['channels with gaps between them', tc(32, 24, false, [15, 15, 15], [20, 10, 0])],
    ['8 bpp colour map (maxima and shifts unused)', COLOUR_MAP_8],
    ['8 bpp colour map, depth 6', { ...COLOUR_MAP_8, depth: 6 }],
  ];
  it.each(valid)('accepts %s', (_why, pf) => {
    expect(pixelFormatError(pf)).toBeNull();
  });

  // Formats we must refuse, with the rule that refuses them.
  const invalid: Array<[why: string, pf: PixelFormat, message: RegExp]> = [
    ['24 bpp (RFC 6143 allows only 8, 16, 32)', tc(24 as 32, 24, false, [255, 255, 255], [16, 8, 0]), /bits-per-pixel 24 is not 8, 16 or 32/],
    ['0 bpp', tc(0 as 8, 0, false, [1, 1, 1], [0, 1, 2]), /bits-per-pixel 0/],
    ['12 bpp', tc(12 as 16, 12, false, [15, 15, 15], [8, 4, 0]), /bits-per-pixel 12/],
    ['depth 0', tc(32, 0, false, [255, 255, 255], [16, 8, 0]), /depth 0 is not within 1\.\.32/],
    ['depth above 32 bpp', tc(32, 33, false, [255, 255, 255], [16, 8, 0]), /depth 33 is not within 1\.\.32/],
    ['depth above 16 bpp', tc(16, 24, false, [31, 63, 31], [11, 5, 0]), /depth 24 is not within 1\.\.16/],
    ['depth above 8 bpp, colour map', { ...COLOUR_MAP_8, depth: 9 }, /depth 9 is not within 1\.\.8/],
    ['colour map at 16 bpp', { ...tc(16, 16, false, [0, 0, 0], [0, 0, 0]), trueColour: false }, /colour-map formats are supported only at 8 bpp \(got 16\)/],
    ['colour map at 32 bpp', { ...NATIVE_FORMAT, trueColour: false }, /colour-map formats are supported only at 8 bpp \(got 32\)/],
    ['red-max 0', tc(32, 24, false, [0, 255, 255], [16, 8, 0]), /red-max 0 is not 2\^n − 1/],
    ['green-max 62', tc(16, 16, false, [31, 62, 31], [11, 5, 0]), /green-max 62 is not 2\^n − 1/],
    ['blue-max 256 (a power of two, not one less)', tc(32, 24, false, [255, 255, 256], [16, 8, 0]), /blue-max 256 is not 2\^n − 1/],
    ['blue-max 0x5555 (alternating bits)', tc(32, 24, false, [255, 255, 0x5555], [16, 8, 0]), /blue-max 21845 is not 2\^n − 1/],
    ['a 17-bit channel (only reachable without the wire, whose maxima are 16-bit)', tc(32, 32, false, [131071, 1, 1], [0, 17, 18]), /red-max 131071 is too large/],
    ['red past bit 15 at 16 bpp', tc(16, 16, false, [31, 63, 31], [12, 5, 0]), /red channel \(shift 12, 5 bits\) does not fit in 16 bpp/],
    ['red past bit 31 at 32 bpp', tc(32, 24, false, [255, 255, 255], [25, 8, 0]), /red channel \(shift 25, 8 bits\) does not fit in 32 bpp/],
    ['shift 255 at 8 bpp', tc(8, 8, false, [7, 7, 3], [0, 3, 255]), /blue channel \(shift 255, 2 bits\) does not fit in 8 bpp/],
    ['green on top of red', tc(32, 24, false, [255, 255, 255], [8, 8, 0]), /green channel overlaps another channel/],
    ['blue overlapping green by one bit', tc(16, 16, false, [31, 63, 31], [11, 4, 0]), /blue channel overlaps another channel/],
    ['blue on top of red (not adjacent in the check order)', tc(16, 16, false, [31, 63, 31], [0, 5, 0]), /blue channel overlaps another channel/],
  ];
  it.each(invalid)('refuses %s', (_why, pf, message) => {
    expect(pixelFormatError(pf)).toMatch(message);
  });
});

describe('PixelConverter.convert', () => {
  it('uses the reference formula correctly for a few hand-computed values', () => {
    // Guards the test's own reference: these are worked out by hand from RFC 6143 §7.4.
    const rgb565 = FORMATS[5]![1];
    expect(rfcPixel(rgb565, 0xff8000)).toBe((31 << 11) | (32 << 5) | 0); // 128·63/255 = 31.6 → 32
    expect(rfcPixel(BGR233_FORMAT, 0xffffff)).toBe(0xff);
    expect(rfcPixel(BGR233_FORMAT, 0x0000ff)).toBe(3 << 6);
    expect(rfcPixel(NOVNC_FORMAT, 0x123456)).toBe(0x563412);
  });

  it.each(FORMATS)('%s: every level boundary and random colours match RFC 6143 §7.4', (_name, pf) => {
    const conv = new PixelConverter(pf);
    expect(mismatches(conv, pf, testColours(pf.redShift * 97 + pf.bitsPerPixel))).toEqual([]);
  });

  it.each(FORMATS)('%s: primaries and white land on the channel masks', (_name, pf) => {
    const conv = new PixelConverter(pf);
    const mask = (max: number, shift: number): number => max * 2 ** shift;
    expect(conv.convert(0x000000)).toBe(0);
    expect(conv.convert(0xff0000)).toBe(mask(pf.redMax, pf.redShift));
    expect(conv.convert(0x00ff00)).toBe(mask(pf.greenMax, pf.greenShift));
    expect(conv.convert(0x0000ff)).toBe(mask(pf.blueMax, pf.blueShift));
    expect(conv.convert(0xffffff)).toBe(mask(pf.redMax, pf.redShift) + mask(pf.greenMax, pf.greenShift) + mask(pf.blueMax, pf.blueShift));
  });

  it('ignores the top byte of a native pixel (capture paths may leave garbage there)', () => {
    for (const [, pf] of FORMATS) {
      const conv = new PixelConverter(pf);
      expect(conv.convert(0xff123456)).toBe(conv.convert(0x00123456));
    }
  });

  it('is the identity (top byte cleared) exactly for the native layout', () => {
    expect(new PixelConverter(NATIVE_FORMAT).identity).toBe(true);
    // Big-endian native values are the same numbers; only their bytes differ.
    expect(new PixelConverter({ ...NATIVE_FORMAT, bigEndian: true }).identity).toBe(true);
    expect(new PixelConverter(NOVNC_FORMAT).identity).toBe(false);
    expect(new PixelConverter(FORMATS[5]![1]).identity).toBe(false);
  });

  it('serves a colour-map client BGR233 values, keeping its byte order', () => {
    const conv = new PixelConverter(COLOUR_MAP_8);
    expect(conv.pf).toEqual(BGR233_FORMAT);
    expect(conv.bpp).toBe(1);
    expect(mismatches(conv, BGR233_FORMAT, testColours(233))).toEqual([]);
    expect(new PixelConverter({ ...COLOUR_MAP_8, bigEndian: true }).pf.bigEndian).toBe(true);
  });
});

describe('bgr233Palette', () => {
  const palette = bgr233Palette();

  it('has 256 entries of 16-bit RGB', () => {
    expect(palette).toHaveLength(256);
    for (const e of palette) {
      expect(e).toHaveLength(3);
      for (const c of e) expect(Number.isInteger(c) && c >= 0 && c <= 65535).toBe(true);
    }
  });

  it("entry i is pixel value i read with BGR233_FORMAT's channel layout, each level scaled to 0..65535", () => {
    const f = BGR233_FORMAT;
    const scale = (level: number, max: number): number => Math.round((level * 65535) / max);
    for (let i = 0; i < 256; i++) {
      const want = [
        scale((i >> f.redShift) & f.redMax, f.redMax),
        scale((i >> f.greenShift) & f.greenMax, f.greenMax),
        scale((i >> f.blueShift) & f.blueMax, f.blueMax),
      ];
      expect(palette[i], `entry ${i}`).toEqual(want);
    }
  });

  it('spells out the corners: black, full red, full green, full blue, white', () => {
    expect(palette[0]).toEqual([0, 0, 0]);
    expect(palette[0b00_000_111]).toEqual([65535, 0, 0]); // red: bits 0–2
    expect(palette[0b00_111_000]).toEqual([0, 65535, 0]); // green: bits 3–5
    expect(palette[0b11_000_000]).toEqual([0, 0, 65535]); // blue: bits 6–7
    expect(palette[255]).toEqual([65535, 65535, 65535]);
  });

  it('shows every colour a colour-map client is sent within half a level of the original', () => {
    // What the client displays is palette[convert(c)]: converter and palette must agree on the layout.
    const conv = new PixelConverter(COLOUR_MAP_8);
    const halfStep = (max: number): number => 65535 / max / 2 + 0.5; // + the palette entry's own rounding
    let worst = 0;
    for (const c of testColours(7, 2000)) {
      const shown = palette[conv.convert(c)]!;
      const src = [((c >>> 16) & 255) * 257, ((c >>> 8) & 255) * 257, (c & 255) * 257];
      const maxes = [BGR233_FORMAT.redMax, BGR233_FORMAT.greenMax, BGR233_FORMAT.blueMax];
      for (let k = 0; k < 3; k++) {
        const err = Math.abs(shown[k]! - src[k]!);
        worst = Math.max(worst, err / halfStep(maxes[k]!));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });
});

/**
 * A frame whose rows are longer than its width (stride), the padding filled
 * with a colour no test pixel has. Its pixels keep byte 3 clear, as every
 * frame does (see Frame); the padding does not, so reading it shows.
 */
function paddedFrame(width: number, height: number, stride: number, seed: number): Frame {
  const rand = prng(seed);
  const pixels = new Uint32Array(stride * height).fill(0xdeadbeef);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * stride + x] = Math.floor(rand() * 2 ** 24) >>> 0;
  return { width, height, stride, pixels };
}

function referenceRect(pf: PixelFormat, frame: Frame, r: Rect): Uint32Array {
  const out = new Uint32Array(r.w * r.h);
  for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) out[y * r.w + x] = rfcPixel(pf, frame.pixels[(r.y + y) * frame.stride + r.x + x]!);
  return out;
}

describe('PixelConverter.convertRect', () => {
  // Widths 1–7 reach every remainder of the four-at-a-time loops; full rows take the one-run path.
  const rects: Rect[] = [
    { x: 0, y: 0, w: 37, h: 23 }, // the whole frame
    { x: 5, y: 3, w: 1, h: 1 },
    { x: 1, y: 2, w: 2, h: 5 },
    { x: 30, y: 0, w: 3, h: 23 },
    { x: 10, y: 10, w: 5, h: 4 },
    { x: 0, y: 22, w: 37, h: 1 }, // the last row
    { x: 31, y: 17, w: 6, h: 6 }, // the bottom-right corner
    { x: 9, y: 1, w: 7, h: 9 },
  ];

  it.each(FORMATS)('%s: equals per-pixel convert and the RFC reference, tightly packed frame', (_name, pf) => {
    const conv = new PixelConverter(pf);
    const frame = paddedFrame(37, 23, 37, pf.redShift + 11 * pf.bitsPerPixel);
    for (const r of rects) {
      const got = conv.convertRect(frame, r);
      expect(got.length).toBe(r.w * r.h);
      const perPixel = new Uint32Array(r.w * r.h);
      for (let i = 0; i < perPixel.length; i++) perPixel[i] = conv.convert(frame.pixels[(r.y + Math.floor(i / r.w)) * frame.stride + r.x + (i % r.w)]!);
      expect(got, JSON.stringify(r)).toEqual(perPixel);
      expect(got, JSON.stringify(r)).toEqual(referenceRect(pf, frame, r));
    }
  });

  it.each(FORMATS)('%s: reads only the rectangle of a frame whose stride is wider than its width', (_name, pf) => {
    const conv = new PixelConverter(pf);
    const frame = paddedFrame(37, 23, 45, pf.blueShift + 3 * pf.depth);
    for (const r of rects) expect(conv.convertRect(frame, r), JSON.stringify(r)).toEqual(referenceRect(pf, frame, r));
  });

  it('writes into a large enough `out` (returning a view of it), and allocates when `out` is too small', () => {
    const conv = new PixelConverter(FORMATS[5]![1]);
    const frame = paddedFrame(16, 8, 16, 99);
    const r = { x: 2, y: 1, w: 5, h: 3 };
    const big = new Uint32Array(100).fill(0xffffffff);
    const intoBig = conv.convertRect(frame, r, big);
    expect(intoBig.length).toBe(15);
    expect(intoBig.buffer).toBe(big.buffer);
    expect(intoBig).toEqual(referenceRect(FORMATS[5]![1], frame, r));
    expect(big[15]).toBe(0xffffffff); // nothing past the rectangle is touched
    const small = new Uint32Array(4);
    const fresh = conv.convertRect(frame, r, small);
    expect(fresh.buffer).not.toBe(small.buffer);
    expect(fresh).toEqual(referenceRect(FORMATS[5]![1], frame, r));
  });
});

describe('PixelConverter byte order', () => {
  const cases: Array<[why: string, pf: PixelFormat, value: number]> = [
    ['1 byte, little-endian flag', BGR233_FORMAT, 0x5a],
    ['1 byte, big-endian flag (no order to speak of)', { ...BGR233_FORMAT, bigEndian: true }, 0xa5],
    ['2 bytes, little-endian', tc(16, 16, false, [31, 63, 31], [11, 5, 0]), 0xabcd],
    ['2 bytes, big-endian', tc(16, 16, true, [31, 63, 31], [11, 5, 0]), 0xabcd],
    ['4 bytes, little-endian', NATIVE_FORMAT, 0x11223344],
    ['4 bytes, big-endian', tc(32, 24, true, [255, 255, 255], [16, 8, 0]), 0x11223344],
    ['4 bytes, big-endian, top bit set', tc(32, 24, true, [255, 255, 255], [24, 16, 8]), 0xfedcba98],
    ['4 bytes, little-endian, top bit set', tc(32, 24, false, [255, 255, 255], [8, 16, 24]), 0xfedcba98],
  ];

  it.each(cases)('writePixel: %s', (_why, pf, value) => {
    const conv = new PixelConverter(pf);
    const buf = Buffer.alloc(10, 0xee);
    const next = conv.writePixel(buf, 3, value);
    expect(next).toBe(3 + conv.bpp);
    const want = bytes().raw([0xee, 0xee, 0xee]).raw(wireBytes(conv.bpp, pf.bigEndian, value)).build();
    expect(buf.subarray(0, next)).toEqual(want);
    expect([...buf.subarray(next)].every((b) => b === 0xee)).toBe(true); // nothing written past the pixel
  });

  it.each(FORMATS)('pixelsToBytes: %s equals the values written one by one in the client byte order', (_name, pf) => {
    const conv = new PixelConverter(pf);
    const frame = paddedFrame(13, 3, 13, 5);
    const px = conv.convertRect(frame, { x: 0, y: 0, w: 13, h: 3 });
    const want = bytes();
    for (const v of referenceRect(pf, frame, { x: 0, y: 0, w: 13, h: 3 })) want.raw(wireBytes(conv.bpp, pf.bigEndian, v));
    expect(conv.pixelsToBytes(px)).toEqual(want.build());
    // Into a caller's buffer, aligned and not: the fast 32-bit copy needs alignment, the fallback must agree.
    for (const start of [0, 1, 2, 3]) {
      const out = Buffer.alloc(start + px.length * 4 + 8).subarray(start);
      expect(conv.pixelsToBytes(px, out), `out at +${start}`).toEqual(want.build());
    }
  });
});

describe('PixelConverter against noVNC (an independent decoder)', () => {
  const W = 29;
  const H = 11;

  /** A Raw rectangle (RFC 6143 §7.7.1) as noVNC would receive it. */
  function rawRect(conv: PixelConverter, frame: Frame): Buffer {
    const header = bytes().u16(0).u16(0).u16(W).u16(H).s32(0).build(); // x, y, w, h, encoding Raw
    return Buffer.concat([header, conv.pixelsToBytes(conv.convertRect(frame, { x: 0, y: 0, w: W, h: H }))]);
  }

  it('noVNC shows the source colours exactly at depth 24 (32 bpp, red low)', async () => {
    const frame = paddedFrame(W, H, W, 24);
    const client = await NoVncClient.create(W, H, 24);
    client.decodeRects(rawRect(new PixelConverter(NOVNC_FORMAT), frame), 1);
    const want = new Uint8Array(W * H * 4);
    frame.pixels.forEach((v, i) => want.set([(v >>> 16) & 255, (v >>> 8) & 255, v & 255, 255], i * 4));
    expect(client.display.rgba).toEqual(want);
  });

  it('noVNC shows the nearest of its four levels per channel at depth 8', async () => {
    const frame = paddedFrame(W, H, W, 8);
    const client = await NoVncClient.create(W, H, 8);
    client.decodeRects(rawRect(new PixelConverter(NOVNC_FORMAT_8), frame), 1);
    // noVNC draws level·255/3 for each 2-bit level; the level nearest to c is round(c·3/255).
    const shown = (c: number): number => (Math.round((c * 3) / 255) * 255) / 3;
    const want = new Uint8Array(W * H * 4);
    frame.pixels.forEach((v, i) => want.set([shown((v >>> 16) & 255), shown((v >>> 8) & 255), shown(v & 255), 255], i * 4));
    expect(client.display.rgba).toEqual(want);
  });
});

describe('PixelConverter.cpixelBytes (RFC 6143 §7.7.5)', () => {
  // A CPIXEL is 3 bytes for true colour, 32 bpp, depth ≤ 24, with all colour bits in the low or the high three bytes.
  const rows: Array<[why: string, pf: PixelFormat, want: { size: number; highBytes: boolean }]> = [
    ['native: colour in the low three bytes', NATIVE_FORMAT, { size: 3, highBytes: false }],
    ['noVNC: low three bytes, red lowest', NOVNC_FORMAT, { size: 3, highBytes: false }],
    ['colour in the high three bytes', tc(32, 24, true, [255, 255, 255], [24, 16, 8]), { size: 3, highBytes: true }],
    ['colour in the middle two bytes: fits both, the low three bytes are used', tc(32, 16, false, [31, 63, 31], [19, 13, 8]), { size: 3, highBytes: false }],
    ['colour spread over all four bytes', tc(32, 24, false, [255, 255, 255], [24, 8, 0]), { size: 4, highBytes: false }],
    ['depth 30: more than 24 bits', tc(32, 30, false, [1023, 1023, 1023], [20, 10, 0]), { size: 4, highBytes: false }],
    ['16 bpp: a CPIXEL is a whole pixel', tc(16, 16, false, [31, 63, 31], [11, 5, 0]), { size: 2, highBytes: false }],
    ['8 bpp', BGR233_FORMAT, { size: 1, highBytes: false }],
  ];
  it.each(rows)('%s', (_why, pf, want) => {
    expect(new PixelConverter(pf).cpixelBytes()).toEqual(want);
  });
});
