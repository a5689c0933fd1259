import type { Rect } from './rect.js';
import type { CopyOp } from './region.js';
import { firstDiffColumn, lastDiffColumn, samePixels, type PixelPlane } from './pixel-plane.js';
import { hashRow, oddStep } from './row-hash.js';

export { pixelPlane, type PixelPlane } from './pixel-plane.js';

export interface ScrollDetectorOptions {
  /** Shortest run of rows worth a copy (default 32). */
  minRows?: number;
  /** Narrowest changed area looked at for a scroll, in pixels (default 64). */
  minWidth?: number;
  /** Pixels hashed per row at most (default 384); wider rows are sampled at an odd step. */
  maxSamples?: number;
}

/** What `ScrollDetector.analyse` found inside one area. */
export interface ScrollAnalysis {
  /** Bounding box of the pixels that differ inside the area, or null when none do. */
  changed: Rect | null;
  /** Source minus destination row of the copies (positive: content moved up); 0 without copies. */
  dy: number;
  /**
   * Copies, from the old image to the new one, all with the same `dy` and in an
   * order where none reads rows an earlier one wrote. Each lies in `changed`.
   */
  copies: CopyOp[];
  /**
   * What the copies leave: the rows of `changed` that differ and no copy
   * covers, as strips as wide as `changed`, and, when the copies are
   * narrower than `changed`, the columns beside them on their rows.
   */
  rest: Rect[];
}

/** What a vote for an old row whose hash is unique weighs; a hash found k times gives each of its rows WEIGHT / k. */
const WEIGHT = 60;
/** Least total weight for an offset to be checked: four unique rows' votes. */
const MIN_VOTES = 4 * WEIGHT;
/** Old rows sharing a hash that still vote; hashes found more often (blank lines, rules) do not. */
const MAX_REPEATS = 12;
/** Offsets checked exactly at most, best voted first. */
const CANDIDATES = 4;
/** Differing new rows that vote at most (evenly spread; the check that follows is exact). */
const VOTERS = 256;

/**
 * Finds a vertical scroll between two images of the same area.
 *
 * `analyse(cur, prev, area)`:
 *  1. narrows the area to the bounding box of the pixels that differ (one
 *     native memcmp per row, plus a few per row to move the left and right
 *     edges), remembering which rows differ;
 *  2. hashes every old row and up to 256 evenly spread differing new rows
 *     over that box (all pixels, or evenly spread samples at an odd step for
 *     wide boxes, so power-of-two grids such as text are not aliased);
 *  3. indexes old rows by hash and lets each hashed new row vote for the
 *     offsets of the old rows with its hash. A hash found k times gives each
 *     of its offsets 1/k of a vote, and one found more than 12 times (blank
 *     lines, rules) none: repeated rows are common (text, and content
 *     scrolled back and forth, where every row may be found twice or more),
 *     but they must not outvote the rows that pin the offset down;
 *  4. checks the best offsets (up to four) row by row with memcmp over the
 *     box and keeps runs of exactly matching rows at least `minRows` long
 *     (trimmed to start and end on rows that differ in place), and takes the
 *     offset whose runs cover most differing rows;
 *  5. when the rows that break the runs differ only in a strip at the left or
 *     right edge (a scrollbar whose thumb moved, a ruler), tries again with
 *     the columns beside that strip, which is then sent with the rest.
 *
 * Everything is exact: hashes only choose candidates. Cost is linear in the
 * box (a 1920×1080 full-screen scroll takes a few ms) and scratch memory is
 * reused between calls.
 */
export class ScrollDetector {
  readonly minRows: number;
  readonly minWidth: number;
  readonly maxSamples: number;
  private rowDiff = new Uint8Array(0);
  private oldHash = new Int32Array(0);
  private votes = new Int32Array(0);
  private runs = new Int32Array(0);
  private bestRuns = new Int32Array(0);
  /** Per old row: the next old row (above it) with the same hash, or -1. */
  private sameHash = new Int32Array(0);
  /** Hash → the last old row with it (the head of its `sameHash` chain). */
  private readonly index = new Map<number, number>();

  constructor(options: ScrollDetectorOptions = {}) {
    this.minRows = options.minRows ?? 32;
    this.minWidth = options.minWidth ?? 64;
    this.maxSamples = options.maxSamples ?? 384;
    if (!Number.isInteger(this.minRows) || this.minRows < 1) throw new RangeError(`minRows must be a positive integer, got ${this.minRows}`);
    if (!Number.isInteger(this.minWidth) || this.minWidth < 1) throw new RangeError(`minWidth must be a positive integer, got ${this.minWidth}`);
    if (!Number.isInteger(this.maxSamples) || this.maxSamples < 1) throw new RangeError(`maxSamples must be a positive integer, got ${this.maxSamples}`);
  }

  /**
   * Compare `area` of `cur` (the new image) with the same area of `prev` (the
   * old one). Both planes must hold the whole area; neither is modified.
   * `hints`: offsets found in areas beside this one (a terminal's columns cut
   * apart by a column that did not change), checked exactly first, and then
   * also in a box narrower than `minWidth` (a column of line numbers).
   */
  analyse(cur: PixelPlane, prev: PixelPlane, area: Rect, hints: readonly number[] = []): ScrollAnalysis {
    const ax = area.x;
    const ay = area.y;
    const aw = area.w;
    const ah = area.h;
    const none: ScrollAnalysis = { changed: null, dy: 0, copies: [], rest: [] };
    if (aw <= 0 || ah <= 0) return none;
    this.ensure(ah);
    const diff = this.rowDiff;
    const cs = cur.stride;
    const ps = prev.stride;

    // 1. the box of differing pixels
    let lo = ax + aw; // leftmost differing column
    let hi = ax; // one past the rightmost
    let r0 = -1; // first and last differing row (relative to ay)
    let r1 = -1;
    for (let r = 0; r < ah; r++) {
      const c = (ay + r) * cs;
      const p = (ay + r) * ps;
      if (samePixels(cur, c + ax, prev, p + ax, aw)) {
        diff[r] = 0;
        continue;
      }
      diff[r] = 1;
      if (r0 < 0) r0 = r;
      r1 = r;
      if (lo > ax && !samePixels(cur, c + ax, prev, p + ax, lo - ax)) lo = firstDiffColumn(cur, prev, c, p, ax, lo);
      if (hi < ax + aw && !samePixels(cur, c + hi, prev, p + hi, ax + aw - hi)) hi = lastDiffColumn(cur, prev, c, p, hi, ax + aw) + 1;
    }
    if (r0 < 0) return none;
    const bx = lo;
    const bw = hi - lo;
    const changed: Rect = { x: bx, y: ay + r0, w: bw, h: r1 - r0 + 1 };
    const minRows = this.minRows;
    if ((bw < this.minWidth && hints.length === 0) || changed.h <= minRows) return { changed, dy: 0, copies: [], rest: this.strips(changed, ay, r0, r1, 0) };

    // 2. row hashes of all old rows over the box
    const step = oddStep(bw, this.maxSamples);
    const oldHash = this.oldHash;
    let differing = 0;
    for (let r = r0; r <= r1; r++) {
      const p = (ay + r) * ps + bx;
      oldHash[r] = hashRow(prev.pixels, p, p + bw, step);
      differing += diff[r]!;
    }

    // 3. index old rows by hash, then let enough differing new rows vote for
    // the offsets of the old rows with their hash, repeated ones with less weight
    const index = this.index;
    const sameHash = this.sameHash;
    index.clear();
    for (let r = r0; r <= r1; r++) {
      const h = oldHash[r]!;
      sameHash[r] = index.get(h) ?? -1;
      index.set(h, r);
    }
    const votes = this.votes;
    votes.fill(0, 0, 2 * ah);
    const voteStep = oddStep(differing, VOTERS);
    for (let r = r0, n = 0; r <= r1; r++) {
      if (!diff[r] || n++ % voteStep !== 0) continue;
      const c = (ay + r) * cs + bx;
      const head = index.get(hashRow(cur.pixels, c, c + bw, step));
      if (head === undefined) continue;
      let k = 0; // old rows with this hash, counted up to one too many
      for (let o = head; o >= 0 && k <= MAX_REPEATS; o = sameHash[o]!) k++;
      if (k > MAX_REPEATS) continue;
      const w = (WEIGHT / k) | 0;
      for (let o = head; o >= 0; o = sameHash[o]!) if (o !== r) votes[o - r + ah]! += w;
    }
    index.clear();

    // 4. check the offsets found beside this area, then the best voted ones, exactly
    const tried: number[] = [];
    let bestDy = 0;
    let bestScore = 0;
    let bestCount = 0;
    const check = (d: number): void => {
      tried.push(d);
      const { score, count } = this.matchRuns(cur, prev, bx, bw, ay, r0, r1, d);
      if (score <= bestScore) return;
      bestScore = score;
      bestDy = d;
      bestCount = count;
      const t = this.bestRuns;
      this.bestRuns = this.runs;
      this.runs = t;
    };
    for (const d of hints) if (d !== 0 && Math.abs(d) < ah && !tried.includes(d)) check(d);
    // (until one covers nine tenths of the differing rows: good enough)
    for (let k = 0; k < CANDIDATES && bestScore * 10 < differing * 9; k++) {
      let d = 0;
      let v = MIN_VOTES - 1;
      for (let i = 0; i < 2 * ah; i++) {
        if (votes[i]! > v && i !== ah && !tried.includes(i - ah)) {
          v = votes[i]!;
          d = i - ah;
        }
      }
      if (d === 0) break;
      check(d);
    }

    // 5. content scrolling beside a strip that does not (a scrollbar, a ruler)
    // breaks every row; then copy only the columns beside that strip
    let cx = bx;
    let cw = bw;
    if (bestScore * 10 < differing * 9 && tried.length > 0) {
      const d = bestScore > 0 ? bestDy : tried[0]!;
      const beside = this.besideMismatches(cur, prev, bx, bw, ay, r0, r1, d);
      if (beside) {
        const { score, count } = this.matchRuns(cur, prev, beside.x, beside.w, ay, r0, r1, d);
        if (score > bestScore) {
          bestScore = score;
          bestDy = d;
          bestCount = count;
          cx = beside.x;
          cw = beside.w;
          const t = this.bestRuns;
          this.bestRuns = this.runs;
          this.runs = t;
        }
      }
    }
    if (bestScore === 0) return { changed, dy: 0, copies: [], rest: this.strips(changed, ay, r0, r1, 0) };

    const runs = this.bestRuns;
    const copies: CopyOp[] = [];
    const rest = this.strips(changed, ay, r0, r1, bestCount);
    // the columns left out of the copies, on the rows they cover
    const sx = cx > bx ? bx : cx + cw;
    const sw = bw - cw;
    for (let i = 0; i < bestCount; i++) {
      const y = ay + runs[2 * i]!;
      const h = runs[2 * i + 1]! - runs[2 * i]!;
      copies.push({ dst: { x: cx, y, w: cw, h }, srcX: cx, srcY: y + bestDy });
      if (sw > 0) rest.push({ x: sx, y, w: sw, h });
    }
    if (sw > 0) rest.sort((a, b) => a.y - b.y || a.x - b.x);
    // Moving up (src below dst): top first; moving down: bottom first. Then no
    // copy reads rows that an earlier one wrote.
    if (bestDy < 0) copies.reverse();
    return { changed, dy: bestDy, copies, rest };
  }

  /**
   * For offset d: when the rows that do not match (new row r against old row
   * r + d over the box) all differ only within a strip at the left or right
   * of the box, the columns beside that strip (at least half the box and
   * `minWidth` wide); else null.
   */
  private besideMismatches(cur: PixelPlane, prev: PixelPlane, bx: number, bw: number, ay: number, r0: number, r1: number, d: number): { x: number; w: number } | null {
    const cs = cur.stride;
    const ps = prev.stride;
    const minW = Math.max(this.minWidth, Math.ceil(bw / 2));
    const end = bx + bw;
    let cutL = end; // copy [bx, cutL) …
    let cutR = bx - 1; // … or (cutR, end)
    const from = Math.max(r0, r0 - d);
    const to = Math.min(r1, r1 - d);
    for (let r = from; r <= to; r++) {
      const c = (ay + r) * cs;
      const p = (ay + r + d) * ps;
      if (samePixels(cur, c + bx, prev, p + bx, bw)) continue;
      const leftOk = cutL - bx >= minW;
      const rightOk = end - cutR - 1 >= minW;
      if (!leftOk && !rightOk) return null;
      if (leftOk) cutL = firstDiffColumn(cur, prev, c, p, bx, cutL);
      if (rightOk) cutR = lastDiffColumn(cur, prev, c, p, cutR + 1, end);
    }
    const left = cutL - bx;
    const right = end - cutR - 1;
    if (left >= minW && left >= right) return left >= bw ? null : { x: bx, w: left };
    if (right >= minW) return right >= bw ? null : { x: cutR + 1, w: right };
    return null;
  }

  /**
   * Runs of rows r (r0 ≤ r, r + d ≤ r1) whose new row equals old row r + d
   * over the box, trimmed to differing rows, at least minRows long, into
   * `this.runs` as [start, end) pairs. Score: differing rows covered.
   */
  private matchRuns(cur: PixelPlane, prev: PixelPlane, bx: number, bw: number, ay: number, r0: number, r1: number, d: number): { score: number; count: number } {
    const diff = this.rowDiff;
    const runs = this.runs;
    const cs = cur.stride;
    const ps = prev.stride;
    const from = Math.max(r0, r0 - d);
    const to = Math.min(r1, r1 - d); // inclusive
    let count = 0;
    let score = 0;
    let start = -1;
    for (let r = from; r <= to + 1; r++) {
      const ok = r <= to && samePixels(cur, (ay + r) * cs + bx, prev, (ay + r + d) * ps + bx, bw);
      if (ok) {
        if (start < 0) start = r;
        continue;
      }
      if (start < 0) continue;
      // trim the run [start, r) to rows that differ in place
      let a = start;
      let b = r;
      start = -1;
      while (a < b && !diff[a]) a++;
      while (b > a && !diff[b - 1]) b--;
      if (b - a < this.minRows) continue;
      runs[2 * count] = a;
      runs[2 * count + 1] = b;
      count++;
      for (let i = a; i < b; i++) score += diff[i]!;
    }
    return { score, count };
  }

  /** Strips of differing rows in r0..r1 that none of the first `count` best runs covers. */
  private strips(changed: Rect, ay: number, r0: number, r1: number, count: number): Rect[] {
    const diff = this.rowDiff;
    const runs = this.bestRuns;
    const out: Rect[] = [];
    let k = 0;
    let start = -1;
    for (let r = r0; r <= r1 + 1; r++) {
      while (k < count && runs[2 * k + 1]! <= r) k++;
      const covered = k < count && runs[2 * k]! <= r;
      const want = r <= r1 && diff[r] === 1 && !covered;
      if (want) {
        if (start < 0) start = r;
      } else if (start >= 0) {
        out.push({ x: changed.x, y: ay + start, w: changed.w, h: r - start });
        start = -1;
      }
    }
    return out;
  }

  private ensure(rows: number): void {
    if (this.rowDiff.length >= rows) return;
    this.rowDiff = new Uint8Array(rows);
    this.oldHash = new Int32Array(rows);
    this.votes = new Int32Array(2 * rows);
    this.runs = new Int32Array(rows + 2);
    this.bestRuns = new Int32Array(rows + 2);
    this.sameHash = new Int32Array(rows);
  }
}
