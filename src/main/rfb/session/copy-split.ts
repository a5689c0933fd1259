import { intersectRect, type Rect } from '../../framebuffer/rect.js';
import type { CopyOp } from '../../framebuffer/region.js';
import { subtractRect } from '../../framebuffer/uncovered.js';

/** Pieces smaller than this go as pixels: a CopyRect's header and the client's work are worth more than they save. */
const MIN_PIECE_PIXELS = 1024;

/** A copy cut around what a client cannot copy from: the pieces to copy, in order, and what goes as pixels instead. */
export interface CopySplit {
  copies: CopyOp[];
  /** Destinations of the parts not copied. */
  pixels: Rect[];
}

/**
 * A copy whose source is partly unusable for one client (pixels of an
 * earlier capture still pending or in flight there: a terminal scrolls again
 * before the viewer got its last new lines): the parts that read only what
 * the client already shows, as copies, and the destinations of the rest, to
 * go as pixels. Without this, one pending line in a scrolled area turned the
 * whole area into pixels (a third of a scrolling terminal's updates, at five
 * times the bytes).
 *
 * The pieces are ordered against the motion (content moving up: the top
 * piece first), so none reads what an earlier one wrote. Only straight moves
 * are cut, a vertical scroll or a horizontal one: pieces of a diagonal move
 * side by side could read each other's destinations. Null for those.
 */
export function splitCopy(c: CopyOp, blocked: readonly Rect[]): CopySplit | null {
  const dx = c.dst.x - c.srcX;
  const dy = c.dst.y - c.srcY;
  if (dx !== 0 && dy !== 0) return null;
  const src: Rect = { x: c.srcX, y: c.srcY, w: c.dst.w, h: c.dst.h };
  const moved = (r: Rect): Rect => ({ x: r.x + dx, y: r.y + dy, w: r.w, h: r.h });
  const pixels: Rect[] = [];
  let pieces: Rect[] = [src];
  for (const b of blocked) {
    const hit = intersectRect(b, src);
    if (!hit) continue;
    pixels.push(moved(hit));
    pieces = pieces.flatMap((p) => subtractRect(p, hit));
  }
  const copies: CopyOp[] = [];
  for (const p of pieces) {
    if (p.w * p.h < MIN_PIECE_PIXELS) pixels.push(moved(p));
    else copies.push({ dst: moved(p), srcX: p.x, srcY: p.y });
  }
  copies.sort((a, b) => (dy !== 0 ? (dy < 0 ? a.srcY - b.srcY : b.srcY - a.srcY) : dx < 0 ? a.srcX - b.srcX : b.srcX - a.srcX));
  return { copies, pixels };
}
