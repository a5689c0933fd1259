/**
 * Tight's gradient filter (filter 2) for TPIXEL data: every channel of every
 * pixel is sent as its difference from the prediction left + above −
 * above-left (clamped to 0–255; outside the rectangle counts as 0), modulo
 * 256. On smooth, photo-like areas the differences are small numbers that
 * deflate packs far better than the colours themselves.
 */

/**
 * The filtered data of the first w×h pixels (client pixel values with 8-bit
 * channels at shifts rs, gs, bs): three bytes per pixel, written at the
 * start of `into` (w×h×3 bytes at least) or a fresh buffer.
 */
export function gradientData(px: Uint32Array, w: number, h: number, rs: number, gs: number, bs: number, into?: Buffer): Buffer {
  const out = into ? into.subarray(0, w * h * 3) : Buffer.allocUnsafe(w * h * 3);
  // The row above, as R, G, B bytes; zero above the first row.
  let above = new Uint8Array(w * 3);
  let row = new Uint8Array(w * 3);
  for (let y = 0, i = 0, o = 0; y < h; y++) {
    let lr = 0;
    let lg = 0;
    let lb = 0;
    let ulr = 0;
    let ulg = 0;
    let ulb = 0;
    for (let x = 0, k = 0; x < w; x++, i++, k += 3, o += 3) {
      const v = px[i]!;
      const r = (v >>> rs) & 0xff;
      const g = (v >>> gs) & 0xff;
      const b = (v >>> bs) & 0xff;
      const ur = above[k]!;
      const ug = above[k + 1]!;
      const ub = above[k + 2]!;
      out[o] = r - clamp(lr + ur - ulr);
      out[o + 1] = g - clamp(lg + ug - ulg);
      out[o + 2] = b - clamp(lb + ub - ulb);
      row[k] = r;
      row[k + 1] = g;
      row[k + 2] = b;
      lr = r;
      lg = g;
      lb = b;
      ulr = ur;
      ulg = ug;
      ulb = ub;
    }
    const t = above;
    above = row;
    row = t;
  }
  return out;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Rows sampled when judging an area (every SAMPLE_STEP-th). */
const SAMPLE_STEP = 4;

/**
 * Whether an area of many colours is photo-like enough for the gradient
 * filter to beat plain colours: judged on every fourth row by how often a
 * pixel repeats its left neighbour. Screens (text, lines, flat fills) repeat
 * a lot and deflate finds their repeats in the plain colours, which the
 * differences would blur; gradients, photos and noise hardly repeat, and there
 * the differences are smaller numbers than the colours.
 */
export function looksPhotographic(px: Uint32Array, w: number, h: number): boolean {
  if (w < 2) return false;
  let sampled = 0;
  let repeats = 0;
  for (let y = 0; y < h; y += SAMPLE_STEP) {
    const row = y * w;
    let left = px[row]!;
    for (let x = 1; x < w; x++) {
      const v = px[row + x]!;
      if (v === left) repeats++;
      left = v;
    }
    sampled += w - 1;
  }
  return repeats * 2 < sampled;
}
