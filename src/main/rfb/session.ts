import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Rect } from '../framebuffer/rect.js';
import type { CopyOp } from '../framebuffer/region.js';
import { getLogger } from '../base/logger.js';
import { LogContext, type LogContextFields } from '../base/log-context.js';
import { DEFAULT_LIMITS, parseClientMessage } from './client-messages.js';
import { ProtocolError } from './errors.js';
import { Handshake, type HandshakeEvent, type RfbMinor } from './handshake.js';
import { NATIVE_FORMAT, type PixelFormat } from './pixel-format.js';
import { bell, serverInit } from './server-messages.js';
import { ClientParams } from './session/client-params.js';
import { Clipboard } from './session/clipboard.js';
import type { SessionContext, SessionHost, SessionOptions } from './session/context.js';
import { CursorShape } from './session/cursor-shape.js';
import { DesktopName } from './session/desktop-name.js';
import { DesktopSize } from './session/desktop-size.js';
import { MessageHandler } from './session/message-handler.js';
import { UpdateScheduler } from './session/update-scheduler.js';

export type { InputMessage, SessionHost, SessionOptions, UpdateStats } from './session/context.js';

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  handshakeTimeoutMs: 10_000,
  limits: DEFAULT_LIMITS,
  maxQueuedBytes: 4 * 1024 * 1024,
};

type SocketLike = Duplex & { remoteAddress?: string | undefined; remotePort?: number | undefined };

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
  private readonly handshake: Handshake | null;
  private inbuf: Buffer = Buffer.alloc(0);
  /** Bytes of an over-long cut text still to be dropped as they arrive. */
  private skipBytes = 0;
  private handshakeTimer: NodeJS.Timeout | null;

  private readonly params = new ClientParams();
  private readonly context: SessionContext;
  private readonly updates: UpdateScheduler;
  private readonly clipboard: Clipboard;
  private readonly size: DesktopSize;
  private readonly name: DesktopName;
  private readonly cursor: CursorShape;
  private readonly handler: MessageHandler;

  bytesSent = 0;
  bytesReceived = 0;
  /** Whether the handshake completed (the client got ServerInit). */
  initialised = false;

  constructor(
    private readonly socket: SocketLike,
    private readonly host: SessionHost,
    private readonly opts: SessionOptions = DEFAULT_SESSION_OPTIONS,
    readonly kind: SessionKind = 'viewer',
  ) {
    this.address = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    this.log = getLogger('session').child({ session: this.id.slice(0, 8), client: this.address });
    this.logContext = { session: this.id.slice(0, 8), client: this.address };
    this.context = this.makeContext();
    this.clipboard = new Clipboard(this.context);
    this.size = new DesktopSize(this.context);
    this.name = new DesktopName(this.context);
    this.cursor = new CursorShape(this.context);
    this.updates = new UpdateScheduler(this.context, { size: this.size, name: this.name, cursor: this.cursor }, this.logContext, opts.maxQueuedBytes);
    this.handler = new MessageHandler(this.context, this.updates, this.clipboard, this.size);
    // Whatever runs for this client (here or in the host's handlers) logs with its session and address.
    const inContext = <A extends unknown[]>(fn: (...args: A) => void) => LogContext.bind(this.logContext, fn);
    if (kind === 'viewer') {
      this.handshake = new Handshake({ password: host.password(), refuseReason: host.admissionRefusal(this) });
      this.handshakeTimer = setTimeout(
        inContext(() => this.close(`handshake not completed within ${opts.handshakeTimeoutMs} ms`)),
        opts.handshakeTimeoutMs,
      );
    } else {
      this.handshake = null;
      this.handshakeTimer = null;
    }
    socket.on('data', inContext((chunk: Buffer) => this.onData(chunk)));
    socket.on('drain', inContext(() => this.updates.wake()));
    socket.on('error', inContext((e: Error) => this.close(`socket error: ${e.message}`)));
    socket.on('close', inContext(() => this.close(CLIENT_LEFT)));
    if (this.handshake) this.write(this.handshake.greeting());
    else this.becomeReady(true);
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
        return session.socket.writableLength;
      },
      write: (data, onFlushed) => this.write(data, onFlushed),
      close: (reason, level) => this.close(reason, level),
      wake: () => this.updates.wake(),
      markChanged: (rects) => this.updates.markChanged(rects),
    };
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

  /** Frame incoming bytes into handshake steps and messages; a short read waits for more, never throws. */
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
    if (!this.handshake) return 0; // a watcher has none: never in this state
    const events: HandshakeEvent[] = [];
    const n = this.handshake.feed(this.inbuf, off, events);
    for (const ev of events) {
      switch (ev.kind) {
        case 'output':
          this.write(ev.data);
          break;
        case 'version':
          this.params.minor = ev.minor;
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
    this.params.shared = shared;
    if (!this.host.onInitialised(this, shared)) return;
    const frame = this.becomeReady(shared);
    this.write(serverInit(frame.width, frame.height, NATIVE_FORMAT, this.host.desktopName()));
    this.log.info({ version: `3.${this.params.minor}`, shared }, 'client connected');
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
