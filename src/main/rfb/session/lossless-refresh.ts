import { DirtyTiles } from '../../framebuffer/dirty-tiles.js';
import type { Rect } from '../../framebuffer/rect.js';

/** How long the desktop must be still before areas sent as JPEG are sent again exactly. */
export const REFRESH_AFTER_MS = 400;

/**
 * The refresh delay: TRAYVNC_LOSSLESS_REFRESH_MS if set (0 turns the refresh
 * off, leaving JPEG areas as they are until they change), else REFRESH_AFTER_MS.
 */
export function refreshDelay(env: NodeJS.ProcessEnv = process.env): number {
  const v = env['TRAYVNC_LOSSLESS_REFRESH_MS'];
  const n = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 60_000) : REFRESH_AFTER_MS;
}

/**
 * The areas one client was sent as an approximation (Tight's JPEG), to be
 * sent again exactly once the desktop has been still for REFRESH_AFTER_MS (see refreshDelay) and
 * the client's link has nothing queued: photos look right once they stop
 * moving, and while they move the client gets the cheaper JPEG. All of them
 * go in one update (never a stream of small ones), and an area sent as JPEG
 * again meanwhile simply stays on the list.
 */
export class LosslessRefresh {
  private areas = new DirtyTiles(1, 1);
  private lastChangeAt = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly delayMs: number = refreshDelay(),
  ) {}

  /** The client's framebuffer has this size now: what was on the list is moot (everything is sent again). */
  reset(width: number, height: number): void {
    this.areas = new DirtyTiles(width, height);
  }

  /** These areas reached the client as an approximation; their refresh waits its time from now, too. */
  sentLossy(rects: readonly Rect[]): void {
    if (rects.length === 0 || this.delayMs === 0) return;
    for (const r of rects) this.areas.mark(r);
    this.lastChangeAt = this.now();
  }

  /** The desktop changed: the refresh waits until it has been still again. */
  changed(): void {
    this.lastChangeAt = this.now();
  }

  /** Milliseconds until a refresh is due (0: now), or null when there is nothing to refresh. */
  dueIn(): number | null {
    if (this.areas.empty) return null;
    return Math.max(0, this.lastChangeAt + this.delayMs - this.now());
  }

  /** The areas to send exactly now, inside `within`; they leave the list. */
  take(within: Rect): Rect[] {
    return this.areas.take(within);
  }
}
