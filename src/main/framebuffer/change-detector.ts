import type { Frame } from './frame.js';
import type { Rect } from './rect.js';
import { clipRect, mergeRunsVertically, type CopyOp } from './region.js';
import { ScrollDetector, pixelPlane, type PixelPlane, type ScrollAnalysis, type ScrollDetectorOptions } from './scroll-detector.js';

export type { CopyOp } from './region.js';

/** What `detectWithCopies` found: copies to apply first (in order), then areas to send. */
export interface ChangesWithCopies {
  copies: CopyOp[];
  changed: Rect[];
}

export interface ChangeDetectorOptions {
  /** Tile edge in pixels (default 64). */
  tileSize?: number;
  /** When false, `detect` returns the hint areas unchanged (default true). */
  enabled?: boolean;
  /** Tuning of the scroll search done by `detectWithCopies`. */
  scroll?: ScrollDetectorOptions;
}

/** Counters from the last `detect` call (for metrics and tests). */
export interface ChangeDetectorStats {
  /** Tiles (or their parts inside hints) compared with the previous frame. */
  tilesCompared: number;
  /** Of those, tiles found changed. */
  tilesChanged: number;
  /** Pixels copied into the kept previous frame. */
  pixelsCopied: number;
  /** Rectangles returned (not counting copies). */
  rects: number;
  /** Copies returned (`detectWithCopies` only). */
  copies: number;
  /** Areas searched for a scroll (`detectWithCopies` only). */
  scrollAreas: number;
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
 *
 * `detectWithCopies` does the same and also finds vertically scrolled
 * content (see `ScrollDetector`), returned as copies the viewer can make from
 * what it already shows. The copies are only valid for a viewer that shows
 * exactly the kept frame, i.e. one that received everything reported so far.
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
  private lastStats: ChangeDetectorStats = emptyStats();
  private readonly scroll: ScrollDetector;
  // XY-cut scratch: which tile rows / columns of a range hold a changed tile
  private rowHas = new Uint8Array(0);
  private colHas = new Uint8Array(0);

  constructor(options: ChangeDetectorOptions = {}) {
    const tileSize = options.tileSize ?? 64;
    if (!Number.isInteger(tileSize) || tileSize < 1) throw new RangeError(`tileSize must be a positive integer, got ${tileSize}`);
    this.tileSize = tileSize;
    this.enabledFlag = options.enabled ?? true;
    this.scroll = new ScrollDetector(options.scroll);
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
    const stats: ChangeDetectorStats = emptyStats();
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

    const out = this.compareTiles(frame, this.prev, hints ?? [full], true, stats);
    stats.rects = out.length;
    return out;
  }

  /**
   * Like `detect`, and also looks for vertically scrolled content, to be sent
   * as copies of what the viewer already shows.
   *
   * Applying `copies` in order to the previous frame (each reads only pixels
   * no earlier copy wrote), then painting `changed` from `frame`, gives
   * `frame` everywhere inside the hints. The kept frame is updated as by
   * `detect`.
   *
   * How: the changed tiles are found as by `detect` (without updating the kept
   * frame yet), cut into separate areas along tile rows and columns without
   * changes (a recursive XY cut), and each area at least `scroll.minWidth`
   * wide and taller than `scroll.minRows` goes to the `ScrollDetector`. Where
   * it finds a scroll, that area's tiles are replaced by its copies plus
   * strips of the differing rows they leave; elsewhere the tiles stay. Areas
   * are disjoint and copies never reach outside their area, so copies of
   * different areas cannot interfere.
   */
  detectWithCopies(frame: Frame, hints?: readonly Rect[]): ChangesWithCopies {
    const { width, height } = frame;
    if (width === 0 || height === 0 || !this.enabledFlag || !this.prev || this.width !== width || this.height !== height) {
      return { copies: [], changed: this.detect(frame, hints) };
    }
    const stats: ChangeDetectorStats = emptyStats();
    this.lastStats = stats;
    const full: Rect = { x: 0, y: 0, w: width, h: height };
    const prev = this.prev;
    const tiles = this.compareTiles(frame, prev, hints ?? [full], false, stats);
    const W = this.width;
    const copies: CopyOp[] = [];
    const changed: Rect[] = [];
    const done: Array<{ area: Rect; found: ScrollAnalysis }> = [];
    if (tiles.length > 0) {
      const cur = pixelPlane(frame.pixels, frame.stride);
      const old: PixelPlane = { pixels: prev, stride: W, bytes: this.prevBytes };
      for (const area of this.scrollAreas()) {
        stats.scrollAreas++;
        const found = this.scroll.analyse(cur, old, area);
        if (found.copies.length > 0) done.push({ area, found });
      }
    }
    // Read everything from the kept frame before writing any of it.
    for (const r of tiles) {
      if (done.some((d) => inside(r, d.area))) continue;
      changed.push(r);
      copyRows(frame, prev, W, r.x, r.x + r.w, r.y, r.y + r.h);
      stats.pixelsCopied += r.w * r.h;
    }
    for (const { found } of done) {
      for (const c of found.copies) {
        copies.push(c);
        copyRows(frame, prev, W, c.dst.x, c.dst.x + c.dst.w, c.dst.y, c.dst.y + c.dst.h);
        stats.pixelsCopied += c.dst.w * c.dst.h;
      }
      for (const r of found.rest) {
        changed.push(r);
        copyRows(frame, prev, W, r.x, r.x + r.w, r.y, r.y + r.h);
        stats.pixelsCopied += r.w * r.h;
      }
    }
    stats.rects = changed.length;
    stats.copies = copies.length;
    return { copies, changed };
  }

  /**
   * Compare the hinted parts of `frame` with the kept frame tile by tile and
   * return the changed tiles' hinted parts merged; with `copy`, also update
   * the kept frame there. Tile marks stay valid (for `scrollAreas`) until the
   * next call.
   */
  private compareTiles(frame: Frame, prev: Uint32Array, hints: readonly Rect[], copy: boolean, stats: ChangeDetectorStats): Rect[] {
    const { width, height } = frame;
    const T = this.tileSize;
    const cols = this.cols;
    const gen = this.nextGen();
    const tileGen = this.tileGen;
    const tileChanged = this.tileChanged;
    const box = this.tileBox;
    const touched = this.touched;
    touched.length = 0;
    const px = frame.pixels;
    const cur = Buffer.from(px.buffer, px.byteOffset, px.byteLength);

    for (const hint of hints) {
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
        this.scanBand(frame, cur, prev, c.x, cx2, sy1, sy2, tx0, tx1, ty * cols, copy, stats);
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
    return mergeRunsVertically(runs);
  }

  /**
   * The changed tiles of the last compare, cut into areas along tile rows and
   * columns without changes, as the bounding boxes of their hinted parts.
   * Areas too small for a scroll are left out, and only the largest
   * `MAX_SCROLL_AREAS` are kept.
   */
  private scrollAreas(): Rect[] {
    const T = this.tileSize;
    const cols = this.cols;
    const rows = Math.ceil(this.height / T);
    const gen = this.gen;
    const tileGen = this.tileGen;
    const tileChanged = this.tileChanged;
    const box = this.tileBox;
    const minW = this.scroll.minWidth;
    const minH = this.scroll.minRows + 1;
    if (this.rowHas.length !== rows) this.rowHas = new Uint8Array(rows);
    if (this.colHas.length !== cols) this.colHas = new Uint8Array(cols);
    const rowHas = this.rowHas;
    const colHas = this.colHas;
    const out: Rect[] = [];
    // ranges of tiles [c0, c1) × [r0, r1) still to cut
    const stack: number[] = [0, 0, cols, rows];
    for (let guard = 0; stack.length > 0 && guard < 4096; guard++) {
      const r1 = stack.pop()!;
      const c1 = stack.pop()!;
      const r0 = stack.pop()!;
      const c0 = stack.pop()!;
      if ((c1 - c0) * T < minW || (r1 - r0) * T < minH) continue; // too small for a scroll
      rowHas.fill(0, r0, r1);
      colHas.fill(0, c0, c1);
      let any = false;
      for (let ty = r0; ty < r1; ty++) {
        const base = ty * cols;
        for (let tx = c0; tx < c1; tx++) {
          const t = base + tx;
          if (tileGen[t] === gen && tileChanged[t]) {
            rowHas[ty] = 1;
            colHas[tx] = 1;
            any = true;
          }
        }
      }
      if (!any) continue;
      if (pushRuns(rowHas, r0, r1, (a, b) => stack.push(c0, a, c1, b))) continue;
      if (pushRuns(colHas, c0, c1, (a, b) => stack.push(a, r0, b, r1))) continue;
      // a leaf: every tile row and column holds a change
      let x1 = Infinity;
      let y1 = Infinity;
      let x2 = -Infinity;
      let y2 = -Infinity;
      for (let ty = r0; ty < r1; ty++) {
        for (let tx = c0; tx < c1; tx++) {
          const t = ty * cols + tx;
          if (tileGen[t] !== gen || !tileChanged[t]) continue;
          const b = t * 4;
          if (box[b]! < x1) x1 = box[b]!;
          if (box[b + 1]! < y1) y1 = box[b + 1]!;
          if (box[b + 2]! > x2) x2 = box[b + 2]!;
          if (box[b + 3]! > y2) y2 = box[b + 3]!;
        }
      }
      if (x2 - x1 >= minW && y2 - y1 >= minH) out.push({ x: x1, y: y1, w: x2 - x1, h: y2 - y1 });
    }
    // many small separate changes: look at the largest few only (bounds the cost)
    if (out.length > MAX_SCROLL_AREAS) {
      out.sort((a, b) => b.w * b.h - a.w * a.h);
      out.length = MAX_SCROLL_AREAS;
    }
    return out;
  }

  /**
   * Compare rows y1..y2, columns x1..x2 (one hint inside one tile row) with
   * the kept frame, mark the tiles that differ, then copy their changed part.
   */
  private scanBand(frame: Frame, cur: Buffer, prev: Uint32Array, x1: number, x2: number, y1: number, y2: number, tx0: number, tx1: number, tileBase: number, copy: boolean, stats: ChangeDetectorStats): void {
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

    if (!copy) return;
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

/** Most areas `detectWithCopies` searches for a scroll in one call. */
const MAX_SCROLL_AREAS = 16;

function emptyStats(): ChangeDetectorStats {
  return { tilesCompared: 0, tilesChanged: 0, pixelsCopied: 0, rects: 0, copies: 0, scrollAreas: 0 };
}

/** Whether `r` lies within `a`. */
function inside(r: Rect, a: Rect): boolean {
  return r.x >= a.x && r.y >= a.y && r.x + r.w <= a.x + a.w && r.y + r.h <= a.y + a.h;
}

/**
 * Call `push(a, b)` for each maximal run [a, b) of set marks in [i0, i1) when
 * there are unset marks inside the span of the set ones (or around them);
 * return whether it did, i.e. whether the range can be cut or trimmed.
 */
function pushRuns(marks: Uint8Array, i0: number, i1: number, push: (a: number, b: number) => void): boolean {
  let first = i0;
  while (first < i1 && !marks[first]) first++;
  let last = i1;
  while (last > first && !marks[last - 1]) last--;
  let gap = first > i0 || last < i1;
  for (let i = first; i < last && !gap; i++) if (!marks[i]) gap = true;
  if (!gap) return false;
  let i = first;
  while (i < last) {
    while (i < last && !marks[i]) i++;
    const a = i;
    while (i < last && marks[i]) i++;
    if (i > a) push(a, i);
  }
  return true;
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
