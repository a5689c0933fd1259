import { describe, expect, it } from 'vitest';
import type { Display, Screen } from 'x11';
import { checkPixelLayout, copyPixels, maskInPlace, u32View } from '../../../src/main/desktop/x11/x11-pixels.js';
import { createFrame } from '../../../src/main/framebuffer/frame.js';

function fakeDisplay(depth: number, bpp: number, masks: [number, number, number], byteOrder = 0): { display: Display; screen: Screen } {
  const visual = { vid: 33, class: 4, bits_per_rgb: 8, map_ent: 256, red_mask: masks[0], green_mask: masks[1], blue_mask: masks[2] };
  const screen = {
    root: 1,
    default_colormap: 2,
    white_pixel: 0xffffff,
    black_pixel: 0,
    pixel_width: 640,
    pixel_height: 480,
    mm_width: 0,
    mm_height: 0,
    root_visual: 33,
    root_depth: depth,
    depths: { [depth]: { 33: visual } },
  } satisfies Screen;
  const display = {
    screen: [screen],
    format: { [depth]: { bits_per_pixel: bpp, scanline_pad: 32 } },
    max_request_length: 65535,
    image_byte_order: byteOrder,
    vendor: 'test',
    release: 0,
    isLocalSocket: true,
  } as unknown as Display; // only the fields checkPixelLayout reads; no client needed
  return { display, screen };
}

describe('X11 pixel layout', () => {
  it('accepts 24- and 32-deep 32-bpp RGB visuals', () => {
    for (const depth of [24, 32]) {
      const { display, screen } = fakeDisplay(depth, 32, [0xff0000, 0xff00, 0xff]);
      expect(checkPixelLayout(display, screen).depth).toBe(depth);
    }
  });

  it('refuses other formats with a message saying what was found', () => {
    let f = fakeDisplay(16, 16, [0xf800, 0x7e0, 0x1f]);
    expect(() => checkPixelLayout(f.display, f.screen)).toThrow(/depth 16/);
    f = fakeDisplay(24, 24, [0xff0000, 0xff00, 0xff]);
    expect(() => checkPixelLayout(f.display, f.screen)).toThrow(/32 bits per pixel/);
    f = fakeDisplay(24, 32, [0xff, 0xff00, 0xff0000]);
    expect(() => checkPixelLayout(f.display, f.screen)).toThrow(/channel masks/);
    f = fakeDisplay(24, 32, [0xff0000, 0xff00, 0xff], 1);
    expect(() => checkPixelLayout(f.display, f.screen)).toThrow(/MSBFirst/);
  });

  it('copies BGRX/BGRA words into 0x00RRGGBB, clearing byte 3', () => {
    // bytes as an X server sends them: B, G, R, X
    const bytes = Buffer.from([0x33, 0x22, 0x11, 0xff, 0x66, 0x55, 0x44, 0x80, 0x99, 0x88, 0x77, 0x00, 0xcc, 0xbb, 0xaa, 0x01]);
    const src = u32View(bytes);
    expect(src).not.toBeNull();
    const frame = createFrame(4, 3);
    frame.pixels.fill(0x5a5a5a);
    copyPixels(src as Uint32Array, 0, 2, frame, { x: 1, y: 1, w: 2, h: 2 });
    expect(Array.from(frame.pixels)).toEqual([
      0x5a5a5a, 0x5a5a5a, 0x5a5a5a, 0x5a5a5a,
      0x5a5a5a, 0x112233, 0x445566, 0x5a5a5a,
      0x5a5a5a, 0x778899, 0xaabbcc, 0x5a5a5a,
    ]);
    const px = new Uint32Array([0xff123456, 0x80abcdef, 0x00000001]);
    maskInPlace(px, 0, 2);
    expect(Array.from(px)).toEqual([0x123456, 0xabcdef, 0x1]);
  });

  it('gives no view of an unaligned buffer', () => {
    const b = Buffer.alloc(12);
    expect(u32View(b.subarray(1, 9))).toBeNull();
    expect(u32View(b.subarray(4, 12))?.length).toBe(2);
  });
});
