import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CursorImage } from '../framebuffer/cursor-image.js';
import { DirtyTiles } from '../framebuffer/dirty-tiles.js';
import { compositeCursor, cursorBounds, writeCursorRect } from './cursor.js';
import type { Frame } from '../framebuffer/frame.js';
import { intersectRect, type Rect } from '../framebuffer/rect.js';
import { getLogger } from '../base/logger.js';
import { LogContext, type LogContextFields } from '../base/log-context.js';
import { DEFAULT_LIMITS, parseClientMessage, type ClientMessage, type ParseLimits } from './client-messages.js';
import {
  capsMessage,
  ClipboardAction,
  ClipboardFormat,
  notifyMessage,
  parseExtendedClipboard,
  provideMessage,
  requestMessage,
  toLatin1,
} from './extended-clipboard.js';
import type { CopyOp } from '../framebuffer/region.js';
import { Encoding, PseudoEncoding, ServerMessageType } from './constants.js';
import { createEncoderState, EncodeManager, type RectStats } from './encodings/encode-manager.js';
import { ProtocolError } from './errors.js';
import { Handshake, type HandshakeEvent, type RfbMinor } from './handshake.js';
import { bgr233Palette, NATIVE_FORMAT, PixelConverter, pixelFormatError, type PixelFormat } from './pixel-format.js';
import { serverInit, setColourMapEntries } from './server-messages.js';
import { ByteWriter } from './wire.js';

/** What a session needs from the server that owns it. */
export interface SessionHost {
  /** The current desktop image (its size is the server's framebuffer size). */
  frame(): Frame;
  desktopName(): string;
  password(): string | null;
  /** Milliseconds between updates to one client (1000 / frame rate). */
  updateInterval(): number;
  /** Reason to refuse a new client before authentication (e.g. too many connections), or null. */
  admissionRefusal(session: Session): string | null;
  /** ClientInit arrived; return false to refuse. The server applies the shared flag here. */
  onInitialised(session: Session, shared: boolean): boolean;
  /** The session now waits for pixels: the host should make sure the frame is fresh. */
  onWantsUpdate(session: Session): void;
  /** Keyboard and pointer input from a client allowed to control the desktop. */
  onInput(session: Session, message: InputMessage): void;
  /** Clipboard text from a client allowed to control the desktop (already decoded to a string). */
  onClipboard(session: Session, text: string): void;
  /**
   * A client asked for a new desktop size; resolve to an ExtendedDesktopSize
   * status (0 done, 1 prohibited, 2 out of resources, 3 invalid layout).
   */
  onResizeRequest(session: Session, width: number, height: number): Promise<number>;
  /** Limit for clipboard text in either direction, in bytes. */
  maxCutText(): number;
  /** The desktop's cursor shape, if known. */
  cursor(): CursorImage | null;
  /** Where the pointer is on the desktop, if known (for painting the cursor into updates). */
  pointer(): { x: number; y: number } | null;
  onUpdateSent?(session: Session, stats: UpdateStats): void;
  /** An update's bytes were handed to the network, `ms` after they were written to the socket. */
  onUpdateFlushed?(session: Session, ms: number): void;
  onClosed(session: Session, reason: string): void;
}

export interface SessionOptions {
  handshakeTimeoutMs: number;
  limits: ParseLimits;
  /** Stop writing updates while more than this many bytes wait in the socket. */
  maxQueuedBytes: number;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  handshakeTimeoutMs: 10_000,
  limits: DEFAULT_LIMITS,
  maxQueuedBytes: 4 * 1024 * 1024,
};

export interface UpdateStats {
  rects: RectStats[];
  bytes: number;
  encodeMs: number;
}

/** The client messages that are desktop input. */
export type InputMessage = Extract<ClientMessage, { type: 'key' | 'pointer' | 'qemuKey' }>;

type SocketLike = Duplex & { remoteAddress?: string | undefined; remotePort?: number | undefined };

/** The reason recorded when the client closed the connection itself. */
export const CLIENT_LEFT = 'client disconnected';

/** Fence flags (rfbproto "Fence"). */
const FENCE_REQUEST = 0x80000000;
const FENCE_SUPPORTED = 0x7; // BlockBefore | BlockAfter | SyncNext

/**
 * One connected client: handshake, message parsing, and sending updates when
 * it has asked for them, at most once per update interval, never queueing more
 * than `maxQueuedBytes` in the socket (pending changes accumulate as dirty
 * tiles meanwhile, so a slow client costs bounded memory).
 */
export class Session {
  readonly id = randomUUID();
  readonly address: string;
  readonly connectedAt = new Date();
  readonly log: Logger;
  /** Fields on every log line written while serving this client. */
  private readonly logContext: LogContextFields;
  private state: 'handshake' | 'normal' | 'closed' = 'handshake';
  private readonly handshake: Handshake;
  private inbuf: Buffer = Buffer.alloc(0);
  private skipBytes = 0;
  private handshakeTimer: NodeJS.Timeout | null;
  private sendTimer: NodeJS.Timeout | null = null;

  private clientFormat: PixelFormat = NATIVE_FORMAT;
  private converter = new PixelConverter(NATIVE_FORMAT);
  private formatChanged = false;
  private encodings: number[] = [];
  private encodingsChanged = false;
  private readonly encoderState = createEncoderState();
  private readonly manager = new EncodeManager(this.encoderState);

  private width = 0;
  private height = 0;
  private dirty = new DirtyTiles(1, 1);
  private request: Rect | null = null;
  private continuous: Rect | null = null;
  private sending = false;
  private lastSendAt = 0;
  private resizePending = false;
  private desktopSizeReply: { status: number } | null = null;
  private nameChanged = false;
  /** Serial of the cursor shape this client has (Cursor pseudo-encoding), −1 for none yet. */
  private cursorSerial = -1;
  /** Where we last painted the cursor for a client that cannot draw it. */
  private paintedCursor: Rect | null = null;
  private announceSize = false;
  /** The size this client asked for, until the change or the refusal has been sent to it. */
  private requestedSize: { w: number; h: number } | null = null;
  private pendingFences: Array<{ flags: number; payload: Buffer }> = [];
  /** Copies (scrolls) the client can do itself, sent before any changed pixels. */
  private pendingCopies: CopyOp[] = [];
  bytesSent = 0;
  bytesReceived = 0;
  updatesSent = 0;
  minor: RfbMinor = 8;
  shared = false;
  /** A view-only client's input and clipboard are read and dropped. */
  viewOnly = false;
  /** What the client said it can do with the Extended Clipboard (its Caps message), if anything. */
  private clipboardCaps: { actions: number; formats: number } | null = null;
  /** The text we last announced to this client, handed over when it asks (Request). */
  private offeredText: string | null = null;
  /** Whether the handshake completed (the client got ServerInit). */
  initialised = false;

  constructor(
    private readonly socket: SocketLike,
    private readonly host: SessionHost,
    private readonly opts: SessionOptions = DEFAULT_SESSION_OPTIONS,
  ) {
    this.address = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    this.log = getLogger('session').child({ session: this.id.slice(0, 8), client: this.address });
    this.logContext = { session: this.id.slice(0, 8), client: this.address };
    this.handshake = new Handshake({ password: host.password(), refuseReason: host.admissionRefusal(this) });
    // Whatever runs for this client (here or in the host's handlers) logs with its session and address.
    const inContext = <A extends unknown[]>(fn: (...args: A) => void) => LogContext.bind(this.logContext, fn);
    this.handshakeTimer = setTimeout(
      inContext(() => this.close(`handshake not completed within ${opts.handshakeTimeoutMs} ms`)),
      opts.handshakeTimeoutMs,
    );
    socket.on('data', inContext((chunk: Buffer) => this.onData(chunk)));
    socket.on('drain', inContext(() => this.scheduleSend()));
    socket.on('error', inContext((e: Error) => this.close(`socket error: ${e.message}`)));
    socket.on('close', inContext(() => this.close(CLIENT_LEFT)));
    this.write(this.handshake.greeting());
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  get ready(): boolean {
    return this.state === 'normal';
  }

  get pixelFormat(): PixelFormat {
    return this.clientFormat;
  }

  get clientEncodings(): readonly number[] {
    return this.encodings;
  }

  private supports(pseudo: number): boolean {
    return this.encodings.includes(pseudo);
  }

  /** End the session; `reason` goes to the log once. */
  close(reason: string, level: 'info' | 'warn' = 'info'): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'normal';
    this.state = 'closed';
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    if (this.sendTimer) clearTimeout(this.sendTimer);
    this.handshakeTimer = this.sendTimer = null;
    // One line per client that goes: why, and (for refusals) before it ever saw the desktop.
    const what = wasReady ? 'client disconnected' : reason === CLIENT_LEFT ? 'client left during the handshake' : 'client refused';
    this.log[level]({ reason, bytesSent: this.bytesSent, updates: this.updatesSent }, `${what}: ${reason}`);
    this.encoderState.close();
    // Let queued bytes (e.g. a failure reason) reach the client, then make sure the socket goes.
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.host.onClosed(this, reason);
  }

  private write(data: Buffer, onFlushed?: () => void): void {
    if (!this.socket.writable) return;
    this.bytesSent += data.length;
    this.socket.write(data, onFlushed && ((err?: Error | null) => void (err ? undefined : onFlushed())));
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.bytesReceived += chunk.length;
    this.inbuf = this.inbuf.length === 0 ? chunk : Buffer.concat([this.inbuf, chunk]);
    let off = 0;
    try {
      while (off < this.inbuf.length && !this.closed) {
        if (this.skipBytes > 0) {
          const n = Math.min(this.skipBytes, this.inbuf.length - off);
          this.skipBytes -= n;
          off += n;
          continue;
        }
        const n = this.state === 'handshake' ? this.feedHandshake(off) : this.feedMessage(off);
        if (n === 0) break;
        off += n;
      }
    } catch (e) {
      const reason = e instanceof ProtocolError ? e.message : `internal error: ${(e as Error).stack ?? String(e)}`;
      this.close(reason, 'warn');
      return;
    }
    this.inbuf = off >= this.inbuf.length ? Buffer.alloc(0) : this.inbuf.subarray(off);
  }

  private feedHandshake(off: number): number {
    const events: HandshakeEvent[] = [];
    const n = this.handshake.feed(this.inbuf, off, events);
    for (const ev of events) {
      switch (ev.kind) {
        case 'output':
          this.write(ev.data);
          break;
        case 'version':
          this.minor = ev.minor;
          this.log.debug({ announced: ev.announced.trim(), served: `3.${ev.minor}` }, 'protocol version');
          break;
        case 'authenticated':
          break;
        case 'refused':
          this.close(ev.reason, 'warn');
          break;
        case 'init':
          this.onClientInit(ev.shared);
          break;
      }
    }
    return n;
  }

  private onClientInit(shared: boolean): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.shared = shared;
    if (!this.host.onInitialised(this, shared)) return;
    const frame = this.host.frame();
    this.width = frame.width;
    this.height = frame.height;
    this.dirty = new DirtyTiles(frame.width, frame.height);
    this.state = 'normal';
    this.initialised = true;
    this.write(serverInit(frame.width, frame.height, NATIVE_FORMAT, this.host.desktopName()));
    this.log.info({ version: `3.${this.minor}`, shared }, 'client connected');
  }

  private feedMessage(off: number): number {
    const { consumed, message } = parseClientMessage(this.inbuf, off, this.opts.limits);
    if (message) this.handleMessage(message);
    return consumed;
  }

  private handleMessage(m: ClientMessage): void {
    switch (m.type) {
      case 'setPixelFormat': {
        const err = pixelFormatError(m.format);
        if (err) throw new ProtocolError(`invalid pixel format: ${err}`);
        this.clientFormat = m.format;
        this.formatChanged = true;
        if (!m.format.trueColour) this.write(setColourMapEntries(0, bgr233Palette()));
        break;
      }
      case 'setEncodings': {
        const hadExtendedSize = this.supports(PseudoEncoding.ExtendedDesktopSize);
        const hadExtendedClipboard = this.supports(PseudoEncoding.ExtendedClipboard);
        const hadContinuous = this.supports(PseudoEncoding.ContinuousUpdates);
        const hadFence = this.supports(PseudoEncoding.Fence);
        this.encodings = m.encodings;
        // rfbproto: an EndOfContinuousUpdates tells the client we support continuous updates,
        // and a fence request that we support fences (noVNC waits for both signals).
        if (!hadContinuous && this.supports(PseudoEncoding.ContinuousUpdates)) {
          this.write(Buffer.from([ServerMessageType.EndOfContinuousUpdates]));
        }
        if (!hadFence && this.supports(PseudoEncoding.Fence)) {
          const fence = Buffer.alloc(9);
          fence[0] = ServerMessageType.ServerFence;
          fence.writeUInt32BE(FENCE_REQUEST >>> 0, 4);
          this.write(fence);
        }
        if (!hadExtendedClipboard && this.supports(PseudoEncoding.ExtendedClipboard)) {
          this.write(capsMessage(this.host.maxCutText()));
        }
        this.encodingsChanged = true;
        // Tell a client that just announced ExtendedDesktopSize the screen layout (noVNC needs it to offer resizing).
        if (!hadExtendedSize && this.supports(PseudoEncoding.ExtendedDesktopSize)) this.announceSize = true;
        break;
      }
      case 'updateRequest': {
        const area = intersectRect({ x: m.x, y: m.y, w: m.w, h: m.h }, { x: 0, y: 0, w: this.width, h: this.height });
        if (!area) {
          // Nothing to send for an empty area; some clients use it as a ping, answer with an empty update.
          if (!m.incremental) this.request = { x: 0, y: 0, w: 0, h: 0 };
          break;
        }
        if (!m.incremental) this.dirty.mark(area);
        this.request = this.request ? boundingBox(this.request, area) : area;
        this.scheduleSend();
        break;
      }
      case 'cutTextTooLong':
        this.log.warn({ length: m.length }, `client cut text of ${m.length} bytes exceeds the limit; ignored`);
        this.skipBytes = m.length;
        break;
      case 'enableContinuousUpdates':
        if (!this.supports(PseudoEncoding.ContinuousUpdates)) {
          throw new ProtocolError('EnableContinuousUpdates without announcing the ContinuousUpdates encoding');
        }
        if (m.enable) {
          this.continuous = intersectRect(m, { x: 0, y: 0, w: this.width, h: this.height });
          this.scheduleSend();
        } else {
          this.continuous = null;
          this.write(Buffer.from([ServerMessageType.EndOfContinuousUpdates]));
        }
        break;
      case 'fence':
        if (m.flags & FENCE_REQUEST) {
          this.pendingFences.push({ flags: m.flags & FENCE_SUPPORTED, payload: m.payload });
          this.flushFences();
        }
        break;
      case 'setDesktopSize':
        void this.resizeRequested(m.width, m.height, m.screens.length);
        break;
      case 'cutText':
        if (m.extended) this.onExtendedClipboard(m.text);
        else if (!this.viewOnly) this.host.onClipboard(this, m.text.toString('latin1'));
        break;
      default:
        if (!this.viewOnly) this.host.onInput(this, m);
    }
  }

  /** The cursor painted over the frame, for clients that cannot draw it (and only where it is sent). */
  private cursorOverlay(frame: Frame, rects: readonly Rect[], cursor: CursorImage | null): { rect: Rect; pixels: Uint32Array } | null {
    if (this.supports(PseudoEncoding.Cursor)) return null;
    const p = this.host.pointer();
    const bounds = cursor && p ? cursorBounds(cursor, p.x, p.y) : null;
    const rect = bounds ? intersectRect(bounds, { x: 0, y: 0, w: frame.width, h: frame.height }) : null;
    this.paintedCursor = rect;
    if (!rect || !rects.some((r) => intersectRect(r, rect))) return null;
    return { rect, pixels: compositeCursor(frame, rect, cursor, p!.x, p!.y) };
  }

  private async resizeRequested(width: number, height: number, screens: number): Promise<void> {
    this.requestedSize = { w: width, h: height };
    let status: number;
    if (this.viewOnly) status = 1;
    else if (screens !== 1 || width < 1 || height < 1) status = 3; // we offer one screen
    else {
      try {
        status = await this.host.onResizeRequest(this, width, height);
      } catch (e) {
        this.log.warn({ err: e }, 'desktop resize failed');
        status = 2;
      }
    }
    if (this.state !== 'normal') return;
    // On success the new size itself is the answer (reason 1): already sent, or about to be.
    if (status === 0 && (this.requestedSize === null || this.resizePending)) return;
    this.requestedSize = null;
    this.desktopSizeReply = { status };
    this.scheduleSend();
  }

  private onExtendedClipboard(payload: Buffer): void {
    const msg = parseExtendedClipboard(payload, this.host.maxCutText());
    switch (msg.action) {
      case 'caps':
        this.clipboardCaps = { actions: msg.actions, formats: msg.formats };
        break;
      case 'request':
        if (msg.formats & ClipboardFormat.Text && this.offeredText !== null) this.write(provideMessage(this.offeredText));
        break;
      case 'peek':
        this.write(notifyMessage(this.offeredText !== null ? ClipboardFormat.Text : 0));
        break;
      case 'notify':
        // The client has new clipboard contents: ask for the text if it has some.
        if (!this.viewOnly && msg.formats & ClipboardFormat.Text) this.write(requestMessage(ClipboardFormat.Text));
        break;
      case 'provide':
        if (this.viewOnly) break;
        if (msg.text === null) this.log.warn(`client clipboard exceeds the limit of ${this.host.maxCutText()} bytes; ignored`);
        else this.host.onClipboard(this, msg.text);
        break;
    }
  }

  /**
   * The desktop clipboard changed. Extended Clipboard clients are told there is
   * text (they ask for it, and get it in UTF-8); others get Latin-1 cut text.
   */
  sendClipboard(text: string): void {
    if (this.state !== 'normal') return;
    const max = this.host.maxCutText();
    if (this.supports(PseudoEncoding.ExtendedClipboard) && this.clipboardCaps && this.clipboardCaps.actions & ClipboardAction.Request) {
      this.offeredText = Buffer.byteLength(text) > max ? truncateUtf8(text, max) : text;
      this.write(notifyMessage(ClipboardFormat.Text));
      return;
    }
    const latin1 = toLatin1(text);
    const b = Buffer.alloc(8 + Math.min(latin1.length, max));
    b[0] = ServerMessageType.ServerCutText;
    b.writeUInt32BE(b.length - 8, 4);
    latin1.copy(b, 8, 0, b.length - 8);
    this.write(b);
  }

  /** Fence replies keep their place after any update being written (BlockBefore semantics). */
  private flushFences(): void {
    if (this.sending) return;
    for (const f of this.pendingFences) {
      const b = Buffer.alloc(9 + f.payload.length);
      b[0] = ServerMessageType.ServerFence;
      b.writeUInt32BE(f.flags, 4);
      b[8] = f.payload.length;
      f.payload.copy(b, 9);
      this.write(b);
    }
    this.pendingFences = [];
  }

  /** The desktop changed in these areas (the frame already holds the new pixels). */
  markChanged(rects: readonly Rect[]): void {
    if (this.state !== 'normal') return;
    for (const r of rects) this.dirty.mark(r);
    this.scheduleSend();
  }

  /**
   * Areas that moved on the desktop (scrolling). A copy is only right for a
   * client whose screen shows the source as it was, so it is used only when
   * nothing is pending or in flight there; otherwise the destination is
   * simply marked changed.
   */
  applyCopies(copies: readonly CopyOp[]): void {
    if (this.state !== 'normal' || copies.length === 0) return;
    const usable =
      this.encodings.includes(Encoding.CopyRect) && !this.sending && this.pendingCopies.length === 0 && !this.resizePending;
    const accepted: CopyOp[] = [];
    for (const c of copies) {
      const src = { x: c.srcX, y: c.srcY, w: c.dst.w, h: c.dst.h };
      const inside = (r: Rect) => r.x >= 0 && r.y >= 0 && r.x + r.w <= this.width && r.y + r.h <= this.height;
      if (usable && inside(src) && inside(c.dst) && !this.dirty.intersects(src)) accepted.push(c);
      else this.dirty.mark(c.dst);
    }
    this.pendingCopies = accepted;
    this.scheduleSend();
  }

  /**
   * The cursor's shape or position changed. Clients with the Cursor
   * pseudo-encoding get the new shape; for the others the cursor is painted
   * into the pixels, so its old and new places are marked changed.
   */
  cursorChanged(): void {
    if (this.state !== 'normal') return;
    if (this.supports(PseudoEncoding.Cursor)) {
      const c = this.host.cursor();
      if ((c?.serial ?? -2) !== this.cursorSerial) this.scheduleSend();
      return;
    }
    const c = this.host.cursor();
    const p = this.host.pointer();
    if (this.paintedCursor) this.dirty.mark(this.paintedCursor);
    const now = c && p ? cursorBounds(c, p.x, p.y) : null;
    if (now) this.dirty.mark(now);
    this.scheduleSend();
  }

  /** The desktop name changed; clients that announced DesktopName hear of it in their next update. */
  desktopNameChanged(): void {
    if (this.state !== 'normal' || !this.supports(PseudoEncoding.DesktopName)) return;
    this.nameChanged = true;
    this.scheduleSend();
  }

  /** The desktop has a new size; the frame passed to the host already has it. */
  resized(): void {
    if (this.state !== 'normal') return;
    this.resizePending = true;
    this.scheduleSend();
  }

  /** True while this session has asked for pixels and is not yet served. */
  get wantsUpdate(): boolean {
    return this.state === 'normal' && (this.request !== null || this.continuous !== null);
  }

  /** Send what is due now or set a timer for it; runs in this client's log context whoever calls it. */
  scheduleSend(): void {
    if (this.state !== 'normal' || this.sending || this.sendTimer) return;
    LogContext.run(this.logContext, () => this.scheduleSendInContext());
  }

  private scheduleSendInContext(): void {
    if (!this.request && !this.continuous && !this.desktopSizeReply) return;
    // Someone is waiting: make sure the capture loop runs, even if nothing is pending yet.
    this.host.onWantsUpdate(this);
    const emptyRequest = this.request !== null && this.request.w === 0;
    const cursorDue = this.supports(PseudoEncoding.Cursor) && (this.host.cursor()?.serial ?? -2) !== this.cursorSerial && this.host.cursor() !== null;
    const pseudo = this.desktopSizeReply !== null || this.resizePending || this.nameChanged || this.announceSize || cursorDue;
    if (this.dirty.empty && this.pendingCopies.length === 0 && !pseudo && !emptyRequest) return;
    if (this.socket.writableLength > this.opts.maxQueuedBytes) return; // 'drain' calls us again
    const wait = this.lastSendAt + this.host.updateInterval() - Date.now();
    if (wait > 0) {
      this.sendTimer = setTimeout(() => {
        this.sendTimer = null;
        this.scheduleSend();
      }, wait);
      return;
    }
    void this.sendUpdate();
  }

  private applyPendingSettings(): void {
    if (this.formatChanged) {
      this.converter = new PixelConverter(this.clientFormat);
      this.manager.setConverter(this.converter);
      this.formatChanged = false;
    }
    if (this.encodingsChanged) {
      this.manager.setEncodings(this.encodings);
      this.encodingsChanged = false;
    }
  }

  private async sendUpdate(): Promise<void> {
    if (this.sending || this.state !== 'normal') return;
    // The frame-rate budget runs from the start of one update to the start of the next,
    // so encoding time does not stretch the interval.
    this.lastSendAt = Date.now();
    const frame = this.host.frame();
    const out = new ByteWriter(64 * 1024);
    const stats: RectStats[] = [];
    const started = performance.now();
    this.applyPendingSettings();
    const header = out.reserve(4);
    let count = 0;

    if (this.resizePending && (frame.width !== this.width || frame.height !== this.height)) {
      if (this.supports(PseudoEncoding.ExtendedDesktopSize) || this.supports(PseudoEncoding.DesktopSize)) {
        this.width = frame.width;
        this.height = frame.height;
        this.dirty.resize(frame.width, frame.height);
        this.dirty.markAll();
        this.pendingCopies = [];
        // If this client asked for this change, the new size is its answer (reason 1, status 0).
        const mine = this.requestedSize !== null && this.requestedSize.w === frame.width && this.requestedSize.h === frame.height;
        if (mine) this.requestedSize = null;
        this.writeSizeRect(out, mine ? 1 : 0, 0);
        count++;
        this.resizePending = false;
        this.finishUpdate(out, header, count, stats, started);
        return;
      }
      // A client that cannot follow a resize keeps its size; it sees the part that still fits.
    }
    this.resizePending = false;
    if (this.nameChanged) {
      const name = Buffer.from(this.host.desktopName(), 'utf8');
      out.u16(0).u16(0).u16(0).u16(0).s32(PseudoEncoding.DesktopName).u32(name.length).bytes(name);
      count++;
      this.nameChanged = false;
    }
    const cursor = this.host.cursor();
    if (this.supports(PseudoEncoding.Cursor) && cursor && cursor.serial !== this.cursorSerial) {
      writeCursorRect(out, cursor, this.converter);
      this.cursorSerial = cursor.serial;
      count++;
    }
    if (this.announceSize) {
      if (this.supports(PseudoEncoding.ExtendedDesktopSize)) {
        this.writeSizeRect(out, 0, 0);
        count++;
      }
      this.announceSize = false;
    }
    if (this.desktopSizeReply) {
      if (this.supports(PseudoEncoding.ExtendedDesktopSize)) {
        this.writeSizeRect(out, 1, this.desktopSizeReply.status);
        count++;
      }
      this.desktopSizeReply = null;
    }

    const area = this.request ?? this.continuous;
    const visible = { x: 0, y: 0, w: Math.min(this.width, frame.width), h: Math.min(this.height, frame.height) };
    const within = area ? intersectRect(area, visible) : null;
    const rects = within ? this.dirty.take(within) : [];
    const copies = this.pendingCopies;
    this.pendingCopies = [];
    if (rects.length === 0 && copies.length === 0 && count === 0) {
      // Incremental request with nothing new: keep it outstanding until something changes.
      if (this.request && this.request.w === 0) this.finishUpdate(out, header, 0, stats, started);
      return;
    }
    this.manager.overlay = this.cursorOverlay(frame, rects, cursor);
    this.sending = true;
    try {
      count += await this.manager.encodeRects(frame, rects, copies, out, (s) => stats.push(s));
    } catch (e) {
      this.sending = false;
      this.close(`encoding failed: ${(e as Error).message}`, 'warn');
      return;
    }
    this.sending = false;
    if (this.state !== 'normal') return;
    this.finishUpdate(out, header, count, stats, started);
    this.flushFences();
  }

  private finishUpdate(out: ByteWriter, header: number, count: number, stats: RectStats[], started: number): void {
    if (count > 0xffff) {
      this.close(`update with ${count} rectangles exceeds the protocol limit`, 'warn');
      return;
    }
    out.patchU8(header, 0);
    out.patchU8(header + 1, 0);
    out.patchU16(header + 2, count);
    const data = out.view();
    const writtenAt = performance.now();
    this.write(data, () => this.host.onUpdateFlushed?.(this, performance.now() - writtenAt));
    this.updatesSent++;
    if (this.request) this.request = null;
    this.host.onUpdateSent?.(this, { rects: stats, bytes: data.length, encodeMs: performance.now() - started });
    // Continuous updates (or changes that arrived meanwhile) may need another round.
    if (!this.dirty.empty || this.continuous) this.scheduleSend();
  }

  /** DesktopSize or ExtendedDesktopSize pseudo-rectangle with the current size. */
  private writeSizeRect(out: ByteWriter, reason: number, status: number): void {
    if (this.supports(PseudoEncoding.ExtendedDesktopSize)) {
      out.u16(reason).u16(status).u16(this.width).u16(this.height).s32(PseudoEncoding.ExtendedDesktopSize);
      out.u8(1).pad(3);
      // Screen id 1: libvncclient ignores layouts whose only screen has id 0.
      out.u32(1).u16(0).u16(0).u16(this.width).u16(this.height).u32(0);
    } else {
      out.u16(0).u16(0).u16(this.width).u16(this.height).s32(PseudoEncoding.DesktopSize);
    }
  }
}

/** Cut text to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, max: number): string {
  const b = Buffer.from(text, 'utf8');
  let end = Math.min(max, b.length);
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.toString('utf8', 0, end);
}

function boundingBox(a: Rect, b: Rect): Rect {
  if (a.w === 0 || a.h === 0) return b;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

