/**
 * A seek-bar thumbnail's pixels: a picture (R, G, B, A bytes, as the player's
 * FrameBuffer and a canvas's ImageData hold them) made small by averaging
 * each block of source pixels that falls on one thumbnail pixel. Done here,
 * in integers, rather than by a canvas's drawImage: the result is the same
 * in every browser, so a test can work out the thumbnail of a known picture
 * and compare it exactly. Pure: the unit tests run it in Node.
 */

/** Thumbnails are this wide at most (smaller pictures keep their width). */
export const THUMBNAIL_WIDTH = 160;

/** The thumbnail's size for a `width` × `height` picture: at most `maxWidth` wide, the same shape, at least 1×1. */
export function thumbnailSize(width: number, height: number, maxWidth = THUMBNAIL_WIDTH): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 1, height: 1 };
  const w = Math.max(1, Math.min(maxWidth, width));
  return { width: w, height: Math.max(1, Math.round((height * w) / width)) };
}

/**
 * `src` (sw × sh, RGBA) scaled to tw × th (no larger): thumbnail pixel
 * (x, y) is the rounded mean of the source pixels from floor(x·sw/tw) up to
 * floor((x+1)·sw/tw) across, and likewise down — every source pixel counts
 * in exactly one. Alpha is opaque.
 */
export function downscale(src: ArrayLike<number>, sw: number, sh: number, tw: number, th: number): Uint8ClampedArray<ArrayBuffer> {
  if (tw > sw || th > sh) throw new RangeError(`a thumbnail ${tw}×${th} is larger than the ${sw}×${sh} picture`);
  const out = new Uint8ClampedArray(tw * th * 4);
  const xs = edges(sw, tw);
  const ys = edges(sh, th);
  for (let ty = 0; ty < th; ty++) {
    const y0 = ys[ty]!;
    const y1 = ys[ty + 1]!;
    for (let tx = 0; tx < tw; tx++) {
      const x0 = xs[tx]!;
      const x1 = xs[tx + 1]!;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const o = (y * sw + x) * 4;
          r += src[o]!;
          g += src[o + 1]!;
          b += src[o + 2]!;
        }
      }
      const n = (x1 - x0) * (y1 - y0);
      const o = (ty * tw + tx) * 4;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
      out[o + 3] = 255;
    }
  }
  return out;
}

/** Where each of `n` blocks starts along `size` source pixels, and where the last ends. */
function edges(size: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= n; i++) out.push(Math.floor((i * size) / n));
  return out;
}
