import { forEachTile, type Rect } from './rect.js';

/** Frames in a row a tile's copy search must come up empty before it is skipped there. */
export const EMPTY_SEARCHES_BEFORE_SKIP = 3;
/** While skipping, every this many frames the search runs anyway (a video window may start to move). */
export const SEARCH_ANYWAY_EVERY = 4;

/**
 * Where the search for copies (moved windows, scrolls) keeps finding nothing:
 * a playing video, an animation, a changing photo. There it costs a few ms a
 * frame for nothing; once every changed tile of a frame has come up empty
 * EMPTY_SEARCHES_BEFORE_SKIP frames running, the search is skipped, but for
 * every SEARCH_ANYWAY_EVERY-th frame. A copy found, or a tile that changes
 * for the first time in a while, puts the search back on at once. Skipping
 * costs at most a few frames sent as pixels where copies would have done:
 * the picture is the same either way.
 */
export class FruitlessSearch {
  private cols = 0;
  private rows = 0;
  /** Per tile: searches in a row that found nothing there (capped). */
  private empty = new Uint8Array(0);
  private skipped = 0;

  constructor(private readonly tile: number) {}

  resize(width: number, height: number): void {
    this.cols = Math.ceil(width / this.tile);
    this.rows = Math.ceil(height / this.tile);
    this.empty = new Uint8Array(this.cols * this.rows);
    this.skipped = 0;
  }

  /** Whether to search among these changed areas this frame. */
  shouldSearch(changed: readonly Rect[]): boolean {
    let allEmpty = changed.length > 0;
    for (const r of changed) {
      this.forTiles(r, (i) => {
        if (this.empty[i]! < EMPTY_SEARCHES_BEFORE_SKIP) allEmpty = false;
      });
      if (!allEmpty) break;
    }
    if (!allEmpty || this.skipped >= SEARCH_ANYWAY_EVERY - 1) {
      this.skipped = 0;
      return true;
    }
    this.skipped++;
    return false;
  }

  /** The search ran over `changed` and found copies touching `hits` (their sources and destinations). */
  searched(changed: readonly Rect[], hits: readonly Rect[]): void {
    for (const r of changed) this.forTiles(r, (i) => (this.empty[i] = Math.min(255, this.empty[i]! + 1)));
    for (const r of hits) this.forTiles(r, (i) => (this.empty[i] = 0));
  }

  private forTiles(r: Rect, f: (index: number) => void): void {
    forEachTile(r, this.tile, this.cols, this.rows, f);
  }
}
