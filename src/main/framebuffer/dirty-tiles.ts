import type { Rect } from './rect.js';

export const TILE = 64;

/**
 * A client's pending region as one bounding box per 64×64 tile. Marking only
 * grows boxes, so however long a client falls behind, its pending state stays
 * this size (coalescing for free), an update sends each changed area once,
 * and a small change (a blinking caret) costs its own box, not a whole tile.
 */
export class DirtyTiles {
  private cols = 0;
  private rows = 0;
  /** Per tile: x0, y0, x1, y1 in frame coordinates; x1 === 0 means clean. */
  private boxes = new Int32Array(0);
  private count = 0;

  constructor(
    private width: number,
    private height: number,
  ) {
    this.resize(width, height);
  }

  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.cols = Math.ceil(width / TILE);
    this.rows = Math.ceil(height / TILE);
    this.boxes = new Int32Array(this.cols * this.rows * 4);
    this.count = 0;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  markAll(): void {
    this.mark({ x: 0, y: 0, w: this.width, h: this.height });
  }

  mark(r: Rect): void {
    const x0 = Math.max(0, r.x);
    const y0 = Math.max(0, r.y);
    const x1 = Math.min(this.width, r.x + r.w);
    const y1 = Math.min(this.height, r.y + r.h);
    if (x1 <= x0 || y1 <= y0) return;
    const b = this.boxes;
    for (let row = Math.floor(y0 / TILE); row * TILE < y1; row++) {
      const ty0 = Math.max(y0, row * TILE);
      const ty1 = Math.min(y1, (row + 1) * TILE);
      for (let col = Math.floor(x0 / TILE); col * TILE < x1; col++) {
        const tx0 = Math.max(x0, col * TILE);
        const tx1 = Math.min(x1, (col + 1) * TILE);
        const i = (row * this.cols + col) * 4;
        if (b[i + 2] === 0) {
          b[i] = tx0;
          b[i + 1] = ty0;
          b[i + 2] = tx1;
          b[i + 3] = ty1;
          this.count++;
        } else {
          if (tx0 < b[i]!) b[i] = tx0;
          if (ty0 < b[i + 1]!) b[i + 1] = ty0;
          if (tx1 > b[i + 2]!) b[i + 2] = tx1;
          if (ty1 > b[i + 3]!) b[i + 3] = ty1;
        }
      }
    }
  }

  /** The pending boxes that overlap `r`, clipped to it (one a tile at most; boxes bound what is pending, so they may cover more). */
  overlapping(r: Rect): Rect[] {
    const out: Rect[] = [];
    if (this.count === 0) return out;
    const b = this.boxes;
    for (let row = Math.max(0, Math.floor(r.y / TILE)); row < this.rows && row * TILE < r.y + r.h; row++) {
      for (let col = Math.max(0, Math.floor(r.x / TILE)); col < this.cols && col * TILE < r.x + r.w; col++) {
        const i = (row * this.cols + col) * 4;
        if (b[i + 2] === 0) continue;
        const x0 = Math.max(b[i]!, r.x);
        const y0 = Math.max(b[i + 1]!, r.y);
        const x1 = Math.min(b[i + 2]!, r.x + r.w);
        const y1 = Math.min(b[i + 3]!, r.y + r.h);
        if (x1 > x0 && y1 > y0) out.push({ x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
      }
    }
    return out;
  }

  /**
   * Take the dirty areas that intersect `within`, clipped to it, and clear the
   * tiles taken. Boxes that meet edge to edge with the same height are merged
   * along a tile row, then runs with the same x-extent are merged downwards, so
   * a full-screen change comes out as one rectangle.
   */
  take(within: Rect): Rect[] {
    const wx0 = Math.max(0, within.x);
    const wy0 = Math.max(0, within.y);
    const wx1 = Math.min(this.width, within.x + within.w);
    const wy1 = Math.min(this.height, within.y + within.h);
    if (wx1 <= wx0 || wy1 <= wy0 || this.count === 0) return [];
    const b = this.boxes;
    const out: Rect[] = [];
    let open: Rect[] = []; // rectangles that may still grow downwards
    for (let row = Math.floor(wy0 / TILE); row * TILE < wy1; row++) {
      const runs: Rect[] = [];
      let cur: Rect | null = null;
      for (let col = Math.floor(wx0 / TILE); col * TILE < wx1; col++) {
        const i = (row * this.cols + col) * 4;
        if (b[i + 2] === 0) {
          cur = null;
          continue;
        }
        const x0 = Math.max(b[i]!, wx0);
        const y0 = Math.max(b[i + 1]!, wy0);
        const x1 = Math.min(b[i + 2]!, wx1);
        const y1 = Math.min(b[i + 3]!, wy1);
        b[i] = b[i + 1] = b[i + 2] = b[i + 3] = 0;
        this.count--;
        if (x1 <= x0 || y1 <= y0) {
          cur = null;
          continue;
        }
        if (cur && cur.x + cur.w === x0 && cur.y === y0 && cur.y + cur.h === y1) {
          cur.w = x1 - cur.x;
        } else {
          cur = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
          runs.push(cur);
        }
      }
      const next: Rect[] = [];
      for (const run of runs) {
        const above = open.find((o) => o.x === run.x && o.w === run.w && o.y + o.h === run.y);
        if (above) {
          above.h += run.h;
          next.push(above);
        } else {
          out.push(run);
          next.push(run);
        }
      }
      open = next;
    }
    return out;
  }
}
