import { describe, expect, it } from 'vitest';
import { applyRawFrame, MAX_CAPTURE_SIDE, parseRawFrame, type RawFrame } from '../../../../src/main/electron/capture/capture-frame.js';
import { createFrame } from '../../../../src/main/framebuffer/frame.js';

/** A raw BGRA frame whose pixel (x, y) is `colour(x, y)` (0xRRGGBB), rows padded to `stride` bytes. */
function bgra(width: number, height: number, colour: (x: number, y: number) => number, stride = width * 4): RawFrame {
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colour(x, y);
      const o = y * stride + x * 4;
      data[o] = c & 0xff;
      data[o + 1] = (c >> 8) & 0xff;
      data[o + 2] = (c >> 16) & 0xff;
      data[o + 3] = 0xff;
    }
  }
  return { width, height, format: 'bgra', stride, data };
}

function rgba(width: number, height: number, colour: (x: number, y: number) => number): RawFrame {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = colour(x, y);
      const o = (y * width + x) * 4;
      data[o] = (c >> 16) & 0xff;
      data[o + 1] = (c >> 8) & 0xff;
      data[o + 2] = c & 0xff;
      data[o + 3] = 0x80; // alpha must not leak into the pixel
    }
  }
  return { width, height, format: 'rgba', stride: width * 4, data };
}

const pattern = (x: number, y: number) => ((x * 7) << 16) | ((y * 13) << 8) | ((x + y) & 0xff);

describe('applyRawFrame', () => {
  it('converts BGRA to 0x00RRGGBB and reports a first frame as new and wholly changed', () => {
    const { frame, changed, resized } = applyRawFrame(bgra(5, 3, pattern), null);
    expect(resized).toBe(true);
    expect(changed).toEqual([{ x: 0, y: 0, w: 5, h: 3 }]);
    expect(frame.width).toBe(5);
    expect(frame.height).toBe(3);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 5; x++) expect(frame.pixels[y * frame.stride + x]).toBe(pattern(x, y));
  });

  it('swaps red and blue for RGBA and drops alpha', () => {
    const { frame } = applyRawFrame(rgba(4, 2, pattern), null);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) expect(frame.pixels[y * 4 + x]).toBe(pattern(x, y));
    expect(frame.pixels[1]).toBe(0x070001);
  });

  it('reads rows padded beyond width × 4', () => {
    const { frame } = applyRawFrame(bgra(3, 3, pattern, 20), null);
    expect(Array.from(frame.pixels)).toEqual([0, 1, 2, 1, 2, 3, 2, 3, 4].map((_, i) => pattern(i % 3, Math.floor(i / 3))));
  });

  it('reads pixel data that is not 4-byte aligned', () => {
    const raw = bgra(4, 4, pattern);
    const shifted = new Uint8Array(raw.data.byteLength + 1).subarray(1);
    shifted.set(raw.data);
    const { frame } = applyRawFrame({ ...raw, data: shifted }, null);
    expect(frame.pixels[4 * 3 + 2]).toBe(pattern(2, 3));
  });

  it('writes into the same frame and reports only the tiles that changed', () => {
    const first = applyRawFrame(bgra(200, 150, () => 0x102030), null).frame;
    // change one pixel in tile (1, 0) and a block across tiles (0..1, 2)
    const next = bgra(200, 150, (x, y) => ((x === 70 && y === 5) || (x >= 10 && x < 100 && y >= 130 && y < 140) ? 0xffffff : 0x102030));
    const { frame, changed, resized } = applyRawFrame(next, first, 64);
    expect(frame).toBe(first);
    expect(resized).toBe(false);
    expect(changed).toEqual([
      { x: 64, y: 0, w: 64, h: 64 },
      { x: 0, y: 128, w: 128, h: 22 },
    ]);
    expect(frame.pixels[5 * 200 + 70]).toBe(0xffffff);
    expect(frame.pixels[135 * 200 + 99]).toBe(0xffffff);
    expect(frame.pixels[135 * 200 + 100]).toBe(0x102030);
  });

  it('reports nothing for an identical frame', () => {
    const first = applyRawFrame(bgra(130, 70, pattern), null).frame;
    expect(applyRawFrame(bgra(130, 70, pattern), first).changed).toEqual([]);
  });

  it('makes a new frame when the size changes', () => {
    const first = createFrame(10, 10);
    const r = applyRawFrame(bgra(12, 10, pattern), first);
    expect(r.resized).toBe(true);
    expect(r.frame).not.toBe(first);
    expect(r.frame.width).toBe(12);
    expect(r.changed).toEqual([{ x: 0, y: 0, w: 12, h: 10 }]);
  });
});

describe('parseRawFrame', () => {
  const good = { width: 2, height: 2, format: 'bgra', stride: 8, data: new Uint8Array(16) };

  it('accepts a well-formed frame, with the data as a Uint8Array or an ArrayBuffer', () => {
    expect(parseRawFrame(good)).toMatchObject({ width: 2, height: 2, format: 'bgra', stride: 8 });
    const fromBuffer = parseRawFrame({ ...good, data: new ArrayBuffer(16) });
    expect(typeof fromBuffer).toBe('object');
    expect((fromBuffer as RawFrame).data).toBeInstanceOf(Uint8Array);
  });

  it('takes width × 4 as the stride when none is given', () => {
    const { stride: _s, ...noStride } = good;
    expect((parseRawFrame(noStride) as RawFrame).stride).toBe(8);
  });

  it('refuses what it cannot read, saying why', () => {
    expect(parseRawFrame(null)).toBe('not a frame');
    expect(parseRawFrame({ ...good, width: 0 })).toMatch(/size/);
    expect(parseRawFrame({ ...good, height: 2.5 })).toMatch(/size/);
    expect(parseRawFrame({ ...good, width: MAX_CAPTURE_SIDE + 1 })).toMatch(/size/);
    expect(parseRawFrame({ ...good, format: 'yuv' })).toMatch(/pixel format/);
    expect(parseRawFrame({ ...good, data: [1, 2, 3] })).toMatch(/pixel data/);
    expect(parseRawFrame({ ...good, stride: 6 })).toMatch(/stride/);
    expect(parseRawFrame({ ...good, stride: 10 })).toMatch(/stride/);
    expect(parseRawFrame({ ...good, data: new Uint8Array(15) })).toMatch(/too short/);
  });

  it('accepts a last row without its padding', () => {
    expect(typeof parseRawFrame({ width: 2, height: 2, format: 'rgba', stride: 12, data: new Uint8Array(12 + 8) })).toBe('object');
  });
});
