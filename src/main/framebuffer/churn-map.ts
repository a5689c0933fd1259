import { forEachTile, type Rect } from './rect.js';

const TILE = 64;

/** Two changes of a tile this close together make it busy (a 25 fps video changes every 40 ms). */
export const CHURN_WINDOW_MS = 150;

/**
 * Which parts of the screen keep changing: a 64×64 tile is busy while its
 * changes come less than CHURN_WINDOW_MS apart (a video, an animation, a
 * dragged window), and stops being busy a window after its last change.
 *
 * Encoders spend less on areas that will be replaced in a moment: pixels
 * that stay on screen are worth deflate's string search, pixels gone 40 ms
 * later are worth sending sooner at lower CPU (see ZRLE's deflate hint).
 */
export class ChurnMap {
  private cols = 0;
  private rows = 0;
  /** Per tile: when it last changed, and until when it counts as busy (ms; 0 never). */
  private last = new Float64Array(0);
  private busyUntil = new Float64Array(0);

  constructor(
    width: number,
    height: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.resize(width, height);
  }

  resize(width: number, height: number): void {
    this.cols = Math.ceil(width / TILE);
    this.rows = Math.ceil(height / TILE);
    this.last = new Float64Array(this.cols * this.rows);
    this.busyUntil = new Float64Array(this.cols * this.rows);
  }

  /** These areas changed now. */
  mark(rects: readonly Rect[]): void {
    const t = this.now();
    for (const r of rects) {
      this.forTiles(r, (i) => {
        if (this.last[i]! > 0 && t - this.last[i]! <= CHURN_WINDOW_MS) this.busyUntil[i] = t + CHURN_WINDOW_MS;
        this.last[i] = t;
      });
    }
  }

  /** Whether most of `r` is busy now. */
  busy(r: Rect): boolean {
    const t = this.now();
    let busy = 0;
    let all = 0;
    this.forTiles(r, (i) => {
      all++;
      if (this.busyUntil[i]! >= t) busy++;
    });
    return all > 0 && busy * 2 > all;
  }

  private forTiles(r: Rect, f: (index: number) => void): void {
    forEachTile(r, TILE, this.cols, this.rows, f);
  }
}
