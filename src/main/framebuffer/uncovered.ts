import { firstDiffColumn, lastDiffColumn, samePixels, type PixelPlane } from './pixel-plane.js';
import type { Rect } from './rect.js';

/**
 * What copies leave of a changed area: `r` minus every rectangle of `cuts`,
 * each piece narrowed to the box of pixels that differ in place between
 * `cur` and `prev` (a changed tile is whole tiles of which a moved window's
 * exposed edge may be a thin strip). Pieces without differences are dropped.
 */
export function uncoveredChanges(cur: PixelPlane, prev: PixelPlane, r: Rect, cuts: readonly Rect[]): Rect[] {
  let pieces = [r];
  for (const cut of cuts) pieces = pieces.flatMap((p) => subtractRect(p, cut));
  const out: Rect[] = [];
  for (const p of pieces) {
    const c = changedBox(cur, prev, p);
    if (c) out.push(c);
  }
  return out;
}

/** `r` minus `cut`: up to four rectangles (the rows above, the columns beside, the rows below). */
export function subtractRect(r: Rect, cut: Rect): Rect[] {
  const top = Math.max(r.y, cut.y);
  const bottom = Math.min(r.y + r.h, cut.y + cut.h);
  if (top >= bottom || cut.x >= r.x + r.w || r.x >= cut.x + cut.w) return [r];
  const out: Rect[] = [];
  if (cut.y > r.y) out.push({ x: r.x, y: r.y, w: r.w, h: cut.y - r.y });
  if (cut.x > r.x) out.push({ x: r.x, y: top, w: cut.x - r.x, h: bottom - top });
  if (cut.x + cut.w < r.x + r.w) out.push({ x: cut.x + cut.w, y: top, w: r.x + r.w - cut.x - cut.w, h: bottom - top });
  if (cut.y + cut.h < r.y + r.h) out.push({ x: r.x, y: cut.y + cut.h, w: r.w, h: r.y + r.h - cut.y - cut.h });
  return out;
}

/** The bounding box of the pixels of `r` where `cur` and `prev` differ, or null when none do. */
export function changedBox(cur: PixelPlane, prev: PixelPlane, r: Rect): Rect | null {
  const x1 = r.x + r.w;
  let lo = x1; // leftmost differing column
  let hi = r.x; // one past the rightmost
  let y0 = -1;
  let y1 = -1;
  for (let y = r.y; y < r.y + r.h; y++) {
    const c = y * cur.stride;
    const p = y * prev.stride;
    if (samePixels(cur, c + r.x, prev, p + r.x, r.w)) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    if (lo > r.x && !samePixels(cur, c + r.x, prev, p + r.x, lo - r.x)) lo = firstDiffColumn(cur, prev, c, p, r.x, lo);
    if (hi < x1 && !samePixels(cur, c + hi, prev, p + hi, x1 - hi)) hi = lastDiffColumn(cur, prev, c, p, hi, x1) + 1;
  }
  return y0 < 0 ? null : { x: lo, y: y0, w: hi - lo, h: y1 - y0 + 1 };
}
