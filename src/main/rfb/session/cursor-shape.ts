import type { Frame } from '../../framebuffer/frame.js';
import { intersectRect, type Rect } from '../../framebuffer/rect.js';
import { PseudoEncoding } from '../constants.js';
import { compositeCursor, cursorBounds } from '../cursor.js';
import type { PixelConverter } from '../pixel-format.js';
import { writeCursorShape } from '../server-messages.js';
import type { ByteWriter } from '../wire.js';
import type { SessionContext } from './context.js';

/**
 * The pointer as one client sees it. A client that announced the Cursor
 * pseudo-encoding draws it: it gets each new shape once. For the others it
 * is painted into the pixels sent, so its old and new places are sent again
 * whenever it moves or changes.
 */
export class CursorShape {
  /** Serial of the cursor shape this client has, −1 for none yet. */
  private sentSerial = -1;
  /** Where we last painted the cursor for a client that cannot draw it. */
  private painted: Rect | null = null;

  constructor(private readonly ctx: SessionContext) {}

  private get drawsItself(): boolean {
    return this.ctx.params.supports(PseudoEncoding.Cursor);
  }

  /** The cursor's shape or position changed. */
  changed(): void {
    const { ctx } = this;
    if (!ctx.ready) return;
    const c = ctx.host.cursor();
    if (this.drawsItself) {
      if ((c?.serial ?? -2) !== this.sentSerial) ctx.wake();
      return;
    }
    const p = ctx.host.pointer();
    const now = c && p ? cursorBounds(c, p.x, p.y) : null;
    ctx.markChanged([...(this.painted ? [this.painted] : []), ...(now ? [now] : [])]);
  }

  /** A new shape is waiting for a client that draws the cursor itself. */
  due(): boolean {
    const c = this.ctx.host.cursor();
    return this.drawsItself && c !== null && c.serial !== this.sentSerial;
  }

  /** The new shape, when due; returns how many rectangles. */
  writeShape(out: ByteWriter, converter: PixelConverter): number {
    const cursor = this.ctx.host.cursor();
    if (!this.drawsItself || !cursor || cursor.serial === this.sentSerial) return 0;
    writeCursorShape(out, cursor, converter);
    this.sentSerial = cursor.serial;
    return 1;
  }

  /** Where the cursor may be painted into the client's picture (null: nowhere); a copy from there carries it along. */
  get paintedArea(): Rect | null {
    return this.painted;
  }

  /** The cursor painted over the frame, for a client that cannot draw it (and only where pixels are sent). */
  overlay(frame: Frame, rects: readonly Rect[]): { rect: Rect; pixels: Uint32Array } | null {
    if (this.drawsItself) return null;
    const cursor = this.ctx.host.cursor();
    const p = this.ctx.host.pointer();
    const bounds = cursor && p ? cursorBounds(cursor, p.x, p.y) : null;
    const rect = bounds ? intersectRect(bounds, { x: 0, y: 0, w: frame.width, h: frame.height }) : null;
    this.painted = rect;
    if (!rect || !p || !rects.some((r) => intersectRect(r, rect))) return null;
    return { rect, pixels: compositeCursor(frame, rect, cursor, p.x, p.y) };
  }
}
