import type { Frame } from './frame.js';
import type { Rect } from './rect.js';
import { clipRect, mergeRunsVertically } from './region.js';

export interface ChangeDetectorOptions {
  /** Tile edge in pixels (default 64). */
  tileSize?: number;
  /** When false, `detect` returns the hint areas unchanged (default true). */
  enabled?: boolean;
}

/** Counters from the last `detect` call (for metrics and tests). */
export interface ChangeDetectorStats {
  /** Tiles (or their parts inside hints) compared with the previous frame. */
  tilesCompared: number;
  /** Of those, tiles found changed. */
  tilesChanged: number;
  /** Pixels copied into the kept previous frame. */
  pixelsCopied: number;
  /** Rectangles returned. */
  rects: number;
}

/**
 * Finds what really changed between consecutive frames.
 *
 * It keeps its own copy of the previous frame. `detect(frame, hints)` compares,
 * tile by tile (64×64 by default), the parts of `frame` inside the hint areas
 * with that copy, updates the copy where they differ (only in changed tiles,
 * from the first different row down), and returns the changed parts merged
 * into larger rectangles: changed tiles that touch in a tile row become one
 * run, and runs spanning the same columns in consecutive tile rows become one
 * rectangle.
 *
 * A reported rectangle is a changed tile clipped to the hint areas that touched
 * it (their bounding box inside the tile), so a small exact hint gives a small
 * exact answer, and a full-screen hint gives whole tiles.
 *
 * Speed: rows are compared with native `memcmp` (Buffer#compare) across all
 * still-unchanged tiles of a tile row at once, so an unchanged 1080p frame
 * costs about a thousand native calls, and only rows that differ are looked at
 * tile by tile. A tile stops being compared at its first different pixel.
 *
 * The first call, any call after the frame size changed, and the first call
 * after `reset()` report the whole frame and copy it all: there is nothing to
 * compare with yet. The caller must have the whole frame filled by then.
 */
export class ChangeDetector {
  readonly tileSize: number;
  private enabledFlag: boolean;
  private prev: Uint32Array | null = null;
  private prevBytes: Buffer = Buffer.alloc(0);
  private width = 0;
  private height = 0;
  private cols = 0;
  // per-tile scratch, valid where tileGen[t] === gen
  private tileGen = new Uint32Array(0);
  private tileChanged = new Uint8Array(0);
  /** x1, y1, x2, y2 of the hinted part of each touched tile. */
  private tileBox = new Int32Array(0);
  /** Per tile column of the band being scanned: first row to copy (≥ band end: none). */
  private copyFrom = new Int32Array(0);
  private gen = 0;
  private touched: number[] = [];
  private lastStats: ChangeDetectorStats = { tilesCompared: 0, tilesChanged: 0, pixelsCopied: 0, rects: 0 };

  constructor(options: ChangeDetectorOptions = {}) {
    const tileSize = options.tileSize ?? 64;
    if (!Number.isInteger(tileSize) || tileSize < 1) throw new RangeError(`tileSize must be a positive integer, got ${tileSize}`);
    this.tileSize = tileSize;
    this.enabledFlag = options.enabled ?? true;
  }

  get enabled(): boolean {
    return this.enabledFlag;
  }

  /** Turning detection back on starts afresh (the kept frame is stale by then). */
  set enabled(on: boolean) {
    if (on && !this.enabledFlag) this.reset();
    this.enabledFlag = on;
    if (!on) this.reset(); // free the copy while disabled
  }

  get stats(): Readonly<ChangeDetectorStats> {
    return this.lastStats;
  }

  /** Forget the previous frame: the next `detect` reports everything. */
  reset(): void {
    this.prev = null;
    this.prevBytes = Buffer.alloc(0);
  }

  /**
   * Compare `frame` with the previous one inside `hints` (everything when
   * omitted) and return what changed.
   */
  detect(frame: Frame, hints?: readonly Rect[]): Rect[] {
    const { width, height } = frame;
    const full: Rect = { x: 0, y: 0, w: width, h: height };
    const stats: ChangeDetectorStats = { tilesCompared: 0, tilesChanged: 0, pixelsCopied: 0, rects: 0 };
    this.lastStats = stats;
    if (width === 0 || height === 0) return [];

    if (!this.enabledFlag) {
      const out: Rect[] = [];
      for (const h of hints ?? [full]) {
        const c = clipRect(h, width, height);
        if (c) out.push(c);
      }
      stats.rects = out.length;
      return out;
    }

    if (!this.prev || this.width !== width || this.height !== height) {
      const prev = this.allocate(width, height);
      copyRows(frame, prev, width, 0, width, 0, height);
      stats.pixelsCopied = width * height;
      stats.rects = 1;
      return [full];
    }

    const T = this.tileSize;
    const cols = this.cols;
    const gen = this.nextGen();
    const tileGen = this.tileGen;
    const tileChanged = this.tileChanged;
    const box = this.tileBox;
    const touched = this.touched;
    touched.length = 0;
    const prev = this.prev;
    const px = frame.pixels;
    const cur = Buffer.from(px.buffer, px.byteOffset, px.byteLength);

    for (const hint of hints ?? [full]) {
      const c = clipRect(hint, width, height);
      if (!c) continue;
      const cx2 = c.x + c.w;
      const cy2 = c.y + c.h;
      const tx0 = Math.floor(c.x / T);
      const tx1 = Math.floor((cx2 - 1) / T);
      const ty0 = Math.floor(c.y / T);
      const ty1 = Math.floor((cy2 - 1) / T);
      for (let ty = ty0; ty <= ty1; ty++) {
        const sy1 = Math.max(c.y, ty * T);
        const sy2 = Math.min(cy2, ty * T + T);
        // note the hinted part of each tile of this band
        for (let tx = tx0; tx <= tx1; tx++) {
          const sx1 = Math.max(c.x, tx * T);
          const sx2 = Math.min(cx2, tx * T + T);
          const t = ty * cols + tx;
          const b = t * 4;
          if (tileGen[t] !== gen) {
            tileGen[t] = gen;
            tileChanged[t] = 0;
            box[b] = sx1;
            box[b + 1] = sy1;
            box[b + 2] = sx2;
            box[b + 3] = sy2;
            touched.push(t);
          } else {
            if (sx1 < box[b]) box[b] = sx1;
            if (sy1 < box[b + 1]) box[b + 1] = sy1;
            if (sx2 > box[b + 2]) box[b + 2] = sx2;
            if (sy2 > box[b + 3]) box[b + 3] = sy2;
          }
        }
        this.scanBand(frame, cur, prev, c.x, cx2, sy1, sy2, tx0, tx1, ty * cols, stats);
      }
    }

    // Changed tiles in row-major order → horizontal runs → vertical merge.
    touched.sort((a, b) => a - b);
    const runs: Rect[] = [];
    let run: Rect | null = null;
    let runRow = -1;
    for (const t of touched) {
      if (!tileChanged[t]) continue;
      const b = t * 4;
      const x = box[b];
      const y = box[b + 1];
      const w = box[b + 2] - x;
      const h = box[b + 3] - y;
      const row = Math.floor(t / cols);
      if (run && row === runRow && run.y === y && run.h === h && run.x + run.w === x) {
        run.w += w;
      } else {
        run = { x, y, w, h };
        runRow = row;
        runs.push(run);
      }
    }
    // Runs come tile row by tile row; a run only joins the rectangle right
    // above it with exactly the same columns, so boxes clipped to hints (of
    // differing y/h within a tile row) merge only where their edges meet.
    const out = mergeRunsVertically(runs);
    stats.rects = out.length;
    return out;
  }

  /**
   * Compare rows y1..y2, columns x1..x2 (one hint inside one tile row) with
   * the kept frame, mark the tiles that differ, then copy their changed part.
   */
  private scanBand(frame: Frame, cur: Buffer, prev: Uint32Array, x1: number, x2: number, y1: number, y2: number, tx0: number, tx1: number, tileBase: number, stats: ChangeDetectorStats): void {
    const T = this.tileSize;
    const W = this.width;
    const stride = frame.stride;
    const changed = this.tileChanged;
    const from = this.copyFrom;
    const prevBytes = this.prevBytes;
    const px = frame.pixels;

    for (let tx = tx0; tx <= tx1; tx++) {
      if (changed[tileBase + tx]) {
        from[tx] = y1; // changed by an earlier hint: copy this part whole
      } else {
        from[tx] = y2;
        stats.tilesCompared++;
      }
    }

    for (let y = y1; y < y2; y++) {
      const rowCur = y * stride;
      const rowPrev = y * W;
      let tx = tx0;
      while (tx <= tx1) {
        if (changed[tileBase + tx]) {
          tx++;
          continue;
        }
        // a run of tiles not known to differ yet: one memcmp for all of them
        const runStart = tx;
        while (tx <= tx1 && !changed[tileBase + tx]) tx++;
        const sx = Math.max(x1, runStart * T);
        const ex = Math.min(x2, tx * T);
        if (cur.compare(prevBytes, (rowPrev + sx) * 4, (rowPrev + ex) * 4, (rowCur + sx) * 4, (rowCur + ex) * 4) === 0) continue;
        // something differs in this row: find which tiles
        for (let k = runStart; k < tx; k++) {
          const a0 = rowCur + Math.max(x1, k * T);
          const a1 = rowCur + Math.min(x2, k * T + T);
          let b = rowPrev + (a0 - rowCur);
          for (let a = a0; a < a1; a++, b++) {
            if (px[a] !== prev[b]) {
              changed[tileBase + k] = 1;
              from[k] = y;
              stats.tilesChanged++;
              break;
            }
          }
        }
      }
    }

    // Copy the changed parts, a row at a time, joining neighbouring tiles.
    for (let y = y1; y < y2; y++) {
      const rowCur = y * stride;
      const rowPrev = y * W;
      let tx = tx0;
      while (tx <= tx1) {
        if (!changed[tileBase + tx] || from[tx] > y) {
          tx++;
          continue;
        }
        const runStart = tx;
        while (tx <= tx1 && changed[tileBase + tx] && from[tx] <= y) tx++;
        const sx = Math.max(x1, runStart * T);
        const ex = Math.min(x2, tx * T);
        prev.set(px.subarray(rowCur + sx, rowCur + ex), rowPrev + sx);
        stats.pixelsCopied += ex - sx;
      }
    }
  }

  private allocate(width: number, height: number): Uint32Array {
    this.width = width;
    this.height = height;
    this.cols = Math.ceil(width / this.tileSize);
    const tiles = this.cols * Math.ceil(height / this.tileSize);
    const prev = this.prev && this.prev.length === width * height ? this.prev : new Uint32Array(width * height);
    this.prev = prev;
    this.prevBytes = Buffer.from(prev.buffer, prev.byteOffset, prev.byteLength);
    if (this.tileGen.length !== tiles) {
      this.tileGen = new Uint32Array(tiles);
      this.tileChanged = new Uint8Array(tiles);
      this.tileBox = new Int32Array(tiles * 4);
      this.gen = 0;
    }
    if (this.copyFrom.length !== this.cols) this.copyFrom = new Int32Array(this.cols);
    return prev;
  }

  private nextGen(): number {
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) {
      this.tileGen.fill(0);
      this.gen = 1;
    }
    return this.gen;
  }
}

function copyRows(frame: Frame, prev: Uint32Array, prevStride: number, x1: number, x2: number, y1: number, y2: number): void {
  const px = frame.pixels;
  const stride = frame.stride;
  if (stride === prevStride && x1 === 0 && x2 === prevStride) {
    prev.set(px.subarray(y1 * stride, y2 * stride), y1 * prevStride);
    return;
  }
  const n = x2 - x1;
  for (let y = y1; y < y2; y++) {
    const a = y * stride + x1;
    prev.set(px.subarray(a, a + n), y * prevStride + x1);
  }
}
