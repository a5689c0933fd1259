import net from 'node:net';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createFrame, type Frame } from '../framebuffer/frame.js';
import type { CursorImage } from '../framebuffer/cursor-image.js';
import type { Rect } from '../framebuffer/rect.js';
import type { CopyOp } from '../framebuffer/region.js';
import { listen } from '../base/listen.js';
import { getLogger } from '../base/logger.js';
import { LogContext } from '../base/log-context.js';
import { PseudoEncoding } from './constants.js';
import { SharedEncodes } from './encodings/shared-encodes.js';
import { CLIENT_LEFT, Session, type InputMessage, type SessionGrant, type SessionHost, type Transport, type UpdateStats } from './session.js';
import { clampFrameRate } from '../../shared/frame-rate.js';
import type { SecurityType } from './security/security-type.js';
import { FirstBytesRouter } from './first-bytes.js';
import { ServerDoor, type ConnectionApprover } from './server-door.js';
import { DEFAULT_SERVER_OPTIONS, type RfbServerOptions } from './rfb-server-options.js';

export type { Approval, ApprovalRequest, ConnectionApprover } from './server-door.js';

export { DEFAULT_SERVER_OPTIONS, type RfbServerOptions } from './rfb-server-options.js';

/** Changes the desktop size for a client's SetDesktopSize; resolves to an ExtendedDesktopSize status. */
export type DesktopResizer = (width: number, height: number) => Promise<number>;

export interface RfbServerEvents {
  input: [session: Session, message: InputMessage];
  clipboard: [session: Session, text: string];
  connected: [session: Session];
  disconnected: [session: Session, reason: string];
  /**
   * A connection was refused: `session` is null when it was refused before its
   * handshake began (blacklisted, over its rate); `announced` says whether the
   * log said so (once per block or burst, not per attempt).
   */
  refused: [address: string, reason: string, session: Session | null, announced: boolean];
  /** An address was blocked for `ms` after too many security failures. */
  blocked: [address: string, ms: number];
  /** A client authenticated (right credentials) or failed to (wrong ones, or it left after the challenge). */
  authenticated: [session: Session, ok: boolean];
  update: [session: Session, stats: UpdateStats];
  /** An update's bytes left for the network, `sendMs` after they were written. */
  flushed: [session: Session, sendMs: number];
  /** Some client waits for pixels: the host should capture (it may already be doing so). */
  demand: [];
  /** The update rate changed (setFrameRate): a source that paces itself follows it. */
  frameRate: [fps: number];
  /** Someone started or stopped watching (a viewer or a watcher such as the recorder): capture follows it. */
  watching: [watching: boolean];
  /** A viewer was given control or made view-only (setViewOnly); `by` names who asked, when known. */
  control: [session: Session, viewOnly: boolean, by: string | null];
  /** The desktop's clipboard text went to the viewers (broadcastClipboard). */
  clipboardToViewers: [text: string];
}

/** What the owner of a watcher hears from it (see acceptWatcher). */
export interface WatcherHooks {
  /** One update went out on the watcher's stream (its bytes were written just before). */
  onUpdate(stats: UpdateStats): void;
}

/**
 * The RFB server: accepts connections (TCP, or any Duplex a transport hands
 * it), runs one Session per client and fans desktop changes out to them. It
 * knows nothing of where pixels come from: the host sets the frame and reports
 * changed areas (neatvnc's feed-frame model).
 */
export class RfbServer extends EventEmitter<RfbServerEvents> {
  readonly options: RfbServerOptions;
  private readonly log: Logger;
  private readonly sessions = new Set<Session>();
  private readonly watchers = new Map<Session, WatcherHooks>();
  private watched = false;
  private frame: Frame = createFrame(1, 1);
  /** Whether the frame shows the desktop as it is now (see setFrameFresh). */
  private fresh = true;
  private tcp: net.Server | null = null;
  /** Browsers on the VNC port: set by whoever serves WebSocket (see first-bytes.ts); null: every connection is RFB. */
  webOnRfbPort: ((socket: net.Socket, kind: 'http' | 'tls') => void) | null = null;
  private cursorImage: CursorImage | null = null;
  private pointerAt: { x: number; y: number } | null = null;
  /** Rectangles of the current frame encoded once for all viewers with the same settings. */
  readonly sharedEncodes = new SharedEncodes();
  /** Installed by the host when its desktop can be resized. */
  resizer: DesktopResizer | null = null;
  /** Installed by the host for attended access: asked about every client that authenticated. */
  approver: ConnectionApprover | null = null;
  private readonly door: ServerDoor;

  constructor(options: Partial<RfbServerOptions> = {}) {
    super();
    this.options = { ...DEFAULT_SERVER_OPTIONS, ...options };
    this.log = getLogger('server');
    const server = this;
    this.door = new ServerDoor(
      {
        options: this.options,
        log: this.log,
        viewerCount: () => this.clients.length,
        approver: () => server.approver,
        refused: (address, reason, session, announced) => this.emit('refused', address, reason, session, announced),
        authenticated: (session, ok) => this.emit('authenticated', session, ok),
        blocked: (address, ms) => this.emit('blocked', address, ms),
      },
      this.options.admission,
    );
  }

  /** Connections still in their handshake. */
  get pendingHandshakes(): number {
    return this.door.pending;
  }

  /** The viewers past the handshake (watchers are not viewers: they are not listed, counted or told). */
  get clients(): Session[] {
    return [...this.sessions].filter((s) => s.ready && s.kind === 'viewer');
  }

  /** True when someone watches the desktop: a viewer past the handshake, or a watcher (the recorder). */
  get hasClients(): boolean {
    for (const s of this.sessions) if (s.ready) return true;
    return false;
  }

  /** True when a connected client cannot draw the cursor itself (it is painted at the pointer's position). */
  get needsPointerPosition(): boolean {
    for (const s of this.sessions) if (s.ready && !s.clientEncodings.includes(PseudoEncoding.Cursor)) return true;
    return false;
  }

  /** True when some client has an outstanding update request. */
  get hasDemand(): boolean {
    for (const s of this.sessions) if (s.wantsUpdate) return true;
    return false;
  }

  currentFrame(): Frame {
    return this.frame;
  }

  /** Install a new frame (at start, or after the desktop was resized). */
  setFrame(frame: Frame): void {
    const resized = frame.width !== this.frame.width || frame.height !== this.frame.height;
    this.frame = frame;
    this.sharedEncodes.frameChanged();
    if (resized) for (const s of this.sessions) s.resized();
  }

  /**
   * Whether the current frame shows the desktop as it is now. A host that
   * stops capturing while nobody watches says false; sessions then hold
   * their pixels back until it says true again after its next capture, so a
   * viewer that connects after a pause never sees the old picture first.
   * A server without such a host keeps it true.
   */
  setFrameFresh(fresh: boolean): void {
    if (fresh === this.fresh) return;
    this.fresh = fresh;
    if (fresh) for (const s of this.sessions) s.scheduleSend();
  }

  get frameFresh(): boolean {
    return this.fresh;
  }

  /** The host updated these areas of the current frame. */
  markChanged(rects: readonly Rect[]): void {
    if (rects.length === 0) return;
    this.sharedEncodes.frameChanged();
    for (const s of this.sessions) s.markChanged(rects);
  }

  /**
   * The host found areas that moved (copies, applied first) and areas that
   * changed otherwise; both are already in the current frame.
   */
  applyChanges(copies: readonly CopyOp[], changed: readonly Rect[]): void {
    this.sharedEncodes.frameChanged();
    if (copies.length > 0) for (const s of this.sessions) s.applyCopies(copies);
    this.markChanged(changed);
  }

  /** Rename the desktop; clients that support DesktopName are told. */
  setDesktopName(name: string): void {
    this.options.desktopName = name;
    for (const s of this.sessions) s.desktopNameChanged();
  }

  setFrameRate(fps: number): void {
    if (!Number.isFinite(fps)) return; // a rate that is no number would switch pacing off
    const next = clampFrameRate(fps);
    if (next === this.options.frameRate) return;
    this.options.frameRate = next;
    this.emit('frameRate', next);
  }

  /** The desktop's cursor shape changed. */
  setCursor(cursor: CursorImage | null): void {
    this.cursorImage = cursor;
    for (const s of this.sessions) s.cursorChanged();
  }

  /** The pointer moved (clients that cannot draw the cursor get it painted at the new place). */
  setPointer(x: number, y: number): void {
    if (this.pointerAt && this.pointerAt.x === x && this.pointerAt.y === y) return;
    this.pointerAt = { x, y };
    for (const s of this.sessions) s.cursorChanged();
  }

  /** The desktop rang its bell: every connected client hears it (Bell, RFC 6143 §7.6.3). */
  ringBell(): void {
    for (const s of this.sessions) s.ringBell();
  }

  /** Send the desktop's new clipboard text to every client. */
  broadcastClipboard(text: string): void {
    for (const s of this.sessions) s.sendClipboard(text);
    this.emit('clipboardToViewers', text);
  }

  /** Make one client view-only or give it control (`by`: who asked); returns false if there is no such client. */
  setViewOnly(id: string, viewOnly: boolean, by: string | null = null): boolean {
    for (const s of this.sessions) {
      if (s.id === id && s.kind === 'viewer') {
        const changed = s.viewOnly !== viewOnly;
        s.viewOnly = viewOnly;
        if (changed && s.ready) this.emit('control', s, viewOnly, by);
        return true;
      }
    }
    return false;
  }

  /**
   * Serve the server's own watcher over an in-process stream: a session with
   * no handshake (nothing outside the process can reach the stream) that asks
   * for updates as a viewer does and keeps the desktop captured while it runs,
   * but is not a viewer — not listed, not counted against max_connections, not
   * in the metrics. The recorder is one.
   */
  acceptWatcher(stream: Duplex & { remoteAddress?: string | undefined; remotePort?: number | undefined }, hooks: WatcherHooks): Session {
    const session = new Session(stream, this.host, this.sessionOptions(), 'watcher');
    this.sessions.add(session);
    this.watchers.set(session, hooks);
    this.updateWatching();
    return session;
  }

  private sessionOptions() {
    return { handshakeTimeoutMs: this.options.handshakeTimeoutMs, limits: this.options.limits, maxQueuedBytes: this.options.maxQueuedBytes, pacing: this.options.pacing };
  }

  /** Tell capture when watching starts or stops. */
  private updateWatching(): void {
    const now = this.hasClients;
    if (now === this.watched) return;
    this.watched = now;
    this.emit('watching', now);
  }

  async listen(port: number, host: string): Promise<net.AddressInfo> {
    const router = new FirstBytesRouter({ rfb: (socket) => this.accept(socket), web: (socket, kind) => (this.webOnRfbPort ? this.webOnRfbPort(socket, kind) : socket.destroy()) });
    const server = net.createServer({ noDelay: true }, (socket) => (this.webOnRfbPort ? router.route(socket) : this.accept(socket)));
    const address = await listen(server, port, host, 'VNC viewers');
    this.tcp = server;
    server.on('error', (e) => this.log.error({ err: e }, 'listener error'));
    return address;
  }

  /**
   * Serve a client over an already-connected stream (TCP socket, WebSocket
   * stream, test pipe). An address that is blacklisted or over its rate is
   * refused here, before anything is read or allocated for it; null then.
   */
  accept(socket: Duplex & { remoteAddress?: string | undefined; remotePort?: number | undefined }, transport: Transport = 'tcp', grant?: SessionGrant): Session | null {
    if (!this.door.admit(socket, socket.remoteAddress ?? 'unknown')) return null;
    const session = new Session(socket, this.host, { ...this.sessionOptions(), transport, ...(grant ? { grant } : {}) });
    session.viewOnly = this.options.viewOnly;
    this.sessions.add(session);
    this.door.entering(session);
    return session;
  }

  /** Disconnect one client by id; returns false if there is none. */
  disconnect(id: string, reason = 'disconnected by the server'): boolean {
    for (const s of this.sessions) {
      if (s.id === id) {
        s.close(reason);
        return true;
      }
    }
    return false;
  }

  async close(): Promise<void> {
    for (const s of [...this.sessions]) s.close('server shutting down');
    if (this.tcp) {
      const tcp = this.tcp;
      this.tcp = null;
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  }

  /** The security types a viewer connecting now over `transport` is offered, most preferred first. */
  offeredSecurityTypes(transport: Transport = 'tcp'): SecurityType[] {
    return this.door.offered(transport);
  }

  private readonly host: SessionHost = {
    frame: () => this.frame,
    sharedEncodes: () => this.sharedEncodes,
    frameIsFresh: () => this.fresh,
    desktopName: () => this.options.desktopName,
    updateInterval: () => 1000 / this.options.frameRate,
    handshakePolicy: (session) => this.door.policy(session),
    onInitialised: (session, shared) => {
      this.door.entered(session);
      const isShared = shared || this.options.alwaysShared;
      if (!isShared) {
        for (const other of this.sessions) {
          if (other !== session && other.ready && other.kind === 'viewer') other.close('another client connected non-shared');
        }
      }
      this.emit('connected', session);
      return true;
    },
    onReady: () => this.updateWatching(),
    // Capturing serves every client: it does not run in the log context of the one that asked.
    onWantsUpdate: () => LogContext.exit(() => this.emit('demand')),
    onInput: (session, message) => {
      if (session.kind === 'viewer') this.emit('input', session, message);
    },
    onClipboard: (session, text) => {
      if (session.kind === 'viewer') this.emit('clipboard', session, text);
    },
    onResizeRequest: async (session, width, height) => {
      if (session.kind !== 'viewer' || !this.options.allowResize || !this.resizer) return 1; // prohibited
      return this.resizer(width, height);
    },
    maxCutText: () => this.options.limits.maxCutText,
    cursor: () => this.cursorImage,
    pointer: () => this.pointerAt,
    onUpdateSent: (session, stats) => {
      const watcher = this.watchers.get(session);
      if (watcher) watcher.onUpdate(stats);
      else this.emit('update', session, stats);
    },
    onUpdateFlushed: (session, ms) => {
      if (session.kind === 'viewer') this.emit('flushed', session, ms);
    },
    onClosed: (session, reason) => {
      const wasMember = this.sessions.delete(session);
      if (!wasMember) return;
      this.door.left(session);
      this.updateWatching();
      if (this.watchers.delete(session)) return;
      // A refusal is our decision; a client hanging up mid-handshake (a port probe) is not one.
      if (!session.initialised && reason !== CLIENT_LEFT) this.emit('refused', session.address, reason, session, true);
      this.emit('disconnected', session, reason);
    },
  };
}
