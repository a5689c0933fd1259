import { emptyChangeStats, type ChangeDetectorStats } from './change-stats.js';
import type { Frame } from './frame.js';
import { FruitlessSearch } from './fruitless-search.js';
import { MoveDetector, type MoveDetectorOptions } from './move-detector.js';
import { pixelPlane, type PixelPlane } from './pixel-plane.js';
import { intersectRect, type Rect } from './rect.js';
import { clipRect, type CopyOp } from './region.js';
import { ScrollAreaFinder } from './scroll-area-finder.js';
import { ScrollDetector, type ScrollAnalysis, type ScrollDetectorOptions } from './scroll-detector.js';
import { TileComparer } from './tile-comparer.js';
import { uncoveredChanges } from './uncovered.js';

export type { ChangeDetectorStats } from './change-stats.js';
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
  /** Tuning of the search for moved rectangles (windows) done by `detectWithCopies`. */
  move?: MoveDetectorOptions;
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
 * Speed: see `TileComparer`; an unchanged 1080p frame costs about a
 * thousand native memcmp calls.
 *
 * The first call, any call after the frame size changed, and the first call
 * after `reset()` report the whole frame and copy it all: there is nothing to
 * compare with yet. The caller must have the whole frame filled by then.
 *
 * `detectWithCopies` does the same and also finds moved rectangles (see
 * `MoveDetector`) and vertically scrolled content (see `ScrollDetector`),
 * returned as copies the viewer can make from what it already shows. The copies are only valid for a viewer that shows
 * exactly the kept frame, i.e. one that received everything reported so far.
 */
export class ChangeDetector {
  readonly tileSize: number;
  private enabledFlag: boolean;
  /** The previous frame as reported so far (null: none yet). */
  private kept: PixelPlane | null = null;
  private width = 0;
  private height = 0;
  private readonly tiles: TileComparer;
  private readonly areas = new ScrollAreaFinder();
  private lastStats: ChangeDetectorStats = emptyChangeStats();
  private readonly scroll: ScrollDetector;
  private readonly moves: MoveDetector;
  private readonly fruitless: FruitlessSearch;

  constructor(options: ChangeDetectorOptions = {}) {
    const tileSize = options.tileSize ?? 64;
    if (!Number.isInteger(tileSize) || tileSize < 1) throw new RangeError(`tileSize must be a positive integer, got ${tileSize}`);
    this.tileSize = tileSize;
    this.enabledFlag = options.enabled ?? true;
    this.tiles = new TileComparer(tileSize);
    this.scroll = new ScrollDetector(options.scroll);
    this.moves = new MoveDetector(options.move);
    this.fruitless = new FruitlessSearch(tileSize);
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
    this.kept = null;
  }

  /**
   * Compare `frame` with the previous one inside `hints` (everything when
   * omitted) and return what changed.
   */
  detect(frame: Frame, hints?: readonly Rect[]): Rect[] {
    const { width, height } = frame;
    const full: Rect = { x: 0, y: 0, w: width, h: height };
    const stats: ChangeDetectorStats = emptyChangeStats();
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

    if (!this.kept || this.width !== width || this.height !== height) {
      const kept = this.allocate(width, height);
      copyRows(frame, kept.pixels, width, 0, width, 0, height);
      stats.pixelsCopied = width * height;
      stats.rects = 1;
      return [full];
    }

    const out = this.tiles.compare(frame, this.kept, hints ?? [full], true, stats);
    stats.rects = out.length;
    return out;
  }

  /**
   * Like `detect`, and also looks for moved rectangles and vertically
   * scrolled content, to be sent as copies of what the viewer already shows.
   *
   * Applying `copies` in order to the previous frame (each reads only pixels
   * no earlier copy wrote), then painting `changed` from `frame`, gives
   * `frame` everywhere inside the hints. The kept frame is updated as by
   * `detect`.
   *
   * How: the changed tiles are found as by `detect` (without updating the kept
   * frame yet). The `MoveDetector` looks for rectangles that moved sideways
   * among them (a dragged window): where it finds some, those copies come
   * first, and the changed tiles they leave are sent narrowed to the pixels
   * that differ (a window's exposed edge). The changed tiles are then cut
   * into separate areas along tile rows and columns without
   * changes (a recursive XY cut, `ScrollAreaFinder`), and each area at least `scroll.minWidth`
   * wide and taller than `scroll.minRows`, and touching no move's source or
   * destination, goes to the `ScrollDetector`. Where
   * it finds a scroll, that area's tiles are replaced by its copies plus
   * strips of the differing rows they leave; elsewhere the tiles stay. Areas
   * are disjoint and scroll copies never reach outside their area, so copies
   * of different areas cannot interfere; moves come first, none reads what
   * an earlier one wrote, and no scrolled area holds their pixels.
   */
  detectWithCopies(frame: Frame, hints?: readonly Rect[]): ChangesWithCopies {
    const { width, height } = frame;
    if (width === 0 || height === 0 || !this.enabledFlag || !this.kept || this.width !== width || this.height !== height) {
      return { copies: [], changed: this.detect(frame, hints) };
    }
    const stats: ChangeDetectorStats = emptyChangeStats();
    this.lastStats = stats;
    const full: Rect = { x: 0, y: 0, w: width, h: height };
    const old = this.kept;
    const tiles = this.tiles.compare(frame, old, hints ?? [full], false, stats);
    const copies: CopyOp[] = [];
    const changed: Rect[] = [];
    const done: Array<{ area: Rect; found: ScrollAnalysis }> = [];
    const missed: Rect[] = [];
    const cur = pixelPlane(frame.pixels, frame.stride);
    let moves: CopyOp[] = [];
    // Not where the search keeps finding nothing (a video): see FruitlessSearch.
    if (tiles.length > 0 && this.fruitless.shouldSearch(tiles)) {
      moves = this.moves.find(cur, old, width, height, tiles);
      const moved = moves.flatMap((m) => [m.dst, { x: m.srcX, y: m.srcY, w: m.dst.w, h: m.dst.h }]);
      for (const area of this.areas.find(this.tiles, this.scroll.minWidth, this.scroll.minRows + 1)) {
        if (moved.some((m) => intersectRect(m, area))) continue;
        stats.scrollAreas++;
        const found = this.scroll.analyse(cur, old, area);
        if (found.copies.length > 0) done.push({ area, found });
        else missed.push(area);
      }
      // An area beside a scrolled one, on the same rows, is tried with its offset: the columns
      // of a terminal that did not change cut it into areas, some too narrow to be voted on.
      const hints = [...new Set(done.map((d) => d.found.dy))];
      for (const area of hints.length > 0 ? missed : []) {
        if (!done.some((d) => d.area.y < area.y + area.h && area.y < d.area.y + d.area.h)) continue;
        const found = this.scroll.analyse(cur, old, area, hints);
        if (found.copies.length > 0) done.push({ area, found });
      }
      this.fruitless.searched(tiles, [...moved, ...done.map((d) => d.area)]);
    }
    // Read everything from the kept frame before writing any of it (the
    // pieces moves leave are read only where they are, and nothing else
    // writes there).
    const dsts = moves.map((m) => m.dst);
    for (const r of tiles) {
      if (done.some((d) => inside(r, d.area))) continue;
      for (const piece of dsts.length > 0 ? uncoveredChanges(cur, old, r, dsts) : [r]) {
        changed.push(piece);
        keepRect(frame, old, piece, stats);
      }
    }
    for (const m of moves) {
      copies.push(m);
      keepRect(frame, old, m.dst, stats);
    }
    stats.moves = moves.length;
    for (const { found } of done) {
      for (const c of found.copies) {
        copies.push(c);
        keepRect(frame, old, c.dst, stats);
      }
      for (const r of found.rest) {
        changed.push(r);
        keepRect(frame, old, r, stats);
      }
    }
    stats.rects = changed.length;
    stats.copies = copies.length;
    return { copies, changed };
  }

  /** A kept frame for `width` × `height` (the old memory when the pixel count stays), and tile scratch to match. */
  private allocate(width: number, height: number): PixelPlane {
    this.width = width;
    this.height = height;
    this.tiles.resize(width, height);
    this.fruitless.resize(width, height);
    const pixels = this.kept && this.kept.pixels.length === width * height ? this.kept.pixels : new Uint32Array(width * height);
    const kept = pixelPlane(pixels, width);
    this.kept = kept;
    return kept;
  }
}

/** Whether `r` lies within `a`. */
function inside(r: Rect, a: Rect): boolean {
  return r.x >= a.x && r.y >= a.y && r.x + r.w <= a.x + a.w && r.y + r.h <= a.y + a.h;
}

/** Copy `r` of `frame` into the kept frame, counting the pixels in `stats`. */
function keepRect(frame: Frame, kept: PixelPlane, r: Rect, stats: ChangeDetectorStats): void {
  copyRows(frame, kept.pixels, kept.stride, r.x, r.x + r.w, r.y, r.y + r.h);
  stats.pixelsCopied += r.w * r.h;
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
