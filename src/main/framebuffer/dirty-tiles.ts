import type { Rect } from './rect.js';

export const TILE = 64;

/**
 * A client's pending region as one bit per 64×64 tile. Marking is idempotent,
 * so however long a client falls behind, its pending state stays this size
 * (coalescing for free) and an update sends each changed tile once.
 */
export class DirtyTiles {
  private cols = 0;
  private rows = 0;
  private bits = new Uint8Array(0);
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
    this.bits = new Uint8Array(this.cols * this.rows);
    this.count = 0;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  markAll(): void {
    this.bits.fill(1);
    this.count = this.bits.length;
  }

  mark(r: Rect): void {
    const c0 = Math.max(0, Math.floor(r.x / TILE));
    const r0 = Math.max(0, Math.floor(r.y / TILE));
    const c1 = Math.min(this.cols, Math.ceil((r.x + r.w) / TILE));
    const r1 = Math.min(this.rows, Math.ceil((r.y + r.h) / TILE));
    for (let row = r0; row < r1; row++) {
      for (let col = c0; col < c1; col++) {
        const i = row * this.cols + col;
        if (!this.bits[i]) {
          this.bits[i] = 1;
          this.count++;
        }
      }
    }
  }

  /**
   * Take the dirty tiles that intersect `within` as rectangles clipped to it,
   * clearing them. Runs of tiles in a row are merged, then rows with the same
   * runs are merged downwards, so a full-screen change is one rectangle.
   */
  take(within: Rect): Rect[] {
    const c0 = Math.max(0, Math.floor(within.x / TILE));
    const r0 = Math.max(0, Math.floor(within.y / TILE));
    const c1 = Math.min(this.cols, Math.ceil((within.x + within.w) / TILE));
    const r1 = Math.min(this.rows, Math.ceil((within.y + within.h) / TILE));
    const out: Rect[] = [];
    let open: Array<{ c: number; e: number; rect: Rect }> = [];
    for (let row = r0; row < r1; row++) {
      const runs: Array<{ c: number; e: number }> = [];
      let col = c0;
      while (col < c1) {
        if (!this.bits[row * this.cols + col]) {
          col++;
          continue;
        }
        const start = col;
        while (col < c1 && this.bits[row * this.cols + col]) {
          this.bits[row * this.cols + col] = 0;
          this.count--;
          col++;
        }
        runs.push({ c: start, e: col });
      }
      const next: typeof open = [];
      for (const run of runs) {
        const prev = open.find((o) => o.c === run.c && o.e === run.e);
        if (prev) {
          prev.rect.h += TILE;
          next.push(prev);
        } else {
          const rect = { x: run.c * TILE, y: row * TILE, w: (run.e - run.c) * TILE, h: TILE };
          out.push(rect);
          next.push({ ...run, rect });
        }
      }
      open = next;
    }
    const clipped: Rect[] = [];
    for (const r of out) {
      const x = Math.max(r.x, within.x, 0);
      const y = Math.max(r.y, within.y, 0);
      const x2 = Math.min(r.x + r.w, within.x + within.w, this.width);
      const y2 = Math.min(r.y + r.h, within.y + within.h, this.height);
      if (x2 > x && y2 > y) clipped.push({ x, y, w: x2 - x, h: y2 - y });
    }
    return clipped;
  }
}
