/**
 * Two images compared row by row: a plane is 32-bit pixels with a byte view
 * of the same memory, so that a run of pixels is compared with one native
 * memcmp (Buffer#compare), and only a run that differs is looked at pixel by
 * pixel.
 */

/** One side of a comparison: 32-bit pixels, pixels per row, and a byte view of the same memory. */
export interface PixelPlane {
  readonly pixels: Uint32Array;
  readonly stride: number;
  readonly bytes: Buffer;
}

/** A plane over `pixels` (rows `stride` pixels apart). */
export function pixelPlane(pixels: Uint32Array, stride: number): PixelPlane {
  return { pixels, stride, bytes: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength) };
}

/** Pixels compared with one memcmp while narrowing down to the first or last difference. */
const CHUNK = 64;

/** Whether n pixels at a in `a` equal n pixels at b in `b`. */
export function samePixels(a: PixelPlane, ai: number, b: PixelPlane, bi: number, n: number): boolean {
  return a.bytes.compare(b.bytes, bi * 4, (bi + n) * 4, ai * 4, (ai + n) * 4) === 0;
}

/** First column in [x0, x1) where the rows at c (in cur) and p (in prev) differ; x1 if none. */
export function firstDiffColumn(cur: PixelPlane, prev: PixelPlane, c: number, p: number, x0: number, x1: number): number {
  const a = cur.pixels;
  const b = prev.pixels;
  for (let x = x0; x < x1; x += CHUNK) {
    const e = Math.min(x1, x + CHUNK);
    if (samePixels(cur, c + x, prev, p + x, e - x)) continue;
    for (let i = x; i < e; i++) if (a[c + i] !== b[p + i]) return i;
  }
  return x1;
}

/** Last column in [x0, x1) where the rows differ; x0 - 1 if none. */
export function lastDiffColumn(cur: PixelPlane, prev: PixelPlane, c: number, p: number, x0: number, x1: number): number {
  const a = cur.pixels;
  const b = prev.pixels;
  for (let x = x1; x > x0; x -= CHUNK) {
    const s = Math.max(x0, x - CHUNK);
    if (samePixels(cur, c + s, prev, p + s, x - s)) continue;
    for (let i = x - 1; i >= s; i--) if (a[c + i] !== b[p + i]) return i;
  }
  return x0 - 1;
}
