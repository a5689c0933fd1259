import type { ChangeDetectorStats } from './change-stats.js';
import type { Frame } from './frame.js';
import type { PixelPlane } from './pixel-plane.js';
import type { Rect } from './rect.js';
import { clipRect, mergeRunsVertically } from './region.js';
import type { ChangedTiles } from './scroll-area-finder.js';

/**
 * Compares the hinted parts of a frame with the kept previous frame, tile by
 * tile, and merges the changed tiles' hinted parts into rectangles: changed
 * tiles that touch in a tile row become one run, and runs spanning the same
 * columns in consecutive tile rows become one rectangle. A tile's part is
 * the bounding box, inside the tile, of the hints that touched it.
 *
 * Speed: rows are compared with native `memcmp` (Buffer#compare) across all
 * still-unchanged tiles of a tile row at once, so an unchanged 1080p frame
 * costs about a thousand native calls, and only rows that differ are looked at
 * tile by tile. A tile stops being compared at its first different pixel, and
 * only changed tiles are copied into the kept frame, from their first
 * different row down.
 *
 * Its marks of which tiles changed last time are what the scroll search
 * cuts into areas (`ChangedTiles`).
 */
export class TileComparer implements ChangedTiles {
  readonly tileSize: number;
  private tileCols = 0;
  private tileRows = 0;
  // per-tile scratch, valid where tileGen[t] === gen
  private tileGen = new Uint32Array(0);
  private tileChanged = new Uint8Array(0);
  /** x1, y1, x2, y2 of the hinted part of each touched tile. */
  private tileBox = new Int32Array(0);
  /** Per tile column of the band being scanned: first row to copy (≥ band end: none). */
  private copyFrom = new Int32Array(0);
  private gen = 0;
  private touched: number[] = [];

  constructor(tileSize: number) {
    this.tileSize = tileSize;
  }

  /** Size the scratch for frames of `width` × `height` (kept when the tile count stays). */
  resize(width: number, height: number): void {
    this.tileCols = Math.ceil(width / this.tileSize);
    this.tileRows = Math.ceil(height / this.tileSize);
    const tiles = this.tileCols * this.tileRows;
    if (this.tileGen.length !== tiles) {
      this.tileGen = new Uint32Array(tiles);
      this.tileChanged = new Uint8Array(tiles);
      this.tileBox = new Int32Array(tiles * 4);
      this.gen = 0;
    }
    if (this.copyFrom.length !== this.tileCols) this.copyFrom = new Int32Array(this.tileCols);
  }

  get cols(): number {
    return this.tileCols;
  }

  get rows(): number {
    return this.tileRows;
  }

  get box(): Int32Array {
    return this.tileBox;
  }

  isChanged(tile: number): boolean {
    return this.tileGen[tile] === this.gen && this.tileChanged[tile] !== 0;
  }

  /**
   * Compare the hinted parts of `frame` with the kept frame tile by tile and
   * return the changed tiles' hinted parts merged; with `copy`, also update
   * the kept frame there. Tile marks stay valid (for `isChanged` and `box`)
   * until the next call.
   */
  compare(frame: Frame, kept: PixelPlane, hints: readonly Rect[], copy: boolean, stats: ChangeDetectorStats): Rect[] {
    const { width, height } = frame;
    const T = this.tileSize;
    const cols = this.tileCols;
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
        this.scanBand(frame, cur, kept, c.x, cx2, sy1, sy2, tx0, tx1, ty * cols, copy, stats);
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
   * Compare rows y1..y2, columns x1..x2 (one hint inside one tile row) with
   * the kept frame, mark the tiles that differ, then copy their changed part.
   */
  private scanBand(frame: Frame, cur: Buffer, kept: PixelPlane, x1: number, x2: number, y1: number, y2: number, tx0: number, tx1: number, tileBase: number, copy: boolean, stats: ChangeDetectorStats): void {
    const T = this.tileSize;
    const W = kept.stride;
    const stride = frame.stride;
    const changed = this.tileChanged;
    const from = this.copyFrom;
    const prev = kept.pixels;
    const prevBytes = kept.bytes;
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

  private nextGen(): number {
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) {
      this.tileGen.fill(0);
      this.gen = 1;
    }
    return this.gen;
  }
}
