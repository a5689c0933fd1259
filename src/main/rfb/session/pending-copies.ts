import type { DirtyTiles } from '../../framebuffer/dirty-tiles.js';
import { intersectRect, type Rect } from '../../framebuffer/rect.js';
import type { CopyOp } from '../../framebuffer/region.js';
import { splitCopy } from './copy-split.js';

/** Copies waiting for a client that does not ask at most (30 moves a second for two seconds); later ones go as pixels. */
const MAX_PENDING = 64;

/**
 * One client's copies (scrolls, moved windows) waiting for its next update,
 * sent before any changed pixels.
 *
 * A copy is only right for a client whose screen shows the source as it
 * was, so it reads only where no pixels are pending (`dirty`) nor in flight
 * (`inFlight`): a straight move is cut around those (copy-split.ts), and
 * what it cannot copy, or a diagonal move that meets them, is marked
 * changed. Copies of later captures follow the pending ones (the client
 * makes them in order, all before the pixels): after the pending copies the
 * client's screen is the frame except where pixels are pending, so a source
 * clear of those is right.
 */
export class PendingCopies {
  private list: CopyOp[] = [];
  /**
   * The pixels of the update being sent: encoding reads the live frame, so
   * they may hold a capture newer than the one a copy starts from, and no
   * copy reads from them.
   */
  inFlight: readonly Rect[] = [];

  constructor(private readonly dirty: DirtyTiles) {}

  get empty(): boolean {
    return this.list.length === 0;
  }

  /** The copies queued so far, in order; the queue is left empty. */
  take(): CopyOp[] {
    const l = this.list;
    this.list = [];
    return l;
  }

  clear(): void {
    this.list = [];
  }

  /**
   * Queue what of `copies` this client can do, marking the rest changed in
   * `dirty`. `usable`: the client takes CopyRect now. `size`: its screen.
   * `cursor`: where a cursor is painted into its picture (a copy carrying it
   * along gets it painted over where it lands).
   */
  add(copies: readonly CopyOp[], usable: boolean, size: { width: number; height: number }, cursor: Rect | null): void {
    const inside = (r: Rect) => r.x >= 0 && r.y >= 0 && r.x + r.w <= size.width && r.y + r.h <= size.height;
    for (const c of copies) {
      const src = { x: c.srcX, y: c.srcY, w: c.dst.w, h: c.dst.h };
      if (!usable || !inside(src) || !inside(c.dst)) {
        this.dirty.mark(c.dst);
        continue;
      }
      const blocked = this.dirty.overlapping(src);
      for (const r of this.inFlight) {
        const hit = intersectRect(r, src);
        if (hit) blocked.push(hit);
      }
      const split = blocked.length === 0 ? { copies: [c], pixels: [] } : splitCopy(c, blocked);
      if (!split || this.list.length + split.copies.length > MAX_PENDING) {
        this.dirty.mark(c.dst);
        continue;
      }
      for (const r of split.pixels) this.dirty.mark(r);
      for (const p of split.copies) {
        this.list.push(p);
        const ghost = cursor && intersectRect(cursor, { x: p.srcX, y: p.srcY, w: p.dst.w, h: p.dst.h });
        if (ghost) this.dirty.mark({ x: ghost.x + p.dst.x - p.srcX, y: ghost.y + p.dst.y - p.srcY, w: ghost.w, h: ghost.h });
      }
    }
  }
}
