import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Rect } from '../framebuffer/rect.js';
import type { CopyOp } from '../framebuffer/region.js';
import { getLogger } from '../base/logger.js';
import { LogContext, type LogContextFields } from '../base/log-context.js';
import { DEFAULT_LIMITS, parseClientMessage } from './client-messages.js';
import { ProtocolError } from './errors.js';
import { runHandshake, type HandshakeResult, type RfbMinor } from './handshake.js';
import { NATIVE_FORMAT, type PixelFormat } from './pixel-format.js';
import { bell, serverInit } from './server-messages.js';
import { ClientParams } from './session/client-params.js';
import { Connection, type SocketLike } from './session/connection.js';
import type { Access } from './security/security-type.js';
import { Clipboard } from './session/clipboard.js';
import type { SessionContext, SessionGrant, SessionHost, SessionOptions, Transport } from './session/context.js';
import { CursorShape } from './session/cursor-shape.js';
import { DesktopName } from './session/desktop-name.js';
import { DesktopSize } from './session/desktop-size.js';
import { MessageHandler } from './session/message-handler.js';
import { UpdateScheduler } from './session/update-scheduler.js';
import { pacingEnabled, type PacingInfo } from './session/pacing.js';

export type { InputMessage, SessionGrant, SessionHost, SessionOptions, Transport, UpdateStats } from './session/context.js';

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  handshakeTimeoutMs: 10_000,
  limits: DEFAULT_LIMITS,
  maxQueuedBytes: 4 * 1024 * 1024,
};

/** The reason recorded when the client closed the connection itself. */
export const CLIENT_LEFT = 'client disconnected';

/**
 * A viewer comes over the network and goes through the handshake. A watcher
 * is the server's own (the recorder): an in-process stream that starts past
 * the handshake, since nothing outside the process can reach it.
 */
export type SessionKind = 'viewer' | 'watcher';

/**
 * One connected client: the connection's bytes, framed into the handshake
 * and then client messages, and the parts that act on them — what each
 * message does (session/message-handler.ts), when updates go out and what
 * they hold (session/update-scheduler.ts), and the protocol extensions
 * (clipboard, desktop size and name, cursor shape). The server talks to the
 * session; the parts talk to each other through its SessionContext.
 */
export class Session {
  readonly id = randomUUID();
  readonly address: string;
  readonly connectedAt = new Date();
  readonly log: Logger;
  /** Fields on every log line written while serving this client. */
  private readonly logContext: LogContextFields;
  private state: 'handshake' | 'normal' | 'closed' = 'handshake';
  private readonly connection: Connection;
  private inbuf: Buffer = Buffer.alloc(0);
  /** Bytes of an over-long cut text still to be dropped as they arrive. */
  private skipBytes = 0;
  private handshakeTimer: NodeJS.Timeout | null = null;

  private readonly params = new ClientParams();
  private readonly context: SessionContext;
  private readonly updates: UpdateScheduler;
  private readonly clipboard: Clipboard;
  private readonly size: DesktopSize;
  private readonly name: DesktopName;
  private readonly cursor: CursorShape;
  private readonly handler: MessageHandler;

  bytesSent = 0;
  /** Whether the handshake completed (the client got ServerInit). */
  initialised = false;
  /** The client's IP address, without the port (what the blacklist and the audit trail key on). */
  readonly ip: string;
  /** The security type it chose (its settings name), from when its exchange began (None: once through). */
  securityType: string | null = null;
  /** How it came: over TCP, or a browser's WebSocket. */
  get transport(): Transport {
    return this.opts.transport ?? 'tcp';
  }
  /** An invitation it came with (see SessionGrant), if any. */
  get grant(): SessionGrant | undefined {
    return this.opts.grant;
  }
  /** The user it logged in as, for security types with user names. */
  user: string | null = null;
  /** What its credentials allowed (a view-only password gives view-only), once authenticated. */
  access: Access | null = null;

  constructor(
    socket: SocketLike,
    private readonly host: SessionHost,
    private readonly opts: SessionOptions = DEFAULT_SESSION_OPTIONS,
    readonly kind: SessionKind = 'viewer',
  ) {
    this.address = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    this.ip = socket.remoteAddress ?? 'unknown';
    this.log = getLogger('session').child({ session: this.id.slice(0, 8), client: this.address });
    this.logContext = { session: this.id.slice(0, 8), client: this.address };
    this.context = this.makeContext();
    this.clipboard = new Clipboard(this.context);
    this.size = new DesktopSize(this.context);
    this.name = new DesktopName(this.context);
    this.cursor = new CursorShape(this.context);
    this.updates = new UpdateScheduler(this.context, { size: this.size, name: this.name, cursor: this.cursor }, this.logContext, opts.maxQueuedBytes, opts.pacing ?? pacingEnabled());
    this.handler = new MessageHandler(this.context, this.updates, this.clipboard, this.size);
    // Whatever runs for this client (here or in the host's handlers) logs with its session and address.
    const inContext = <A extends unknown[]>(fn: (...args: A) => void) => LogContext.bind(this.logContext, fn);
    this.connection = new Connection(
      socket,
      {
        data: inContext((chunk: Buffer) => this.onData(chunk)),
        drain: inContext(() => this.updates.wake()),
        end: inContext((e?: Error) => this.close(e ? `socket error: ${e.message}` : CLIENT_LEFT)),
      },
      kind === 'viewer',
    );
    if (kind === 'viewer') {
      this.startHandshakeTimer();
      LogContext.run(this.logContext, () => void this.handshake());
    } else {
      this.becomeReady(true);
    }
  }

  /**
   * Stop the handshake's clock while the server waits on someone else (a
   * person answering an accept prompt, an accept command): the viewer is not
   * the one who is slow. The returned function starts a fresh
   * handshake_timeout for what is left of the handshake.
   */
  suspendHandshakeTimeout(): () => void {
    if (!this.handshakeTimer) return () => undefined;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    return () => {
      if (this.state === 'handshake' && !this.handshakeTimer) this.startHandshakeTimer();
    };
  }

  private startHandshakeTimer(): void {
    this.handshakeTimer = setTimeout(
      LogContext.bind(this.logContext, () => {
        const reason = `handshake not completed within ${this.opts.handshakeTimeoutMs} ms`;
        this.connection.failHandshake(new ProtocolError(reason));
        this.close(reason);
      }),
      this.opts.handshakeTimeoutMs,
    );
  }

  private makeContext(): SessionContext {
    // Getters and arrow functions: the parts are created after this object and read the session's state live.
    const session = this;
    return {
      session,
      params: this.params,
      host: this.host,
      log: this.log,
      get ready() {
        return session.state === 'normal';
      },
      get queuedBytes() {
        return session.connection.queuedBytes;
      },
      write: (data, onFlushed) => this.write(data, onFlushed),
      close: (reason, level) => this.close(reason, level),
      wake: () => this.updates.wake(),
      markChanged: (rects) => this.updates.markChanged(rects),
    };
  }

  /** Bytes received from the client, handshake included. */
  get bytesReceived(): number {
    return this.connection.bytesIn;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  get ready(): boolean {
    return this.state === 'normal';
  }

  get pixelFormat(): PixelFormat {
    return this.params.pixelFormat;
  }

  get clientEncodings(): readonly number[] {
    return this.params.encodings;
  }

  get minor(): RfbMinor {
    return this.params.minor;
  }

  get shared(): boolean {
    return this.params.shared;
  }

  /** A view-only client's input and clipboard are read and dropped. */
  get viewOnly(): boolean {
    return this.params.viewOnly;
  }

  set viewOnly(on: boolean) {
    this.params.viewOnly = on;
  }

  get updatesSent(): number {
    return this.updates.updatesSent;
  }

  /** Its link's round trip, bandwidth and window and the JPEG quality in use, when its updates are paced (it takes fences); else null. */
  get pacing(): PacingInfo | null {
    return this.updates.pacingInfo;
  }

  /** True while this session has asked for pixels and is not yet served. */
  get wantsUpdate(): boolean {
    return this.updates.wantsUpdate;
  }

  /** End the session; `reason` goes to the log once. */
  close(reason: string, level: 'info' | 'warn' = 'info'): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'normal';
    this.state = 'closed';
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    // One line per client that goes: why, and (for refusals) before it ever saw the desktop.
    const what =
      this.kind === 'watcher' ? 'watcher stopped' : wasReady ? 'client disconnected' : reason === CLIENT_LEFT ? 'client left during the handshake' : 'client refused';
    this.log[level]({ reason, bytesSent: this.bytesSent, updates: this.updatesSent }, `${what}: ${reason}`);
    this.updates.stop();
    this.connection.close();
    this.host.onClosed(this, reason);
  }

  private write(data: Buffer, onFlushed?: () => void): void {
    if (!this.connection.writable) return;
    this.bytesSent += data.length;
    this.connection.write(data, onFlushed && ((err?: Error | null) => void (err ? undefined : onFlushed())));
  }

  /** Frame incoming bytes (past the handshake) into client messages; a short read waits for more, never throws. */
  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
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
        if (this.state !== 'normal') break; // bytes sent ahead of ServerInit wait for it
        const n = this.feedMessage(off);
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

  /** Run the handshake to ServerInit; any failure closes the session with its reason. */
  private async handshake(): Promise<void> {
    let result: HandshakeResult;
    const connection = this.connection;
    try {
      result = await runHandshake(
        {
          get address() {
            return connection.address;
          },
          get minor() {
            return connection.minor;
          },
          read: (n) => connection.read(n),
          write: (data) => this.write(data),
          startTls: (options) => connection.startTls(options),
          setCipher: (cipher) => connection.setCipher(cipher),
          setMinor: (minor) => {
            connection.setMinor(minor);
            this.params.minor = minor;
          },
        },
        this.host.handshakePolicy(this),
      );
    } catch (e) {
      // The client left, the timer fired, or it sent what no security type accepts.
      if (!this.closed) this.close(e instanceof ProtocolError ? e.message : `handshake failed: ${(e as Error).message}`, 'warn');
      return;
    }
    if (this.closed) return;
    if (!result.ok) {
      this.close(result.reason, 'warn');
      return;
    }
    this.securityType = result.securityType.name;
    this.access = result.access;
    if (result.user !== undefined) this.user = result.user;
    if (result.access === 'view-only') this.params.viewOnly = true;
    // The client may have sent its first messages right behind ClientInit.
    const early = this.connection.endHandshake();
    this.onClientInit(result.shared);
    if (early.length > 0 && !this.closed) this.onData(early);
  }

  private onClientInit(shared: boolean): void {
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    this.params.shared = shared;
    if (!this.host.onInitialised(this, shared)) return;
    const frame = this.becomeReady(shared);
    this.write(serverInit(frame.width, frame.height, NATIVE_FORMAT, this.host.desktopName()));
    this.log.info({ version: `3.${this.params.minor}`, shared, security: this.securityType, access: this.access, ...(this.user ? { user: this.user } : {}) }, 'client connected');
  }

  /** Past the handshake: updates can flow, sized to the desktop as it is now. */
  private becomeReady(shared: boolean): { width: number; height: number } {
    const frame = this.host.frame();
    this.params.shared = shared;
    this.updates.begin(frame.width, frame.height);
    this.state = 'normal';
    this.initialised = true;
    this.host.onReady?.(this);
    return frame;
  }

  private feedMessage(off: number): number {
    const { consumed, message } = parseClientMessage(this.inbuf, off, this.opts.limits);
    if (!message) return consumed;
    // An over-long cut text is not buffered: its bytes are dropped as they arrive.
    if (message.type === 'cutTextTooLong') this.skipBytes = message.length;
    this.handler.handle(message);
    return consumed;
  }

  // ---- what the server tells this client

  /** The desktop rang its bell. */
  ringBell(): void {
    if (this.ready) this.write(bell());
  }

  /** The desktop clipboard changed. */
  sendClipboard(text: string): void {
    this.clipboard.toClient(text);
  }

  /** The desktop changed in these areas (the frame already holds the new pixels). */
  markChanged(rects: readonly Rect[]): void {
    this.updates.markChanged(rects);
  }

  /** Areas that moved on the desktop (scrolling), already in the frame. */
  applyCopies(copies: readonly CopyOp[]): void {
    this.updates.applyCopies(copies);
  }

  /** The cursor's shape or position changed. */
  cursorChanged(): void {
    this.cursor.changed();
  }

  /** The desktop name changed; clients that announced DesktopName hear of it in their next update. */
  desktopNameChanged(): void {
    this.name.changed();
  }

  /** The desktop has a new size; the frame passed to the host already has it. */
  resized(): void {
    this.size.resized();
  }

  /** Send what is due now or set a timer for it (e.g. the frame became fresh again). */
  scheduleSend(): void {
    this.updates.wake();
  }
}
