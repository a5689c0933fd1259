import type { PixelPlane } from './pixel-plane.js';
import { samePixels } from './pixel-plane.js';
import type { Rect } from './rect.js';
import { boundingRect, type CopyOp } from './region.js';
import { subtractRect } from './uncovered.js';

export interface MoveDetectorOptions {
  /** Fewest pixels a copy must cover (default 4096: a 64×64 tile's worth). */
  minArea?: number;
  /** Pixels of the old image scanned for anchors at most; bigger changes are scanned every 2nd, 4th, … row (default 65536). */
  maxScan?: number;
}

/** Pixels hashed into an anchor's key (a horizontal run starting at the anchor). */
const KEY_LEN = 8;
/** An anchor is a position whose pixel pair hashes to 0 in its top ANCHOR_BITS bits: 1 in 64. */
const ANCHOR_SHIFT = 32 - 6;
/** Anchors of the new image looked up at most. */
const MAX_PROBES = 256;
/** Pixels of the new image scanned for probes, about (rows are skipped to stay near it). */
const PROBE_SCAN = 16384;
/** Least number of probes agreeing on an offset for it to be checked. */
const MIN_VOTES = 3;
/** Offsets checked exactly at most, most voted first. */
const CANDIDATES = 3;
/** Rectangles grown per offset at most (from different seeds). */
const SEEDS_PER_OFFSET = 4;
/** Sides shorter than this are not worth a copy. */
const MIN_SIDE = 16;

/**
 * Finds rectangles that moved sideways (a dragged window), to be sent as
 * copies of what the viewer already shows. Vertical-only moves are left to
 * the `ScrollDetector`, which handles content scrolling inside a still frame.
 *
 * `find(cur, prev, width, height, changed)`, where `changed` are the areas
 * that differ between the two images (the changed tiles):
 *  1. anchors: positions where two neighbouring pixels differ and their pair
 *     hashes to one in 64 — defined by content alone, so moved content has
 *     its anchors at the same places relative to itself. Each anchor's key is
 *     a hash of the 8 pixels starting there;
 *  2. probes: the anchors of the new image on a few evenly spaced rows of the
 *     changed areas (where the pixel differs in place), at most 256, indexed
 *     by key;
 *  3. votes: every anchor of the old image in the changed areas (every row,
 *     or every 2nd, 4th, … row for changes over `maxScan` pixels; the probe
 *     rows are an odd step apart, so some probes meet scanned rows whatever
 *     the offset) whose key is a probe's votes for the offset between them.
 *     The source of a move lies in the changed areas too: what was there
 *     before has gone;
 *  4. the most voted offsets (at least 3 votes, up to 3, not vertical-only)
 *     are checked exactly: from a probe that voted, a rectangle of pixels
 *     equal to the old image at that offset is grown — along the probe's row,
 *     then row by row up and down, narrowing to the run around the probe
 *     while at least three quarters of the width still match — inside the
 *     changed areas' bounding box and with its source on the screen. A few
 *     probes per offset seed rectangles, so a change inside the moved
 *     window does not end the copy there; a later rectangle keeps only its
 *     part beside the earlier ones (the part holding its seed).
 *
 * Copies come in an order where none reads pixels an earlier one wrote
 * (`inOrder`); a copy may overlap its own source (CopyRect reads all of the
 * source first).
 * Everything is exact: hashes only choose candidates. Cost: a pass over the
 * old image's changed pixels (bounded by `maxScan`), a few hundred hashes,
 * and the exact comparison of the copies.
 */
export class MoveDetector {
  readonly minArea: number;
  readonly maxScan: number;
  private probeX = new Int32Array(MAX_PROBES);
  private probeY = new Int32Array(MAX_PROBES);
  /** Probe key → probe index, or -1 when two probes share the key. */
  private readonly probes = new Map<number, number>();
  /** Offset key → votes. */
  private readonly votes = new Map<number, number>();
  /** Every vote, as offset key and probe index. */
  private hitOffset: number[] = [];
  private hitProbe: number[] = [];

  constructor(options: MoveDetectorOptions = {}) {
    this.minArea = options.minArea ?? 4096;
    this.maxScan = options.maxScan ?? 65536;
    if (!Number.isInteger(this.minArea) || this.minArea < 1) throw new RangeError(`minArea must be a positive integer, got ${this.minArea}`);
    if (!Number.isInteger(this.maxScan) || this.maxScan < 1) throw new RangeError(`maxScan must be a positive integer, got ${this.maxScan}`);
  }

  /**
   * Copies from `prev` (the old image) that make `cur` (the new one) in
   * parts of `changed`'s bounding box. Both planes hold `width` × `height`
   * pixels; neither is modified.
   */
  find(cur: PixelPlane, prev: PixelPlane, width: number, height: number, changed: readonly Rect[]): CopyOp[] {
    let area = 0;
    for (const r of changed) area += r.w * r.h;
    const box = boundingRect(changed);
    if (!box || area < 2 * this.minArea || width < KEY_LEN + 1) return [];
    const count = this.collectProbes(cur, prev, width, changed, area);
    if (count < MIN_VOTES) return [];
    this.vote(prev, width, changed, area);
    this.probes.clear();

    const ranked = [...this.votes].filter(([, n]) => n >= MIN_VOTES).sort((a, b) => b[1] - a[1]);
    this.votes.clear();
    const copies: CopyOp[] = [];
    for (const [offset] of ranked.slice(0, CANDIDATES)) {
      const dx = Math.floor(offset / 65536) - 32768;
      const dy = (offset % 65536) - 32768;
      let seeds = 0;
      for (let i = 0; i < this.hitOffset.length && seeds < SEEDS_PER_OFFSET; i++) {
        if (this.hitOffset[i] !== offset) continue;
        const sx = this.probeX[this.hitProbe[i]!]!;
        const sy = this.probeY[this.hitProbe[i]!]!;
        if (copies.some((c) => contains(c.dst, sx, sy))) continue;
        seeds++;
        let dst = grow(cur, prev, width, height, box, sx, sy, dx, dy);
        // destinations do not overlap: keep the part of this one beside the earlier ones that holds the seed
        for (const c of copies) dst = dst && (subtractRect(dst, c.dst).find((r) => contains(r, sx, sy)) ?? null);
        if (!dst || dst.w < MIN_SIDE || dst.h < MIN_SIDE || dst.w * dst.h < this.minArea) continue;
        copies.push({ dst, srcX: dst.x + dx, srcY: dst.y + dy });
      }
    }
    this.hitOffset.length = 0;
    this.hitProbe.length = 0;
    return inOrder(copies);
  }

  /** Step 2: anchors of `cur` on evenly spaced rows of `changed`, where the pixel differs in place. */
  private collectProbes(cur: PixelPlane, prev: PixelPlane, width: number, changed: readonly Rect[], area: number): number {
    const probes = this.probes;
    probes.clear();
    const cp = cur.pixels;
    const pp = prev.pixels;
    const rowStep = Math.floor(area / PROBE_SCAN) | 1; // odd: meets every residue of the old image's power-of-two row step
    let count = 0;
    for (const r of changed) {
      const x0 = Math.max(r.x, 1);
      const x1 = Math.min(r.x + r.w, width - KEY_LEN + 1);
      for (let y = r.y + (rowStep - (r.y % rowStep)) % rowStep; y < r.y + r.h; y += rowStep) {
        const row = y * cur.stride;
        const prow = y * prev.stride;
        let a = cp[row + x0 - 1]!;
        for (let x = x0; x < x1; x++) {
          const b = cp[row + x]!;
          if (a !== b && Math.imul(b ^ Math.imul(a, 0x9e3779b1), 0x85ebca6b) >>> ANCHOR_SHIFT === 0 && b !== pp[prow + x]) {
            const key = keyAt(cp, row + x);
            const seen = probes.get(key);
            if (seen === undefined) {
              this.probeX[count] = x;
              this.probeY[count] = y;
              probes.set(key, count++);
              if (count === MAX_PROBES) return count;
            } else if (seen >= 0) {
              probes.set(key, -1); // repeated content: it cannot tell offsets apart
            }
          }
          a = b;
        }
      }
    }
    return count;
  }

  /** Step 3: the old image's anchors in `changed` vote for offsets from the probes with their key. */
  private vote(prev: PixelPlane, width: number, changed: readonly Rect[], area: number): void {
    const probes = this.probes;
    const votes = this.votes;
    votes.clear();
    this.hitOffset.length = 0;
    this.hitProbe.length = 0;
    const pp = prev.pixels;
    let rowStep = 1;
    while (area / rowStep > this.maxScan) rowStep *= 2;
    for (const r of changed) {
      const x0 = Math.max(r.x, 1);
      const x1 = Math.min(r.x + r.w, width - KEY_LEN + 1);
      for (let y = r.y + (rowStep - (r.y % rowStep)) % rowStep; y < r.y + r.h; y += rowStep) {
        const row = y * prev.stride;
        let a = pp[row + x0 - 1]!;
        for (let x = x0; x < x1; x++) {
          const b = pp[row + x]!;
          if (a !== b && Math.imul(b ^ Math.imul(a, 0x9e3779b1), 0x85ebca6b) >>> ANCHOR_SHIFT === 0) {
            const j = probes.get(keyAt(pp, row + x));
            if (j !== undefined && j >= 0) {
              const dx = x - this.probeX[j]!;
              const dy = y - this.probeY[j]!;
              if (dx !== 0) {
                const offset = (dx + 32768) * 65536 + (dy + 32768);
                votes.set(offset, (votes.get(offset) ?? 0) + 1);
                this.hitOffset.push(offset);
                this.hitProbe.push(j);
              }
            }
          }
          a = b;
        }
      }
    }
  }
}

/** Hash of the KEY_LEN pixels from px[i]. */
function keyAt(px: Uint32Array, i: number): number {
  let h = 0x811c9dc5 | 0;
  for (let k = 0; k < KEY_LEN; k++) h = Math.imul(h ^ px[i + k]!, 0x01000193);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) | 0;
}

/**
 * Step 4: the rectangle around (sx, sy) in `cur` that equals `prev` at
 * offset (dx, dy), inside `box` and with its source on the screen; null when
 * the seed itself does not match.
 */
function grow(cur: PixelPlane, prev: PixelPlane, width: number, height: number, box: Rect, sx: number, sy: number, dx: number, dy: number): Rect | null {
  const xmin = Math.max(box.x, -dx);
  const xmax = Math.min(box.x + box.w, width - dx);
  const ymin = Math.max(box.y, -dy);
  const ymax = Math.min(box.y + box.h, height - dy);
  if (sx < xmin || sx >= xmax || sy < ymin || sy >= ymax) return null;
  const cp = cur.pixels;
  const pp = prev.pixels;
  const cs = cur.stride;
  const ps = prev.stride;
  const same = (x: number, y: number): boolean => cp[y * cs + x] === pp[(y + dy) * ps + x + dx];
  if (!same(sx, sy)) return null;
  let l = sx;
  let r = sx + 1;
  while (l > xmin && same(l - 1, sy)) l--;
  while (r < xmax && same(r, sy)) r++;
  // One row: does it match over [l, r)? If not, narrow to the run around sx
  // when that keeps three quarters of the width; else the rectangle ends.
  const extend = (y: number): boolean => {
    if (samePixels(cur, y * cs + l, prev, (y + dy) * ps + l + dx, r - l)) return true;
    if (!same(sx, y)) return false;
    let a = sx;
    let b = sx + 1;
    while (a > l && same(a - 1, y)) a--;
    while (b < r && same(b, y)) b++;
    if ((b - a) * 4 < (r - l) * 3) return false;
    l = a;
    r = b;
    return true;
  };
  let bottom = sy + 1;
  while (bottom < ymax && extend(bottom)) bottom++;
  let top = sy;
  while (top > ymin && extend(top - 1)) top--;
  // narrowing on the way up may have left rows below that matched only wider: they still match narrower
  return { x: l, y: top, w: r - l, h: bottom - top };
}

/**
 * The copies in an order where none reads what an earlier one wrote: each
 * next one is one whose destination no copy still to come reads (so pieces
 * of one window, cut by a change inside it, go in the order the move
 * needs). Copies that cannot be placed so (each reads another's
 * destination) are left out, the smallest first; their pixels are sent.
 */
export function inOrder(copies: readonly CopyOp[]): CopyOp[] {
  const left = [...copies];
  const out: CopyOp[] = [];
  for (let guard = 0; left.length > 0 && guard < 1000; guard++) {
    const i = left.findIndex((c) => !left.some((o) => o !== c && overlaps(c.dst, sourceOf(o))));
    if (i >= 0) {
      out.push(left.splice(i, 1)[0]!);
      continue;
    }
    let smallest = 0;
    for (let k = 1; k < left.length; k++) if (left[k]!.dst.w * left[k]!.dst.h < left[smallest]!.dst.w * left[smallest]!.dst.h) smallest = k;
    left.splice(smallest, 1);
  }
  return out;
}

function sourceOf(c: CopyOp): Rect {
  return { x: c.srcX, y: c.srcY, w: c.dst.w, h: c.dst.h };
}

function contains(r: Rect, x: number, y: number): boolean {
  return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}
