import type { Frame } from '../../framebuffer/frame.js';
import { PseudoEncoding } from '../constants.js';
import { writeDesktopSize, writeExtendedDesktopSize } from '../server-messages.js';
import type { ByteWriter } from '../wire.js';
import type { SessionContext } from './context.js';

/** ExtendedDesktopSize reasons (rfbproto): the server's own change, or the answer to this client's request. */
const REASON_SERVER = 0;
const REASON_CLIENT = 1;
/** ExtendedDesktopSize statuses. */
const STATUS_OK = 0;
const STATUS_PROHIBITED = 1;
const STATUS_NO_RESOURCES = 2;
const STATUS_INVALID = 3;

/**
 * The desktop's size as one client sees it: DesktopSize / ExtendedDesktopSize
 * when the desktop is resized, the answer to the client's own SetDesktopSize,
 * and the layout announced to a client that just said it understands
 * ExtendedDesktopSize (noVNC needs it to offer resizing).
 */
export class DesktopSize {
  /** The desktop has a new size the client has not been told of yet. */
  private pending = false;
  /** The answer owed to a SetDesktopSize that did not (or not yet) change the size. */
  private reply: { status: number } | null = null;
  /** The size this client asked for, until the change or the refusal has been sent to it. */
  private requestedSize: { w: number; h: number } | null = null;
  private announce = false;

  constructor(private readonly ctx: SessionContext) {}

  /** The client's encodings changed; `hadExtended` is whether it listed ExtendedDesktopSize before. */
  encodingsChanged(hadExtended: boolean): void {
    if (!hadExtended && this.ctx.params.supports(PseudoEncoding.ExtendedDesktopSize)) this.announce = true;
  }

  /** The desktop has a new size (the host's frame already has it). */
  resized(): void {
    if (!this.ctx.ready) return;
    this.pending = true;
    this.ctx.wake();
  }

  get resizePending(): boolean {
    return this.pending;
  }

  /** Whether an answer to SetDesktopSize is owed (it is sent even without an update request). */
  get replyDue(): boolean {
    return this.reply !== null;
  }

  /** Something to send in the next update. */
  due(): boolean {
    return this.reply !== null || this.pending || this.announce;
  }

  /** SetDesktopSize: ask the host, then owe the client an answer (a new size is its own answer). */
  async requested(width: number, height: number, screens: number): Promise<void> {
    const { ctx } = this;
    this.requestedSize = { w: width, h: height };
    let status: number;
    if (ctx.params.viewOnly) status = STATUS_PROHIBITED;
    else if (screens !== 1 || width < 1 || height < 1) status = STATUS_INVALID; // we offer one screen
    else {
      try {
        status = await ctx.host.onResizeRequest(ctx.session, width, height);
      } catch (e) {
        ctx.log.warn({ err: e }, 'desktop resize failed');
        status = STATUS_NO_RESOURCES;
      }
    }
    if (!ctx.ready) return;
    // On success the new size itself is the answer (reason 1): already sent, or about to be.
    if (status === STATUS_OK && (this.requestedSize === null || this.pending)) return;
    this.requestedSize = null;
    this.reply = { status };
    ctx.wake();
  }

  /**
   * If the desktop was resized and the client can follow, write the new size
   * (the whole update, as far as this update goes) and return true; the
   * caller then adopts the size. A client that cannot follow keeps its size
   * and sees the part that still fits.
   */
  writeResize(out: ByteWriter, frame: Frame, knownWidth: number, knownHeight: number): boolean {
    const resized = this.pending && (frame.width !== knownWidth || frame.height !== knownHeight);
    this.pending = false;
    if (!resized || !this.followsResize()) return false;
    // If this client asked for this change, the new size is its answer (reason 1, status 0).
    const mine = this.requestedSize !== null && this.requestedSize.w === frame.width && this.requestedSize.h === frame.height;
    if (mine) this.requestedSize = null;
    this.writeSize(out, mine ? REASON_CLIENT : REASON_SERVER, STATUS_OK, frame.width, frame.height);
    return true;
  }

  /** The layout announcement and the answer to a request, when due; returns how many rectangles. */
  writeReplies(out: ByteWriter, width: number, height: number): number {
    const extended = this.ctx.params.supports(PseudoEncoding.ExtendedDesktopSize);
    let count = 0;
    if (this.announce) {
      if (extended) {
        this.writeSize(out, REASON_SERVER, STATUS_OK, width, height);
        count++;
      }
      this.announce = false;
    }
    if (this.reply) {
      if (extended) {
        this.writeSize(out, REASON_CLIENT, this.reply.status, width, height);
        count++;
      }
      this.reply = null;
    }
    return count;
  }

  private followsResize(): boolean {
    return this.ctx.params.supports(PseudoEncoding.ExtendedDesktopSize) || this.ctx.params.supports(PseudoEncoding.DesktopSize);
  }

  private writeSize(out: ByteWriter, reason: number, status: number, width: number, height: number): void {
    if (this.ctx.params.supports(PseudoEncoding.ExtendedDesktopSize)) writeExtendedDesktopSize(out, reason, status, width, height);
    else writeDesktopSize(out, width, height);
  }
}
