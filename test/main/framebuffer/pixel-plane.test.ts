import { describe, expect, it } from 'vitest';
import { firstDiffColumn, lastDiffColumn, pixelPlane, samePixels } from '../../../src/main/framebuffer/pixel-plane.js';

const W = 300; // wider than the 64-pixel chunks the search compares at once

function planes(): { a: ReturnType<typeof pixelPlane>; b: ReturnType<typeof pixelPlane> } {
  const pa = new Uint32Array(W * 2).map((_, i) => i * 2654435761);
  return { a: pixelPlane(pa, W), b: pixelPlane(pa.slice(), W) };
}

describe('pixel planes', () => {
  it('a plane views the same memory as its pixels', () => {
    const px = new Uint32Array(4);
    const p = pixelPlane(px.subarray(1), 3);
    px[1] = 0x01020304;
    expect([...p.bytes.subarray(0, 4)]).toEqual([4, 3, 2, 1]);
    expect(p.stride).toBe(3);
  });

  it('finds the first and last differing column of a row, across chunk edges', () => {
    const { a, b } = planes();
    const row = W; // second row
    expect(firstDiffColumn(a, b, row, row, 0, W)).toBe(W);
    expect(lastDiffColumn(a, b, row, row, 0, W)).toBe(-1);
    for (const [first, last] of [
      [0, 0],
      [63, 64],
      [64, 255],
      [130, 299],
    ] as const) {
      const { a: x, b: y } = planes();
      y.pixels[row + first] ^= 1;
      y.pixels[row + last] ^= 2;
      expect(firstDiffColumn(x, y, row, row, 0, W)).toBe(first);
      expect(lastDiffColumn(x, y, row, row, 0, W)).toBe(last);
      // searched ranges that exclude the difference find none
      expect(firstDiffColumn(x, y, row, row, last + 1, W)).toBe(W);
      expect(lastDiffColumn(x, y, row, row, 0, first)).toBe(-1);
      expect(samePixels(x, row, y, row, first)).toBe(true);
      expect(samePixels(x, row, y, row, first + 1)).toBe(false);
    }
  });

  it('compares rows at different offsets of the two planes', () => {
    const { a, b } = planes();
    b.pixels.copyWithin(W, 0, W); // b's second row is a's first
    expect(samePixels(a, 0, b, W, W)).toBe(true);
    expect(samePixels(a, W, b, W, W)).toBe(false);
  });
});
