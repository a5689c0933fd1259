import { describe, expect, it } from 'vitest';
import { applyRawFrame, MAX_CAPTURE_SIDE, parseRawFrame, type RawFrame, type RgbRawFrame } from '../../../../src/main/electron/capture/capture-frame.js';
import { createFrame } from '../../../../src/main/framebuffer/frame.js';

/** A raw BGRA frame whose pixel (x, y) is `colour(x, y)` (0xRRGGBB), rows padded to `stride` bytes. */
function bgra(width: number, height: number, colour: (x: number, y: number) => number, stride = width * 4): RgbRawFrame {
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
  return { width, height, format: 'bgra', stride, data, sourceFormat: 'BGRA', pointer: true };
}

function rgba(width: number, height: number, colour: (x: number, y: number) => number): RgbRawFrame {
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
  return { width, height, format: 'rgba', stride: width * 4, data, sourceFormat: 'canvas', pointer: true };
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
    expect((parseRawFrame(noStride) as RgbRawFrame).stride).toBe(8);
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

/** An I420 frame of a picture, made by the BT.601 limited-range forward conversion (libyuv's, as Chromium's capture uses it). */
function i420(width: number, height: number, colour: (x: number, y: number) => number, layout: 'i420' | 'nv12' = 'i420') {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const data = new Uint8Array(width * height + cw * ch * 2);
  const rgb = (x: number, y: number) => {
    const c = colour(Math.min(x, width - 1), Math.min(y, height - 1));
    return [(c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff] as const;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = rgb(x, y);
      data[y * width + x] = (66 * r + 129 * g + 25 * b + 0x1080) >> 8;
    }
  }
  const u0 = width * height;
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      const [r, g, b] = rgb(2 * x, 2 * y);
      const u = (112 * b - 74 * g - 38 * r + 0x8080) >> 8;
      const v = (112 * r - 94 * g - 18 * b + 0x8080) >> 8;
      if (layout === 'nv12') {
        data[u0 + y * cw * 2 + 2 * x] = u;
        data[u0 + y * cw * 2 + 2 * x + 1] = v;
      } else {
        data[u0 + y * cw + x] = u;
        data[u0 + cw * ch + y * cw + x] = v;
      }
    }
  }
  const planes =
    layout === 'nv12'
      ? [{ offset: 0, stride: width }, { offset: u0, stride: cw * 2 }]
      : [{ offset: 0, stride: width }, { offset: u0, stride: cw }, { offset: u0 + cw * ch, stride: cw }];
  return { width, height, format: layout, stride: width, planes, colorSpace: { matrix: 'smpte170m', fullRange: false }, sourceFormat: layout.toUpperCase(), data: data.buffer };
}

describe('YUV frames', () => {
  const flat = (x: number) => (x < 64 ? 0xff0000 : 0x3366cc);

  it('converts I420 and NV12 alike, flat colours within 2 steps', () => {
    for (const layout of ['i420', 'nv12'] as const) {
      const raw = parseRawFrame(i420(128, 64, flat, layout));
      expect(typeof raw, String(raw)).toBe('object');
      const { frame } = applyRawFrame(raw as RawFrame, null);
      for (const [x, want] of [[10, 0xff0000], [100, 0x3366cc]] as const) {
        const p = frame.pixels[20 * frame.stride + x]!;
        for (const s of [16, 8, 0]) expect(Math.abs(((p >> s) & 0xff) - ((want >> s) & 0xff)), `${layout} at ${x}`).toBeLessThanOrEqual(2);
      }
    }
  });

  it('converts only the tiles whose YUV bytes changed, and reports those', () => {
    const first = parseRawFrame(i420(256, 128, flat)) as RawFrame;
    const { frame } = applyRawFrame(first, null);
    const changedAt = (x: number, y: number) => (x >= 150 && x < 160 && y >= 70 && y < 80 ? 0x00ff00 : flat(x));
    const second = parseRawFrame(i420(256, 128, changedAt)) as RawFrame;
    // Scribble on a tile whose bytes did not change: a conversion of it would put the right pixels back.
    frame.pixels[5 * frame.stride + 5] = 0x123456;
    const { changed } = applyRawFrame(second, frame, 64, first);
    expect(changed).toEqual([{ x: 128, y: 64, w: 64, h: 64 }]);
    expect(frame.pixels[5 * frame.stride + 5]).toBe(0x123456);
    expect((frame.pixels[75 * frame.stride + 155]! >> 8) & 0xff).toBeGreaterThan(250);
    // Without the previous frame every tile is converted (and the scribble mended).
    applyRawFrame(second, frame, 64, null);
    expect(frame.pixels[5 * frame.stride + 5]).not.toBe(0x123456);
  });

  it('refuses planes that do not fit the data, saying which', () => {
    const good = i420(16, 16, flat);
    expect(parseRawFrame({ ...good, planes: good.planes.slice(0, 2) })).toMatch(/3 planes/);
    expect(parseRawFrame({ ...good, planes: [good.planes[0], { offset: 10_000, stride: 8 }, good.planes[2]] })).toMatch(/too short for plane 1/);
    expect(parseRawFrame({ ...good, planes: [{ offset: 0, stride: 4 }, good.planes[1], good.planes[2]] })).toMatch(/stride of plane 0/);
    expect(parseRawFrame({ ...good, format: 'yuv444' })).toMatch(/unknown pixel format/);
  });

  it('keeps what the page said about the source and the pointer, and assumes BT.601 limited when the frame does not say', () => {
    const raw = parseRawFrame({ ...i420(16, 16, flat), colorSpace: undefined, pointer: false }) as RawFrame;
    expect(raw).toMatchObject({ sourceFormat: 'I420', pointer: false, color: { matrix: 'bt601', fullRange: false }, colorKnown: false });
    expect(parseRawFrame({ ...i420(16, 16, flat), colorSpace: { matrix: 'bt709', fullRange: true } })).toMatchObject({ color: { matrix: 'bt709', fullRange: true }, colorKnown: true, pointer: true });
  });
});
