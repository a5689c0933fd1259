import { splitRect, type Rect } from '../../framebuffer/rect.js';
import type { Piece } from './encoder.js';
import { MAX_PALETTE } from './tight-palette.js';
import { ColourSet } from './tile-analysis.js';

/** Side of the blocks the search looks at (TigerVNC searches 16×16 blocks too). */
const BLOCK = 16;
/** A solid area is cut out when it covers at least this many pixels; smaller ones cost more in headers than they save. */
const MIN_SOLID_AREA = 2048;
/** Block kinds besides a solid colour (≥ 0): screen-like (text, lines), and photo-like. */
const SCREEN = -1;
const PHOTO = -2;
/** Photo-like runs of fewer blocks are taken as screen-like: a piece of its own would cost more than it saves, and text must not go to JPEG. */
const MIN_PHOTO_RUN = 4;
/** Most block columns cut off either side of a many-coloured screen-like piece to leave a palette (see trimToPalette). */
const MAX_TRIM = 3;

/**
 * Blocks needed to cover `n` pixels (n ≥ 0), in integer arithmetic: the
 * optimising compiler takes `Math.ceil(n / BLOCK)` as an integer division
 * while every unit is a multiple of 16 rows high, and throws its code away
 * (then compiles the function again, some 50 ms of a core) at the first
 * that is not, such as the last 56 rows of a 1080-row screen.
 */
function blocksFor(n: number): number {
  return ((n + BLOCK - 1) / BLOCK) | 0;
}

/** Colour counting for trimToPalette (one thread, one at a time). */
const COLOURS = new ColourSet();

/**
 * Cut a rectangle into pieces so that big solid areas go as fills of their
 * own, photo-like areas apart from screen-like ones (JPEG or the gradient
 * filter for the one, palettes and plain colours for the other), and the
 * rest as few pieces as possible (after TigerVNC's solid-area search,
 * simplified). Each 16×16 block is solid, screen-like or photo-like (by how
 * often a pixel repeats its left neighbour); runs of blocks of one colour are
 * grown right, then down, and kept when they cover MIN_SOLID_AREA pixels;
 * what is left becomes, block row by block row, runs of blocks of one kind,
 * joined with the run below when they span the same columns. Every piece is
 * then cut to `maxW` wide and `maxArea` pixels. Null when there is nothing
 * to cut apart (the caller cuts as usual).
 *
 * `px` holds the rectangle's pixels, r.w per row.
 */
export function solidAreaPieces(px: Uint32Array, r: Rect, maxW: number, maxArea: number): Piece[] | null {
  const { w, h } = r;
  if (w * h < MIN_SOLID_AREA * 2) return null;
  const bw = blocksFor(w);
  const bh = blocksFor(h);
  // Each block's colour when solid, else -1; used marks blocks taken by a solid area.
  const colour = new Float64Array(bw * bh);
  for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) colour[by * bw + bx] = blockColour(px, w, h, bx, by);
  const used = new Uint8Array(bw * bh);

  const solids: Rect[] = [];
  let photos = 0;
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const c = colour[by * bw + bx]!;
      if (c === PHOTO) photos++;
      if (c < 0 || used[by * bw + bx]) continue;
      let bx1 = bx + 1;
      while (bx1 < bw && colour[by * bw + bx1] === c && !used[by * bw + bx1]) bx1++;
      let by1 = by + 1;
      while (by1 < bh && rowMatches(colour, used, bw, by1, bx, bx1, c)) by1++;
      const area = blockRect(r, bx, by, bx1, by1);
      if (area.w * area.h < MIN_SOLID_AREA) continue;
      for (let y = by; y < by1; y++) used.fill(1, y * bw + bx, y * bw + bx1);
      solids.push(area);
    }
  }
  if (solids.length === 0 && (photos === 0 || photos === bw * bh)) return null;

  // Every block not in a solid area is screen-like or photo-like; short photo-like runs count as screen-like.
  const kind = new Int8Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; ) {
      const i = by * bw + bx;
      let bx1 = bx + 1;
      if (colour[i] === PHOTO && !used[i]) {
        while (bx1 < bw && colour[by * bw + bx1] === PHOTO && !used[by * bw + bx1]) bx1++;
        if (bx1 - bx >= MIN_PHOTO_RUN) kind.fill(PHOTO, i, by * bw + bx1);
      }
      bx = bx1;
    }
  }

  // The rest: per block row, runs of blocks of one kind not in a solid area; a run spanning the same columns as one in the row above extends it.
  const rest: Rect[] = [];
  const screens = new Set<Rect>();
  const photoPieces = new Set<Rect>();
  let open = new Map<number, Rect>();
  for (let by = 0; by < bh; by++) {
    const next = new Map<number, Rect>();
    for (let bx = 0; bx < bw; ) {
      const i = by * bw + bx;
      if (used[i]) {
        bx++;
        continue;
      }
      const k = kind[i]!;
      let bx1 = bx + 1;
      while (bx1 < bw && !used[by * bw + bx1] && kind[by * bw + bx1] === k) bx1++;
      const key = (bx * 65536 + bx1) * 2 + (k === PHOTO ? 1 : 0);
      const row = blockRect(r, bx, by, bx1, by + 1);
      const above = open.get(key);
      if (above) {
        above.h += row.h;
        next.set(key, above);
      } else {
        rest.push(row);
        (k === PHOTO ? photoPieces : screens).add(row);
        next.set(key, row);
      }
      bx = bx1;
    }
    open = next;
  }

  const out: Piece[] = [];
  const trimmed = rest.flatMap((p) => (screens.has(p) ? trimToPalette(px, r, p, (bx) => hasPhoto(colour, bw, bx, ((p.y - r.y) / BLOCK) | 0, blocksFor(p.y + p.h - r.y))) : [p]));
  for (const p of [...solids, ...trimmed]) {
    const pw = Math.min(p.w, maxW);
    const photo = photoPieces.has(p);
    for (const q of splitRect(p, pw, Math.max(1, Math.floor(maxArea / pw)))) out.push(photo ? { ...q, photo } : q);
  }
  return out;
}

/** Whether block column `bx`, rows [by0, by1), holds a photo-like block. */
function hasPhoto(colour: Float64Array, bw: number, bx: number, by0: number, by1: number): boolean {
  for (let by = by0; by < by1; by++) if (colour[by * bw + bx] === PHOTO) return true;
  return false;
}

/**
 * A screen-like piece (`p`, inside `r`, whose pixels `px` holds) with too many
 * colours for a palette, cut into a core that has few enough and the block
 * columns either side that bring the rest: a text window over a photo, its
 * edge inside a block, is otherwise sent in full colour for a few columns of
 * the photo (on the bench's desktop, 1.0 MB of pixels deflated per frame
 * where the core's palette takes 1 bit a pixel). At most MAX_TRIM columns a
 * side, and only up to its last photo-like block (`photoIn(bx)`: block
 * column bx of the piece has one), the narrowest cut first; `[p]` when none
 * leaves a palette.
 */
function trimToPalette(px: Uint32Array, r: Rect, p: Rect, photoIn: (bx: number) => boolean): Rect[] {
  const first = ((p.x - r.x) / BLOCK) | 0;
  const blocks = blocksFor(p.x + p.w - r.x) - first;
  if (blocks < 3) return [p];
  // Only a side with a photo-like block in its MAX_TRIM columns may be cut off (other colours there are the window's own: antialiased text).
  let maxLeft = 0;
  let maxRight = 0;
  for (let i = 0; i < Math.min(MAX_TRIM, blocks - 2); i++) {
    if (photoIn(first + i)) maxLeft = i + 1;
    if (photoIn(first + blocks - 1 - i)) maxRight = i + 1;
  }
  if (maxLeft + maxRight === 0 || coloursIn(px, r, p) <= MAX_PALETTE) return [p];
  for (let cut = 1; cut <= maxLeft + maxRight && cut < blocks - 1; cut++) {
    for (let left = Math.min(cut, maxLeft); left >= 0 && cut - left <= maxRight; left--) {
      const x0 = p.x + left * BLOCK;
      // The right cut ends on a block boundary of `r` (p's own right edge may be r's, not a block's).
      const x1 = cut - left === 0 ? p.x + p.w : r.x + (blocksFor(p.x + p.w - r.x) - (cut - left)) * BLOCK;
      const core = { x: x0, y: p.y, w: x1 - x0, h: p.h };
      if (coloursIn(px, r, core) > MAX_PALETTE) continue;
      const sides = [
        { x: p.x, y: p.y, w: x0 - p.x, h: p.h },
        { x: x1, y: p.y, w: p.x + p.w - x1, h: p.h },
      ];
      return [core, ...sides.filter((a) => a.w > 0)];
    }
  }
  return [p];
}

/** Distinct colours in `a` (inside `r`, whose pixels `px` holds), counted up to MAX_PALETTE + 1. */
function coloursIn(px: Uint32Array, r: Rect, a: Rect): number {
  const set = COLOURS;
  set.clear();
  let cur = px[(a.y - r.y) * r.w + (a.x - r.x)]!;
  let found = set.add(cur);
  for (let y = a.y - r.y; y < a.y - r.y + a.h; y++) {
    for (let i = y * r.w + (a.x - r.x), end = i + a.w; i < end; i++) {
      const v = px[i]!;
      if (v === cur) continue;
      cur = v;
      found = set.add(v);
      if (found > MAX_PALETTE) return found;
    }
  }
  return found;
}

/**
 * The block's one colour; or SCREEN or PHOTO when it has more, PHOTO when
 * fewer than half the pixels of its even rows repeat the one on their left.
 * Every other row tells photo from screen as well as all of them (photos
 * and text look alike row to row) at half the reads; a block whose even rows
 * are all one colour has its odd rows read too, to tell solid from striped.
 */
function blockColour(px: Uint32Array, w: number, h: number, bx: number, by: number): number {
  const x0 = bx * BLOCK;
  const y0 = by * BLOCK;
  const x1 = Math.min(w, x0 + BLOCK);
  const y1 = Math.min(h, y0 + BLOCK);
  const c = px[y0 * w + x0]!;
  let solid = true;
  let repeats = 0;
  const perRow = x1 - x0 - 1;
  const rows = (y1 - y0 + 1) >> 1;
  const total = rows * perRow;
  for (let y = y0, seen = 1; y < y1; y += 2, seen++) {
    let left = px[y * w + x0]!;
    if (left !== c) solid = false;
    for (let i = y * w + x0 + 1, end = y * w + x1; i < end; i++) {
      const v = px[i]!;
      if (v === left) repeats++;
      else solid = false;
      left = v;
    }
    if (solid) continue;
    // Decided before the last row (the same answer all of them give): enough repeats already, or too few left to reach half.
    if (repeats * 2 >= total) return SCREEN;
    if ((repeats + (rows - seen) * perRow) * 2 < total) return PHOTO;
  }
  if (!solid) return repeats * 2 < total ? PHOTO : SCREEN;
  for (let y = y0 + 1; y < y1; y += 2) {
    for (let i = y * w + x0, end = y * w + x1; i < end; i++) if (px[i] !== c) return SCREEN;
  }
  return c;
}

function rowMatches(colour: Float64Array, used: Uint8Array, bw: number, by: number, bx0: number, bx1: number, c: number): boolean {
  for (let bx = bx0; bx < bx1; bx++) if (colour[by * bw + bx] !== c || used[by * bw + bx]) return false;
  return true;
}

/** Blocks [bx0, bx1) × [by0, by1) of `r` in framebuffer coordinates, clipped to `r`. */
function blockRect(r: Rect, bx0: number, by0: number, bx1: number, by1: number): Rect {
  const x = r.x + bx0 * BLOCK;
  const y = r.y + by0 * BLOCK;
  return { x, y, w: Math.min(r.x + r.w, r.x + bx1 * BLOCK) - x, h: Math.min(r.y + r.h, r.y + by1 * BLOCK) - y };
}
