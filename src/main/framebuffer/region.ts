import type { Rect } from './rect.js';

/**
 * A rectangle the viewer can take from elsewhere on its own screen: `dst` gets
 * the pixels of the same-sized rectangle at (srcX, srcY) (an RFB CopyRect).
 */
export interface CopyOp {
  dst: Rect;
  srcX: number;
  srcY: number;
}

/** `r` clipped to the box (0,0)–(width,height), or null when nothing is left. */
export function clipRect(r: Rect, width: number, height: number): Rect | null {
  const x = Math.max(0, r.x);
  const y = Math.max(0, r.y);
  const x2 = Math.min(width, r.x + r.w);
  const y2 = Math.min(height, r.y + r.h);
  return x2 > x && y2 > y ? { x, y, w: x2 - x, h: y2 - y } : null;
}

/** Clip every rectangle, dropping the empty ones. */
export function clipRects(rects: readonly Rect[], width: number, height: number): Rect[] {
  const out: Rect[] = [];
  for (const r of rects) {
    const c = clipRect(r, width, height);
    if (c) out.push(c);
  }
  return out;
}

/** Smallest rectangle holding all of `rects`, or null for none. */
export function boundingRect(rects: readonly Rect[]): Rect | null {
  if (rects.length === 0) return null;
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const r of rects) {
    if (r.x < x1) x1 = r.x;
    if (r.y < y1) y1 = r.y;
    if (r.x + r.w > x2) x2 = r.x + r.w;
    if (r.y + r.h > y2) y2 = r.y + r.h;
  }
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}

/**
 * Merge horizontal runs into taller rectangles: a run joins the rectangle that
 * ends right above it when both span exactly the same columns.
 *
 * `runs` must come in ascending `y` order, and runs that share a `y` must have
 * the same height (which is what scanning a grid row by row produces). The
 * result keeps top-to-bottom, left-to-right order of first appearance.
 */
export function mergeRunsVertically(runs: readonly Rect[]): Rect[] {
  const out: Rect[] = [];
  // x,w of a rectangle that is still open (its bottom edge is the last row seen)
  const open = new Map<number, Rect>();
  for (const run of runs) {
    const key = run.x * 65536 + run.w;
    const above = open.get(key);
    if (above && above.y + above.h === run.y) {
      above.h += run.h;
    } else {
      const r = { x: run.x, y: run.y, w: run.w, h: run.h };
      out.push(r);
      open.set(key, r);
    }
  }
  return out;
}

/**
 * A coarse dirty-area accumulator: a grid of `cell`×`cell` cells over a
 * width×height surface. Adding a rectangle marks the cells it touches;
 * `take()` returns the marked cells as a few merged rectangles (clipped to the
 * surface) and clears the grid. Memory and the cost of `take()` are bounded by
 * the number of cells, however many rectangles were added.
 */
export class DirtyGrid {
  private cols = 0;
  private rows = 0;
  private marks = new Uint8Array(0);
  private count = 0;
  private widthPx = 0;
  private heightPx = 0;

  constructor(
    width: number,
    height: number,
    readonly cell = 16,
  ) {
    if (!(cell >= 1)) throw new RangeError(`cell size must be at least 1, got ${cell}`);
    this.resize(width, height);
  }

  get width(): number {
    return this.widthPx;
  }

  get height(): number {
    return this.heightPx;
  }

  /** Change the surface size; clears all marks. */
  resize(width: number, height: number): void {
    this.widthPx = Math.max(0, width | 0);
    this.heightPx = Math.max(0, height | 0);
    this.cols = Math.ceil(this.widthPx / this.cell);
    this.rows = Math.ceil(this.heightPx / this.cell);
    this.marks = new Uint8Array(this.cols * this.rows);
    this.count = 0;
  }

  isEmpty(): boolean {
    return this.count === 0;
  }

  /** Mark the cells `r` touches (the part inside the surface). */
  add(r: Rect): void {
    const c = clipRect(r, this.widthPx, this.heightPx);
    if (!c) return;
    const cell = this.cell;
    const cx0 = Math.floor(c.x / cell);
    const cx1 = Math.floor((c.x + c.w - 1) / cell);
    const cy0 = Math.floor(c.y / cell);
    const cy1 = Math.floor((c.y + c.h - 1) / cell);
    const marks = this.marks;
    for (let cy = cy0; cy <= cy1; cy++) {
      const base = cy * this.cols;
      for (let cx = cx0; cx <= cx1; cx++) {
        if (marks[base + cx] === 0) {
          marks[base + cx] = 1;
          this.count++;
        }
      }
    }
  }

  /** Mark everything. */
  addAll(): void {
    this.marks.fill(1);
    this.count = this.marks.length;
  }

  /** The marked area as merged rectangles; clears the grid. */
  take(): Rect[] {
    if (this.count === 0) return [];
    const { cols, rows, cell, marks } = this;
    if (this.count === marks.length) {
      marks.fill(0);
      this.count = 0;
      return [{ x: 0, y: 0, w: this.widthPx, h: this.heightPx }];
    }
    const runs: Rect[] = [];
    for (let cy = 0; cy < rows; cy++) {
      const base = cy * cols;
      const y = cy * cell;
      const h = Math.min(cell, this.heightPx - y);
      let cx = 0;
      while (cx < cols) {
        if (marks[base + cx] === 0) {
          cx++;
          continue;
        }
        const start = cx;
        while (cx < cols && marks[base + cx] !== 0) cx++;
        const x = start * cell;
        runs.push({ x, y, w: Math.min(cx * cell, this.widthPx) - x, h });
      }
    }
    marks.fill(0);
    this.count = 0;
    return mergeRunsVertically(runs);
  }
}
