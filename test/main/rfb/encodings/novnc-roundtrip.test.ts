/**
 * Each encoder's output decoded by noVNC's decoders (an independent
 * implementation), at the pixel format noVNC requests.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { PixelConverter } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { CopyRectEncoder } from '../../../../src/main/rfb/encodings/copyrect.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { encodeInto, type Encoder, type EncoderState } from '../../../../src/main/rfb/encodings/encoder.js';
import { HextileEncoder } from '../../../../src/main/rfb/encodings/hextile.js';
import { RawEncoder } from '../../../../src/main/rfb/encodings/raw.js';
import { RreEncoder } from '../../../../src/main/rfb/encodings/rre.js';
import { ZlibEncoder } from '../../../../src/main/rfb/encodings/zlib.js';
import { ZrleEncoder } from '../../../../src/main/rfb/encodings/zrle.js';
import { NOVNC_FORMAT, NOVNC_FORMAT_8, NoVncClient } from '../../../support/novnc-decoder.js';
import { FRAME_KINDS, cropRgba, expectedRgba, firstDiff, makeFrame, paint, type FrameKind } from '../../../support/reference-pixels.js';

const conv24 = new PixelConverter(NOVNC_FORMAT);

/** Header + payload of one rectangle, encoded directly by `enc`. */
async function encodeRect(enc: Encoder, frame: Frame, r: Rect, conv: PixelConverter, state: EncoderState, out: ByteWriter): Promise<void> {
  out.u16(r.x).u16(r.y).u16(r.w).u16(r.h).s32(enc.encoding);
  await encodeInto(enc, { rect: r, pixels: conv.convertRect(frame, r), converter: conv, state }, out);
}

function expectPixels(client: NoVncClient, frame: Frame, r: Rect, depth: 24 | 8 = 24): void {
  const got = cropRgba(client.display.rgba, client.display.width, r);
  const want = expectedRgba(frame, r, depth);
  const d = firstDiff(got, want);
  if (d >= 0) {
    const at = `(${r.x + (d % r.w)}, ${r.y + Math.floor(d / r.w)})`;
    expect.fail(`pixel ${d} ${at}: got ${Array.from(got.subarray(d * 4, d * 4 + 4))}, want ${Array.from(want.subarray(d * 4, d * 4 + 4))}`);
  }
}

/**
 * A photo-like picture: value noise (random levels on a coarse grid, blended
 * smoothly) and fine grain over gradients, so most tiles have from dozens to
 * hundreds of colours and neighbours that often differ a little; a panel of
 * glyph-like strokes; and a band where every other pixel is one colour and
 * the rest are three others (nearly every pixel differs from its neighbours).
 */
function photoFrame(w: number, h: number, seed: number): Frame {
  const f = makeFrame(w, h, 'solid', seed);
  let s = seed >>> 0;
  const rand = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24;
  const G = 16;
  const gw = Math.ceil(w / G) + 2;
  const grid = Array.from({ length: gw * (Math.ceil(h / G) + 2) }, () => rand() * 96);
  const smooth = (x: number, y: number): number => {
    const gx = Math.floor(x / G);
    const gy = Math.floor(y / G);
    const fx = (x % G) / G;
    const fy = (y % G) / G;
    const at = (i: number, j: number): number => grid[(gy + j) * gw + gx + i]!;
    return (at(0, 0) * (1 - fx) + at(1, 0) * fx) * (1 - fy) + (at(0, 1) * (1 - fx) + at(1, 1) * fx) * fy;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const n = smooth(x, y);
      const grain = rand() < 0.5 ? 0 : Math.floor(rand() * 4);
      const r = Math.min(255, Math.floor((x * 160) / w + n) + grain);
      const g = Math.min(255, Math.floor((y * 120) / h + n / 2) + grain);
      const b = Math.min(255, Math.floor(200 - (x * 100) / w + n / 3));
      let v = (r << 16) | (g << 8) | b;
      if (x >= 180 && x < 280 && y >= 20 && y < 90) v = (x * 7 + (y >> 1) * 3) % 11 < 3 && y % 12 < 9 ? 0xe8e8e8 : 0x202830;
      if (y >= 150 && y < 170) v = (x + y) % 2 === 0 ? 0x336699 : [0xff0000, 0x00ff00, 0x0000ff][Math.floor(rand() * 3)]!;
      f.pixels[y * f.stride + x] = v;
    }
  }
  return f;
}

const ENCODERS: Array<() => Encoder> = [() => new RawEncoder(), () => new RreEncoder(), () => new HextileEncoder(), () => new ZlibEncoder(), () => new ZrleEncoder()];
const SIZES: Array<[number, number]> = [
  [1, 1],
  [17, 33],
  [65, 70],
  [300, 200],
];

describe.each(ENCODERS.map((make) => [make().name, make] as const))('%s decoded by noVNC', (_name, make) => {
  for (const kind of FRAME_KINDS) {
    for (const [w, h] of SIZES) {
      it(`${kind} ${w}×${h}`, async () => {
        const frame = makeFrame(w, h, kind, w * 31 + h);
        const state = createEncoderState();
        const out = new ByteWriter();
        const r = { x: 0, y: 0, w, h };
        await encodeRect(make(), frame, r, conv24, state, out);
        const client = await NoVncClient.create(w, h);
        // Small rectangles one byte at a time (every re-entry point), larger ones in odd chunks.
        client.decodeRects(out.view(), 1, { chunk: w * h <= 4096 ? 1 : 997 });
        expectPixels(client, frame, r);
        state.close();
      });
    }
  }

  it('several updates in a row on the same connection', async () => {
    const enc = make();
    const w = 200;
    const h = 150;
    const frame = makeFrame(w, h, 'mixed', 9);
    const state = createEncoderState();
    const client = await NoVncClient.create(w, h);
    const kinds: FrameKind[] = ['text', 'gradient', 'noise', 'palette16', 'solid', 'text', 'mixed'];
    for (let u = 0; u < kinds.length; u++) {
      // Change an area, send it (and a second, overlapping one) as one update.
      const a = { x: (u * 37) % 120, y: (u * 23) % 90, w: 64 + u * 5, h: 40 + u * 3 };
      const b = { x: 10, y: 100, w: 150, h: 50 };
      paint(frame, a, kinds[u]!, 100 + u);
      paint(frame, b, kinds[(u + 3) % kinds.length]!, 200 + u);
      const out = new ByteWriter();
      await encodeRect(enc, frame, a, conv24, state, out);
      await encodeRect(enc, frame, b, conv24, state, out);
      client.decodeRects(out.view(), 2, { chunk: 61 });
      expectPixels(client, frame, a);
      expectPixels(client, frame, b);
    }
    state.close();
  });

  it('a photo-like desktop: smooth noise over gradients, a text panel, dotted tiles', async () => {
    const enc = make();
    const w = 300;
    const h = 200;
    const frame = photoFrame(w, h, 3);
    const state = createEncoderState();
    const client = await NoVncClient.create(w, h);
    const all = { x: 0, y: 0, w, h };
    for (let u = 0; u < 2; u++) {
      // The second update comes after the picture changed, on the same zlib streams.
      if (u === 1) frame.pixels.set(photoFrame(w, h, 4).pixels.subarray(0, w * 100));
      const out = new ByteWriter();
      await encodeRect(enc, frame, all, conv24, state, out);
      client.decodeRects(out.view(), 1, { chunk: 4093 });
      expectPixels(client, frame, all);
    }
    state.close();
  });

  it('a rectangle at an offset inside a larger framebuffer', async () => {
    const frame = makeFrame(160, 120, 'mixed', 4);
    const r = { x: 33, y: 17, w: 97, h: 81 };
    const state = createEncoderState();
    const out = new ByteWriter();
    await encodeRect(make(), frame, r, conv24, state, out);
    const client = await NoVncClient.create(160, 120);
    client.decodeRects(out.view(), 1, { chunk: 13 });
    expectPixels(client, frame, r);
    state.close();
  });
});

describe('CopyRect decoded by noVNC', () => {
  it('moves an area, including an overlapping move', async () => {
    const w = 120;
    const h = 90;
    const frame = makeFrame(w, h, 'mixed', 2);
    const state = createEncoderState();
    const client = await NoVncClient.create(w, h);
    const full = { x: 0, y: 0, w, h };
    const out = new ByteWriter();
    await encodeRect(new RawEncoder(), frame, full, conv24, state, out);
    client.decodeRects(out.view(), 1);

    // Scroll up by 10 rows: an overlapping copy, then the revealed strip.
    const moved = makeFrame(w, h, 'solid', 1);
    for (let y = 0; y < h - 10; y++) moved.pixels.set(frame.pixels.subarray((y + 10) * w, (y + 11) * w), y * w);
    paint(moved, { x: 0, y: h - 10, w, h: 10 }, 'noise', 5);
    const upd = new ByteWriter();
    const dst = { x: 0, y: 0, w, h: h - 10 };
    upd.u16(dst.x).u16(dst.y).u16(dst.w).u16(dst.h).s32(Encoding.CopyRect);
    await encodeInto(new CopyRectEncoder(), { rect: dst, pixels: new Uint32Array(0), converter: conv24, state, copyFrom: { x: 0, y: 10 } }, upd);
    await encodeRect(new RawEncoder(), moved, { x: 0, y: h - 10, w, h: 10 }, conv24, state, upd);
    client.decodeRects(upd.view(), 2, { chunk: 1 });
    expectPixels(client, moved, full);
    state.close();
  });
});

describe('Raw at noVNC low-colour depth (8 bpp, 2 bits per channel)', () => {
  it('matches the quantised colours', async () => {
    const frame = makeFrame(70, 40, 'gradient', 3);
    const r = { x: 0, y: 0, w: 70, h: 40 };
    const state = createEncoderState();
    const out = new ByteWriter();
    await encodeRect(new RawEncoder(), frame, r, new PixelConverter(NOVNC_FORMAT_8), state, out);
    expect(out.length).toBe(12 + 70 * 40);
    const client = await NoVncClient.create(70, 40, 8);
    client.decodeRects(out.view(), 1, { chunk: 5 });
    expectPixels(client, frame, r, 8);
  });
});
