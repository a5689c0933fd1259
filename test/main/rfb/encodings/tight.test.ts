/**
 * The Tight encoder's output decoded by noVNC's own Tight decoder (an
 * independent implementation with its own inflater), compared pixel for
 * pixel with the source. noVNC reads colours as TPIXELs only, so it checks
 * the 32 bpp depth-24 formats (whatever their byte order and shifts); the
 * 16 and 8 bpp PIXEL forms are checked against libvncclient end to end
 * (test/e2e/pixel-exact-libvncclient.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { createFrame, type Frame } from '../../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { PixelConverter, type PixelFormat } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { EncodeManager } from '../../../../src/main/rfb/encodings/encode-manager.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { encodeInto, type EncoderState } from '../../../../src/main/rfb/encodings/encoder.js';
import { TightEncoder } from '../../../../src/main/rfb/encodings/tight.js';
import { NOVNC_FORMAT, NoVncClient } from '../../../support/novnc-decoder.js';
import { FRAME_KINDS, cropRgba, expectedRgba, firstDiff, makeFrame, paint, rng } from '../../../support/reference-pixels.js';

const FORMATS: Array<[string, PixelFormat]> = [
  ['32 bpp little-endian (noVNC)', NOVNC_FORMAT],
  ['32 bpp big-endian, colour in the low bytes', { ...NOVNC_FORMAT, bigEndian: true, redShift: 16, greenShift: 8, blueShift: 0 }],
  ['32 bpp big-endian, colour in the high bytes', { ...NOVNC_FORMAT, bigEndian: true, redShift: 24, greenShift: 16, blueShift: 8 }],
];

/** Header + payload of one rectangle. */
async function encodeRect(enc: TightEncoder, frame: Frame, r: Rect, conv: PixelConverter, state: EncoderState, out: ByteWriter, compressLevel?: number): Promise<void> {
  out.u16(r.x).u16(r.y).u16(r.w).u16(r.h).s32(Encoding.Tight);
  expect(await encodeInto(enc, { rect: r, pixels: conv.convertRect(frame, r), converter: conv, state, compressLevel }, out)).toBe(true);
}

function expectPixels(client: NoVncClient, frame: Frame, r: Rect): void {
  const got = cropRgba(client.display.rgba, client.display.width, r);
  const want = expectedRgba(frame, r, 24);
  const d = firstDiff(got, want);
  if (d >= 0) {
    const at = `(${r.x + (d % r.w)}, ${r.y + Math.floor(d / r.w)})`;
    expect.fail(`pixel ${d} ${at}: got ${Array.from(got.subarray(d * 4, d * 4 + 4))}, want ${Array.from(want.subarray(d * 4, d * 4 + 4))}`);
  }
}

/** Content classes by colour count: 1 (fill), 2 (mono palette), 3–16 (indexed palette), many (full colour). */
type ContentClass = 'solid' | 'two' | 'few' | 'photo';
const CLASSES: ContentClass[] = ['solid', 'two', 'few', 'photo'];

/** Fill `r` of `f` with random pixels of the class, drawn from a random palette of the right size. */
function paintClass(f: Frame, r: Rect, cls: ContentClass, seed: number): number {
  const rand = rng(seed);
  const colours = cls === 'solid' ? 1 : cls === 'two' ? 2 : cls === 'few' ? 3 + Math.floor(rand() * 14) : 0;
  const pal = Array.from({ length: colours }, () => Math.floor(rand() * 0x1000000));
  // Distinct colours, so the class is what it says.
  for (let i = 1; i < pal.length; i++) while (pal.indexOf(pal[i]!) < i) pal[i] = Math.floor(rand() * 0x1000000);
  for (let y = 0; y < r.h; y++) {
    for (let x = 0; x < r.w; x++) {
      // Runs of a few pixels, as on screens; photo-like content is noise around a gradient.
      const c = colours ? pal[Math.floor(rand() * colours)]! : ((((x * 3 + y) & 0xff) << 16) | (((y * 2) & 0xff) << 8) | (x & 0xff)) ^ Math.floor(rand() * 0x80808);
      f.pixels[(r.y + y) * f.stride + r.x + x] = c;
      if (rand() < 0.6 && x + 1 < r.w) f.pixels[(r.y + y) * f.stride + r.x + ++x] = c;
    }
  }
  return colours;
}

const SIZES: Array<[number, number]> = [
  [1, 1],
  [2, 1],
  [3, 1],
  [5, 2],
  [9, 9],
  [17, 33],
  [65, 70],
  [300, 200],
];

describe.each(FORMATS)('Tight decoded by noVNC, %s', (_name, pf) => {
  const conv = new PixelConverter(pf);

  for (const kind of FRAME_KINDS) {
    for (const [w, h] of SIZES) {
      it(`${kind} ${w}×${h}`, async () => {
        const frame = makeFrame(w, h, kind, w * 31 + h);
        const state = createEncoderState();
        const out = new ByteWriter();
        const r = { x: 0, y: 0, w, h };
        await encodeRect(new TightEncoder(), frame, r, conv, state, out);
        const client = await NoVncClient.create(w, h);
        client.decodeRects(out.view(), 1, { chunk: w * h <= 4096 ? 1 : 997 });
        expectPixels(client, frame, r);
        state.close();
      });
    }
  }

  it('many random rectangles of every class in a row, sharing the zlib streams', async () => {
    const W = 320;
    const H = 240;
    const frame = createFrame(W, H);
    const rand = rng(77);
    const enc = new TightEncoder();
    const state = createEncoderState();
    const client = await NoVncClient.create(W, H);
    const controls = new Set<number>();
    // Start from a full picture, so the whole screen can be compared after each update.
    const full = { x: 0, y: 0, w: W, h: H };
    paintClass(frame, full, 'photo', 1);
    const first = new ByteWriter();
    await encodeRect(enc, frame, full, conv, state, first);
    client.decodeRects(first.view(), 1);
    for (let u = 0; u < 60; u++) {
      const out = new ByteWriter();
      const rects: Rect[] = [];
      for (let k = 0; k < 3; k++) {
        const w = 1 + Math.floor(rand() * (rand() < 0.3 ? 8 : 200));
        const h = 1 + Math.floor(rand() * (rand() < 0.3 ? 8 : 150));
        const r = { x: Math.floor(rand() * (W - w)), y: Math.floor(rand() * (H - h)), w, h };
        paintClass(frame, r, CLASSES[(u + k) % CLASSES.length]!, 1000 + u * 7 + k);
        const at = out.length + 12;
        await encodeRect(enc, frame, r, conv, state, out);
        controls.add(out.view()[at]!);
        rects.push(r);
      }
      client.decodeRects(out.view(), rects.length, { chunk: 61 });
      expectPixels(client, frame, full);
    }
    // Fill, mono palette (stream 1), indexed palette (stream 2), full colour (stream 0) and the gradient filter (streams 3 and 0, in turn) all came up.
    expect([...controls].sort((a, b) => a - b)).toEqual([0x00, 0x40, 0x50, 0x60, 0x70, 0x80]);
    state.close();
  });
});

describe('Tight through the encode manager', () => {
  it('cuts wide and big rectangles to 2048 wide and 65536 pixels, and noVNC draws them all', async () => {
    const W = 2600;
    const H = 120;
    const frame = makeFrame(W, H, 'mixed', 5);
    const m = new EncodeManager(createEncoderState());
    m.setEncodings([Encoding.Tight]);
    m.setConverter(new PixelConverter(NOVNC_FORMAT));
    const out = new ByteWriter();
    const stats: Array<{ encoding: number; pixels: number }> = [];
    const n = await m.encodeRects(frame, [{ x: 0, y: 0, w: W, h: H }], [], out, (s) => stats.push(s));
    expect(stats.length).toBe(n);
    expect(n).toBeGreaterThan(Math.ceil((W * H) / 65536));
    for (const s of stats) {
      expect(s.encoding).toBe(Encoding.Tight);
      expect(s.pixels).toBeLessThanOrEqual(65536);
    }
    const client = await NoVncClient.create(W, H);
    client.decodeRects(out.view(), n, { chunk: 4093 });
    expect(client.seen.every((e) => e === Encoding.Tight)).toBe(true);
    expectPixels(client, frame, { x: 0, y: 0, w: W, h: H });
  });

  it('sends solid areas as a fill: the control byte and one TPIXEL', async () => {
    const frame = makeFrame(200, 100, 'solid', 3);
    const m = new EncodeManager(createEncoderState());
    m.setEncodings([Encoding.Tight]);
    m.setConverter(new PixelConverter(NOVNC_FORMAT));
    const out = new ByteWriter();
    expect(await m.encodeRects(frame, [{ x: 0, y: 0, w: 200, h: 100 }], [], out)).toBe(1);
    expect(out.length).toBe(12 + 4);
    const client = await NoVncClient.create(200, 100);
    client.decodeRects(out.view(), 1);
    expectPixels(client, frame, { x: 0, y: 0, w: 200, h: 100 });
  });
});

describe('Tight compression levels', () => {
  it('a higher zlib level gives no more bytes, and noVNC decodes every level', async () => {
    const frame = makeFrame(256, 256, 'gradient', 8);
    paint(frame, { x: 0, y: 0, w: 128, h: 256 }, 'text', 2);
    const conv = new PixelConverter(NOVNC_FORMAT);
    const sizes: number[] = [];
    for (const level of [0, 1, 6, 9]) {
      const state = createEncoderState();
      const out = new ByteWriter();
      const r = { x: 0, y: 0, w: 256, h: 256 };
      await encodeRect(new TightEncoder(), frame, r, conv, state, out, level);
      const client = await NoVncClient.create(256, 256);
      client.decodeRects(out.view(), 1, { chunk: 1000 });
      expectPixels(client, frame, r);
      sizes.push(out.length);
      state.close();
    }
    expect(sizes[0]).toBeGreaterThan(sizes[1]!);
    expect(sizes[3]).toBeLessThanOrEqual(sizes[1]!);
  });
});
