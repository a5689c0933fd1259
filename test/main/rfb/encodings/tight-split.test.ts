/**
 * Tight's area search (tight-split.ts): the pieces cover the rectangle once,
 * fit Tight's limits, cut big solid areas out as pieces of one colour, and
 * keep photo-like areas apart from screen-like ones; and the gradient filter
 * (tight-gradient.ts) beats plain colours on smooth content while noVNC
 * decodes it exactly.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { PixelConverter } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { encodeInto } from '../../../../src/main/rfb/encodings/encoder.js';
import { TightEncoder } from '../../../../src/main/rfb/encodings/tight.js';
import { solidAreaPieces } from '../../../../src/main/rfb/encodings/tight-split.js';
import { gradientData, looksPhotographic } from '../../../../src/main/rfb/encodings/tight-gradient.js';
import { ZlibStream } from '../../../../src/main/rfb/encodings/zlib-stream.js';
import { NOVNC_FORMAT, NoVncClient } from '../../../support/novnc-decoder.js';
import { photoFrame, textPanel } from '../../../support/photo-frame.js';
import { cropRgba, expectedRgba, firstDiff, makeFrame, paint } from '../../../support/reference-pixels.js';

function pixelsOf(f: Frame, r: Rect): Uint32Array {
  const px = new Uint32Array(r.w * r.h);
  for (let y = 0; y < r.h; y++) px.set(f.pixels.subarray((r.y + y) * f.stride + r.x, (r.y + y) * f.stride + r.x + r.w), y * r.w);
  return px;
}

/** Every pixel of `r` in exactly one piece, and each piece within Tight's limits. */
function expectTiling(pieces: Rect[], r: Rect): void {
  const cover = new Uint8Array(r.w * r.h);
  for (const p of pieces) {
    expect(p.w).toBeLessThanOrEqual(2048);
    expect(p.w * p.h).toBeLessThanOrEqual(65536);
    for (let y = p.y; y < p.y + p.h; y++) for (let x = p.x; x < p.x + p.w; x++) cover[(y - r.y) * r.w + (x - r.x)]!++;
  }
  expect(cover.every((c) => c === 1)).toBe(true);
}

describe('the solid and photo area search', () => {
  it('cuts a big solid area out as pieces of one colour, and tiles the rectangle exactly', () => {
    const f = photoFrame(600, 200, 2);
    paint(f, { x: 37, y: 50, w: 300, h: 120 }, 'solid', 4);
    const r = { x: 0, y: 0, w: 600, h: 200 };
    const pieces = solidAreaPieces(pixelsOf(f, r), r, 2048, 65536)!;
    expect(pieces).not.toBeNull();
    expectTiling(pieces, r);
    const solidArea = pieces.filter((p) => new Set(pixelsOf(f, p)).size === 1).reduce((a, p) => a + p.w * p.h, 0);
    // The 300×120 area, less its edges off the 16-pixel grid, plus the title bar.
    expect(solidArea).toBeGreaterThanOrEqual(272 * 112);
  });

  it('keeps the text panel apart from the photo around it', () => {
    const f = photoFrame(640, 256, 3);
    const r = { x: 0, y: 64, w: 640, h: 128 }; // a band across photo and panel, below the title bar
    const pieces = solidAreaPieces(pixelsOf(f, r), r, 2048, 65536)!;
    expectTiling(pieces, r);
    const panel = textPanel(640, 256);
    // A piece reaching into the panel takes at most three blocks of photo beside it (shorter photo runs go with their neighbours)
    // plus the block the panel's edge falls in.
    for (const p of pieces) {
      const inside = Math.min(p.x + p.w, panel.x + panel.w) - Math.max(p.x, panel.x);
      if (inside <= 16) continue;
      expect(p.w - inside, JSON.stringify(p)).toBeLessThanOrEqual(4 * 16);
    }
    expect(pieces.some((p) => p.x + p.w <= panel.x + 16 && p.w >= 256)).toBe(true); // the photo on the left, apart
  });

  it('cuts a text window over a photo down to a palette core when its edge lies inside a block, and tags photo pieces', () => {
    const f = photoFrame(640, 128, 5);
    // Two-colour text from x = 40, inside the third block column, to the right edge: 40 columns of photo on its left.
    const text = { x: 40, y: 0, w: 600, h: 128 };
    paint(f, text, 'text', 6);
    const r = { x: 0, y: 0, w: 640, h: 64 };
    const px = pixelsOf(f, r);
    const pieces = solidAreaPieces(px, r, 2048, 65536)!;
    expectTiling(pieces, r);
    const colours = (p: Rect) => new Set(pixelsOf(f, p)).size;
    // The text from the first block boundary past its edge goes as a palette; the photo and the block the edge falls in apart.
    const core = pieces.filter((p) => p.x >= 48 && colours(p) <= 16).reduce((a, p) => a + p.w * p.h, 0);
    expect(core).toBe((640 - 48) * 64);
    const left = pieces.filter((p) => p.x < 48);
    expect(left.every((p) => p.x + p.w <= 48)).toBe(true);
    // Without the cut, the band of text and photo was one piece of hundreds of colours.
    expect(left.some((p) => colours(p) > 16)).toBe(true);

    // A piece tagged photo-like is one the encoder would judge so itself.
    const band = { x: 0, y: 0, w: 640, h: 128 };
    const photo = photoFrame(640, 128, 7);
    paint(photo, { x: 0, y: 0, w: 320, h: 128 }, 'text', 8);
    const cut = solidAreaPieces(pixelsOf(photo, band), band, 2048, 65536)!;
    const tagged = cut.filter((p) => p.photo);
    expect(tagged.length).toBeGreaterThan(0);
    for (const p of tagged) expect(looksPhotographic(pixelsOf(photo, p), p.w, p.h), JSON.stringify(p)).toBe(true);
  });

  it('leaves a rectangle of one kind and no solid area to the caller', () => {
    const f = makeFrame(300, 100, 'noise', 4);
    const r = { x: 0, y: 40, w: 300, h: 60 }; // photo-like only
    expect(solidAreaPieces(pixelsOf(f, r), r, 2048, 65536)).toBeNull();
    const small = { x: 0, y: 0, w: 40, h: 40 };
    expect(solidAreaPieces(pixelsOf(f, small), small, 2048, 65536)).toBeNull();
  });
});

describe('the gradient filter', () => {
  it('judges smooth and noisy content photo-like, text and flat content not', () => {
    const g = makeFrame(128, 64, 'gradient', 1);
    const t = makeFrame(128, 64, 'text', 1);
    const s = makeFrame(128, 64, 'solid', 1);
    const n = makeFrame(128, 64, 'noise', 1);
    const all = { x: 0, y: 0, w: 128, h: 64 };
    expect(looksPhotographic(pixelsOf(g, all), 128, 64)).toBe(true);
    expect(looksPhotographic(pixelsOf(n, all), 128, 64)).toBe(true);
    expect(looksPhotographic(pixelsOf(t, all), 128, 64)).toBe(false);
    expect(looksPhotographic(pixelsOf(s, all), 128, 64)).toBe(false);
  });

  it('deflates a photo-like area smaller than plain TPIXELs, and noVNC decodes it exactly', async () => {
    const f = photoFrame(256, 200, 6);
    const r = { x: 0, y: 40, w: 120, h: 150 }; // clear of the title bar and the panel
    const conv = new PixelConverter(NOVNC_FORMAT);
    const px = conv.convertRect(f, r);
    const plain = Buffer.alloc(r.w * r.h * 3);
    for (let i = 0; i < r.w * r.h; i++) plain.set([px[i]! & 0xff, (px[i]! >>> 8) & 0xff, (px[i]! >>> 16) & 0xff], i * 3);
    const z1 = new ZlibStream(2);
    const z2 = new ZlibStream(2);
    const filtered = (await z1.compress(gradientData(px, r.w, r.h, 0, 8, 16))).length;
    const unfiltered = (await z2.compress(plain)).length;
    z1.close();
    z2.close();
    expect(filtered).toBeLessThan(unfiltered * 0.8);

    const state = createEncoderState();
    const out = new ByteWriter();
    out.u16(r.x).u16(r.y).u16(r.w).u16(r.h).s32(Encoding.Tight);
    expect(await encodeInto(new TightEncoder(), { rect: r, pixels: px, converter: conv, state }, out)).toBe(true);
    expect(out.view()[12]! & 0x4f).toBe(0x40); // basic compression with an explicit filter…
    expect(out.view()[13]).toBe(2); // …the gradient
    const client = await NoVncClient.create(256, 200);
    client.decodeRects(out.view(), 1);
    expect(firstDiff(cropRgba(client.display.rgba, 256, r), expectedRgba(f, r))).toBe(-1);
    state.close();
  });
});
