import { DirtyTiles } from '../../framebuffer/dirty-tiles.js';
import { ChurnMap } from '../../framebuffer/churn-map.js';
import { intersectRect, type Rect } from '../../framebuffer/rect.js';
import type { CopyOp } from '../../framebuffer/region.js';
import { LogContext, type LogContextFields } from '../../base/log-context.js';
import { Encoding, PseudoEncoding } from '../constants.js';
import { EncodeManager, type RectStats } from '../encodings/encode-manager.js';
import { EncodeWorkers } from '../encodings/encode-workers.js';
import { releasePiece } from '../encodings/lent-buffers.js';
import { createEncoderState, type ClosableEncoderState } from '../encodings/encoder-state.js';
import { NATIVE_FORMAT, PixelConverter } from '../pixel-format.js';
import { beginFramebufferUpdate, endFramebufferUpdate, UNTIL_LAST_RECT, writeLastRect, endOfContinuousUpdates, fence, MAX_RECTS_PER_UPDATE } from '../server-messages.js';
import { ByteWriter } from '../wire.js';
import type { SessionContext } from './context.js';
import { LosslessRefresh } from './lossless-refresh.js';
import { PendingCopies } from './pending-copies.js';
import { Pacing, type PacingInfo } from './pacing.js';
import type { CursorShape } from './cursor-shape.js';
import type { DesktopName } from './desktop-name.js';
import type { DesktopSize } from './desktop-size.js';

/** With a lossless refresh due but the link busy, look again this much later. */
const REFRESH_RETRY_MS = 100;

/** Updates of at least this many pixels are streamed to clients that take LastRect. */
const STREAM_MIN_PIXELS = 65536;

/** Fence flags we honour: BlockBefore | BlockAfter | SyncNext (rfbproto "Fence"). */
const FENCE_SUPPORTED = 0x7;

/** Clients start in the server's own format; one converter (read-only tables) serves them all until they set theirs. */
const NATIVE_CONVERTER = new PixelConverter(NATIVE_FORMAT);

/** The extensions whose pseudo-rectangles an update carries before its pixels. */
export interface UpdateExtensions {
  size: DesktopSize;
  name: DesktopName;
  cursor: CursorShape;
}

/**
 * When and what to send one client (after TigerVNC's VNCSConnectionST): the
 * area it asked for (a FramebufferUpdateRequest, or continuous updates), the
 * pending region that changed since its last update, copies it can do itself,
 * fence replies, at most one update per update interval and none while more
 * than `maxQueuedBytes` wait in the socket, nor (for a client that takes
 * fences) while the link pacer's window is full (session/pacing.ts). Pending changes accumulate as
 * dirty tiles meanwhile, so a slow client costs bounded memory. The
 * encoders, and which of them to use, are the EncodeManager's business.
 */
export class UpdateScheduler {
  /** The framebuffer size this client knows; it follows the desktop only when told (DesktopSize). */
  width = 0;
  height = 0;
  updatesSent = 0;
  private readonly dirty = new DirtyTiles(1, 1);
  /** Which areas keep changing, for encoders that spend less on them. */
  private readonly churn = new ChurnMap(1, 1);
  private readonly refresh = new LosslessRefresh();
  private request: Rect | null = null;
  private continuous: Rect | null = null;
  private sending = false;
  private lastSendAt = 0;
  private sendTimer: NodeJS.Timeout | null = null;
  private refreshTimer: NodeJS.Timeout | null = null;
  private pendingFences: Array<{ flags: number; payload: Buffer }> = [];
  /** Copies (scrolls) the client can do itself, sent before any changed pixels. */
  private readonly copies = new PendingCopies(this.dirty);
  private formatPending = false;
  private encodingsPending = false;
  private converter = NATIVE_CONVERTER;
  /**
   * The encoders, their scratch buffers and zlib streams (some 200 KB with
   * the streams): made when the client is in (begin), so a connection that
   * never authenticates costs none of it, and released when it goes (stop).
   */
  private encoding: { state: ClosableEncoderState; manager: EncodeManager } | null = null;
  private stopped = false;
  private readonly pacing: Pacing;

  constructor(
    private readonly ctx: SessionContext,
    private readonly ext: UpdateExtensions,
    private readonly logContext: LogContextFields,
    private readonly maxQueuedBytes: number,
    pacing = true,
  ) {
    this.pacing = new Pacing(ctx.params, pacing);
  }

  /** Bytes written to this client so far: the stream position the link pacer counts in. */
  private get position(): number {
    return this.ctx.session.bytesSent;
  }

  /** The link's figures and the JPEG quality in use, for a client whose updates are paced (else null). */
  get pacingInfo(): PacingInfo | null {
    return this.pacing.info(this.position);
  }

  /** Start with the desktop's size and everything to send (ServerInit went out). */
  begin(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.dirty.resize(width, height);
    this.churn.resize(width, height);
    this.refresh.reset(width, height);
    this.pacing.start(this.position);
    if (!this.encoding && !this.stopped) {
      const state = createEncoderState();
      const manager = new EncodeManager(state);
      manager.shareThrough(this.ctx.host.sharedEncodes?.() ?? null);
      manager.offloadTo(EncodeWorkers.shared());
      manager.busyArea = (r) => this.churn.busy(r);
      this.encoding = { state, manager };
    }
  }

  /** Stop timers and release the encoders and their zlib streams (the session closed). */
  stop(): void {
    this.stopped = true;
    if (this.sendTimer) clearTimeout(this.sendTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.sendTimer = this.refreshTimer = null;
    this.pendingFences = [];
    this.copies.clear();
    // An update being encoded finds the state closed and gives up (no stream is made after this).
    this.encoding?.manager.shareThrough(null);
    this.encoding?.state.close();
    this.encoding = null;
  }

  /** The client's pixel format changed: used from the next update on (never halfway through one). */
  pixelFormatChanged(): void {
    this.formatPending = true;
  }

  /** The client's encodings changed: used from the next update on. */
  encodingsChanged(): void {
    this.encodingsPending = true;
  }

  /** A FramebufferUpdateRequest for `area`, to be answered once (incremental: only what changed). */
  requested(area: Rect, incremental: boolean): void {
    const inside = intersectRect(area, { x: 0, y: 0, w: this.width, h: this.height });
    if (!inside) {
      // Nothing to send for an empty area; some clients use it as a ping, answer with an empty update.
      if (!incremental) this.request = { x: 0, y: 0, w: 0, h: 0 };
      return;
    }
    if (!incremental) this.dirty.mark(inside);
    this.request = this.request ? boundingBox(this.request, inside) : inside;
    this.wake();
  }

  /** EnableContinuousUpdates: send changes in `area` without being asked, or stop (and say so). */
  continuousUpdates(enable: boolean, area: Rect): void {
    if (enable) {
      this.continuous = intersectRect(area, { x: 0, y: 0, w: this.width, h: this.height });
      this.wake();
    } else {
      this.continuous = null;
      this.ctx.write(endOfContinuousUpdates());
    }
  }

  /** A fence from the client asking for a reply: answered after any update being written (BlockBefore semantics). */
  fenceRequested(flags: number, payload: Buffer): void {
    this.pendingFences.push({ flags: flags & FENCE_SUPPORTED, payload });
    this.flushFences();
  }

  /** A fence reply (no request flag): one to our own ping may open the window. Others need nothing. */
  fenceReplied(payload: Buffer): void {
    if (this.pacing.reply(payload)) this.wake();
  }

  /** The desktop changed in these areas (the frame already holds the new pixels). */
  markChanged(rects: readonly Rect[]): void {
    if (!this.ctx.ready) return;
    for (const r of rects) this.dirty.mark(r);
    this.churn.mark(rects);
    this.refresh.changed();
    this.wake();
  }

  /** Areas that moved on the desktop (scrolling, a dragged window): copies where this client can make them (pending-copies.ts). */
  applyCopies(copies: readonly CopyOp[]): void {
    if (!this.ctx.ready || copies.length === 0) return;
    this.refresh.changed();
    const usable = this.ctx.params.supports(Encoding.CopyRect) && !this.ext.size.resizePending;
    this.copies.add(copies, usable, { width: this.width, height: this.height }, this.ext.cursor.paintedArea);
    this.wake();
  }

  /** True while the client has asked for pixels and is not yet served. */
  get wantsUpdate(): boolean {
    return this.ctx.ready && (this.request !== null || this.continuous !== null);
  }

  /** The converter for the client's current pixel format (as of the last update). */
  get pixelConverter(): PixelConverter {
    return this.converter;
  }

  /** Send what is due now or set a timer for it; runs in this client's log context whoever calls it. */
  wake(): void {
    if (!this.ctx.ready || this.sending || this.sendTimer) return;
    LogContext.run(this.logContext, () => this.wakeInContext());
  }

  private wakeInContext(): void {
    const { host } = this.ctx;
    if (!this.request && !this.continuous && !this.ext.size.replyDue) return;
    // Someone is waiting: make sure the capture loop runs, even if nothing is pending yet.
    host.onWantsUpdate(this.ctx.session);
    // After a pause in capturing the frame may be old: wait for the capture that was just asked for.
    if (!host.frameIsFresh()) return;
    const emptyRequest = this.request !== null && this.request.w === 0;
    const pseudo = this.ext.size.due() || this.ext.name.due() || this.ext.cursor.due();
    if (this.dirty.empty && this.copies.empty && !pseudo && !emptyRequest) {
      // Nothing new: time for a lossless refresh of what went as JPEG, once the desktop is still and the link idle?
      const due = this.refresh.dueIn();
      if (due === null) return;
      if (due > 0 || this.ctx.queuedBytes > 0 || this.pacing.linkBusy) {
        // A timer of its own: changes meanwhile must still go out at once (wake() waits on sendTimer).
        if (!this.refreshTimer) {
          this.refreshTimer = setTimeout(() => {
            this.refreshTimer = null;
            this.wake();
          }, Math.max(due, REFRESH_RETRY_MS));
        }
        return;
      }
    }
    if (this.ctx.queuedBytes > this.maxQueuedBytes) return; // 'drain' wakes us again
    if (!this.pacing.mayUpdate(this.position)) {
      // The window is full: a fence reply wakes us again (and there must be a fence on its way to be answered).
      const ping = this.pacing.pingWhileHeld(this.position);
      if (ping) this.ctx.write(ping);
      return;
    }
    const wait = this.lastSendAt + host.updateInterval() - Date.now();
    if (wait > 0) {
      this.sendTimer = setTimeout(() => {
        this.sendTimer = null;
        this.wake();
      }, wait);
      return;
    }
    void this.sendUpdate();
  }

  private applyPendingSettings(manager: EncodeManager): void {
    // The link may want a lower (or again the asked) JPEG quality: the encoders read it from the list.
    if (this.pacing.adapt()) this.encodingsPending = true;
    if (this.formatPending) {
      this.converter = new PixelConverter(this.ctx.params.pixelFormat);
      manager.setConverter(this.converter);
      this.formatPending = false;
    }
    if (this.encodingsPending) {
      manager.setEncodings(this.pacing.encodings());
      this.encodingsPending = false;
    }
  }

  private async sendUpdate(): Promise<void> {
    const manager = this.encoding?.manager;
    if (this.sending || !this.ctx.ready || !manager) return;
    // The frame-rate budget runs from the start of one update to the start of the next,
    // so encoding time does not stretch the interval.
    this.lastSendAt = Date.now();
    const frame = this.ctx.host.frame();
    const out = new ByteWriter(64 * 1024);
    const stats: RectStats[] = [];
    const started = performance.now();
    this.applyPendingSettings(manager);
    const header = beginFramebufferUpdate(out);

    // A client that can follow a resize gets the new size alone, then everything again.
    if (this.ext.size.writeResize(out, frame, this.width, this.height)) {
      this.width = frame.width;
      this.height = frame.height;
      this.dirty.resize(frame.width, frame.height);
      this.churn.resize(frame.width, frame.height);
      this.dirty.markAll();
      this.refresh.reset(frame.width, frame.height);
      this.copies.clear();
      this.finishUpdate(out, header, 1, stats, started);
      return;
    }
    let count = this.ext.name.write(out) + this.ext.cursor.writeShape(out, this.converter) + this.ext.size.writeReplies(out, this.width, this.height);

    const area = this.request ?? this.continuous;
    const visible = { x: 0, y: 0, w: Math.min(this.width, frame.width), h: Math.min(this.height, frame.height) };
    const within = area ? intersectRect(area, visible) : null;
    let rects = within ? this.dirty.take(within) : [];
    const copies = this.copies.take();
    // Nothing else to send: the areas that went as JPEG, exactly this time, if their refresh is due.
    const refreshing = rects.length === 0 && copies.length === 0 && count === 0 && within !== null && this.refresh.dueIn() === 0;
    if (refreshing) rects = this.refresh.take(within);
    if (rects.length === 0 && copies.length === 0 && count === 0) {
      // Incremental request with nothing new: keep it outstanding until something changes.
      if (this.request && this.request.w === 0) this.finishUpdate(out, header, 0, stats, started);
      return;
    }
    manager.overlay = this.ext.cursor.overlay(frame, rects);
    // A big update goes out while it is encoded, for a client that takes LastRect: the
    // count is left open and LastRect ends it, so the client decodes the first
    // rectangles while the server makes the rest (small ones stay one write).
    let streamed = 0;
    const open = this.ctx.params.supports(PseudoEncoding.LastRect) && rects.reduce((a, r) => a + r.w * r.h, 0) >= STREAM_MIN_PIXELS;
    if (open) endFramebufferUpdate(out, header, UNTIL_LAST_RECT);
    const send = open
      ? (chunk: Buffer): void => {
          streamed += chunk.length;
          this.ctx.write(chunk, () => releasePiece(chunk));
        }
      : undefined;
    // Not streamed: payloads made elsewhere follow `out` as they are, uncopied.
    const tail: Buffer[] | undefined = open ? undefined : [];
    this.sending = true;
    this.copies.inFlight = rects;
    manager.lossless = refreshing;
    try {
      count += await manager.encodeRects(frame, rects, copies, out, (s) => stats.push(s), send, tail);
    } catch (e) {
      this.sending = false;
      this.copies.inFlight = [];
      this.ctx.close(`encoding failed: ${(e as Error).message}`, 'warn');
      return;
    }
    this.sending = false;
    this.copies.inFlight = [];
    this.refresh.sentLossy(manager.takeLossy());
    if (!this.ctx.ready) return;
    if (open) writeLastRect(out);
    this.finishUpdate(out, open ? null : header, count, stats, started, streamed, tail);
    this.flushFences();
  }

  /** Write the rest of the update (`header` null: its count was left open, and part of it may have gone already, `streamed` bytes). */
  private finishUpdate(out: ByteWriter, header: number | null, count: number, stats: RectStats[], started: number, streamed = 0, tail: readonly Buffer[] = []): void {
    if (header !== null) {
      if (count > MAX_RECTS_PER_UPDATE) {
        this.ctx.close(`update with ${count} rectangles exceeds the protocol limit`, 'warn');
        return;
      }
      endFramebufferUpdate(out, header, count);
    }
    const data = out.view();
    const writtenAt = performance.now();
    const { host, session } = this.ctx;
    let bytes = streamed + data.length;
    if (tail.length === 0) {
      this.ctx.write(data, () => host.onUpdateFlushed?.(session, performance.now() - writtenAt));
    } else {
      this.ctx.write(data);
      for (let i = 0; i < tail.length; i++) {
        const piece = tail[i]!;
        const last = i === tail.length - 1;
        // A spilled piece's buffer, or a worker's payload slot, is reused once written (releasePiece ignores the others).
        this.ctx.write(piece, () => {
          releasePiece(piece);
          if (last) host.onUpdateFlushed?.(session, performance.now() - writtenAt);
        });
        bytes += piece.length;
      }
    }
    // A fence behind each update: its reply tells the pacer the client has taken all of it, and when.
    const ping = this.pacing.afterUpdate(this.position, bytes);
    if (ping) this.ctx.write(ping);
    this.updatesSent++;
    if (this.request) this.request = null;
    host.onUpdateSent?.(session, { rects: stats, bytes, encodeMs: performance.now() - started });
    // Continuous updates (or changes that arrived meanwhile) may need another round.
    if (!this.dirty.empty || this.continuous) this.wake();
  }

  /** Fence replies keep their place after any update being written. */
  private flushFences(): void {
    if (this.sending) return;
    for (const f of this.pendingFences) this.ctx.write(fence(f.flags, f.payload));
    this.pendingFences = [];
  }
}

function boundingBox(a: Rect, b: Rect): Rect {
  if (a.w === 0 || a.h === 0) return b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}
