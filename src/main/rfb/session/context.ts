import type { Logger } from 'pino';
import type { ClientMessage, ParseLimits } from '../client-messages.js';
import type { CursorImage } from '../../framebuffer/cursor-image.js';
import type { Frame } from '../../framebuffer/frame.js';
import type { Rect } from '../../framebuffer/rect.js';
import type { RectStats } from '../encodings/encode-manager.js';
import type { SharedEncodes } from '../encodings/shared-encodes.js';
import type { HandshakePolicy } from '../handshake.js';
import type { Session } from '../session.js';
import type { ClientParams } from './client-params.js';

/** The client messages that are desktop input. */
export type InputMessage = Extract<ClientMessage, { type: 'key' | 'pointer' | 'qemuKey' }>;

export interface UpdateStats {
  rects: RectStats[];
  bytes: number;
  encodeMs: number;
}

/** What a session needs from the server that owns it; one host serves every session, so each call names its session. */
export interface SessionHost {
  /** The current desktop image (its size is the server's framebuffer size). */
  frame(): Frame;
  /** The server's cache of rectangles encoded for viewers with the same settings (none: each encodes alone). */
  sharedEncodes?(): SharedEncodes;
  /**
   * Whether `frame()` shows the desktop as it is now. False after a pause in
   * capturing (nobody was watching): the session then waits for the next
   * capture, announced by the server, before it sends pixels.
   */
  frameIsFresh(): boolean;
  desktopName(): string;
  /** Milliseconds between updates to one client (1000 / frame rate). */
  updateInterval(): number;
  /** What this client's handshake offers and asks (security types, credentials, approval). */
  handshakePolicy(session: Session): HandshakePolicy;
  /** ClientInit arrived; return false to refuse. The server applies the shared flag here. */
  onInitialised(session: Session, shared: boolean): boolean;
  /** The session is past its handshake (or, a watcher, has none) and counts as watching. */
  onReady?(session: Session): void;
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

/** How a client reached the server: TCP, or a browser's WebSocket, plain (ws://) or inside TLS (wss://). */
export type Transport = 'tcp' | 'websocket' | 'websocket-tls';

/**
 * What a client brought besides its RFB credentials: an invitation the
 * WebSocket gateway checked (then it is offered only Security None, with the
 * invitation's access), or one that failed (then the handshake ends with the
 * reason before security, which a browser viewer shows).
 */
export type SessionGrant = { ok: true; access: 'full' | 'view-only'; label: string } | { ok: false; reason: string };

export interface SessionOptions {
  handshakeTimeoutMs: number;
  /** How the client came (default TCP): a browser over WebSocket cannot be offered TLS inside it. */
  transport?: Transport;
  /** Let in without credentials (an invitation link), or refused with a reason before security. */
  grant?: SessionGrant;
  limits: ParseLimits;
  /** Stop writing updates while more than this many bytes wait in the socket. */
  maxQueuedBytes: number;
  /** Pace updates by the link's measured bandwidth and latency, for clients that take fences (default: unless TRAYVNC_PACING=0). */
  pacing?: boolean;
}

/**
 * What the parts of one session (message handler, update scheduler,
 * extensions) share: the client's parameters, the host, the log, and the
 * session's own ways to write and to end.
 */
export interface SessionContext {
  readonly session: Session;
  readonly params: ClientParams;
  readonly host: SessionHost;
  readonly log: Logger;
  /** Past the handshake and not closed. */
  readonly ready: boolean;
  /** Bytes still queued in the socket (back-pressure). */
  readonly queuedBytes: number;
  /** Put a server message on the wire; `onFlushed` runs once the socket has taken it. */
  write(data: Buffer, onFlushed?: () => void): void;
  close(reason: string, level?: 'info' | 'warn'): void;
  /** Something may be due: send an update now or when the frame-rate budget allows. */
  wake(): void;
  /** Areas of the client's screen to send again (then wake). */
  markChanged(rects: readonly Rect[]): void;
}
