import type { Logger } from 'pino';
import { getLogger } from '../base/logger.js';
import type { Rect } from '../framebuffer/rect.js';
import { setEncodingsMessage, setPixelFormatMessage, updateRequestMessage } from '../rfb/client-message-writer.js';
import { Encoding, PseudoEncoding, ServerMessageType } from '../rfb/constants.js';
import type { PixelFormat } from '../../shared/pixel-format.js';
import { RECT_HEADER_BYTES } from '../rfb/server-messages.js';
import type { RfbServer, RfbServerEvents } from '../rfb/server.js';
import type { Session, UpdateStats } from '../rfb/session.js';
import type { RecordingEvent } from './format.js';
import { WatcherStream } from './watcher-stream.js';

/** Where the recorder puts what it records (RecordingWriter is one). Calls never block and never throw. */
export interface RecordingSink {
  keyframe(width: number, height: number, update: Buffer): void;
  update(update: Buffer): void;
  event(event: RecordingEvent): void;
  readonly failure: Error | null;
  onFailure(listener: (e: Error) => void): void;
}

export interface RecorderOptions {
  /** Record key events (off by default: typed passwords must not end up in files). */
  keys: boolean;
  /** Record the clipboard's text, not only its size. */
  clipboardText: boolean;
  /** Most time between keyframes while the screen changes (default 10 s). */
  keyframeIntervalMs?: number;
  log?: Logger;
}

/**
 * The pixel format of every recording: 32 bpp, little-endian, red in the
 * lowest byte — R, G, B, X bytes, what a canvas's ImageData holds, so the
 * player copies pixels as they are (docs/recording-format.md).
 */
export const RECORDING_PIXEL_FORMAT: PixelFormat = Object.freeze({
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 0,
  greenShift: 8,
  blueShift: 16,
});

/**
 * Encodings of a recording: none carries state from one update to the next,
 * so playback can start at any keyframe (docs/recording-format.md). Hextile
 * for pixels, CopyRect for scrolls, Raw as the last resort; DesktopSize to
 * follow a resize. No Cursor: the pointer is painted in, as a viewer without
 * cursor support sees it.
 */
const RECORDING_ENCODINGS = [Encoding.Hextile, Encoding.CopyRect, Encoding.Raw, PseudoEncoding.DesktopSize];

/**
 * Records the shared desktop as the server's own watcher — a session like a
 * viewer's whose socket is in-process — and what every viewer does, into a
 * RecordingSink. Works with nobody else connected: the watcher keeps the
 * desktop captured.
 */
export class Recorder {
  private readonly log: Logger;
  private session: Session | null = null;
  private stream: WatcherStream | null = null;
  private width: number;
  private height: number;
  /** The last update the session wrote, waiting for its figures (onUpdate follows the write). */
  /** The writes of the update being sent: its header first, then the pieces that follow it (UpdateParts' tail). */
  private written: Buffer[] | null = null;
  /** A non-incremental request is out: its answer covers the screen and becomes a keyframe. */
  private wantKeyframe = false;
  private lastKeyframeAt = -Infinity;
  private updatesSinceKeyframe = 0;
  private keyframeTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly server: RfbServer,
    private readonly sink: RecordingSink,
    private readonly opts: RecorderOptions,
  ) {
    this.log = opts.log ?? getLogger('recorder');
    const frame = server.currentFrame();
    this.width = frame.width;
    this.height = frame.height;
  }

  get running(): boolean {
    return this.session !== null && !this.stopped;
  }

  /** Start watching: the first update is a keyframe. */
  start(): void {
    if (this.session || this.stopped) throw new Error('a recorder starts once');
    this.follow();
    this.sink.onFailure((e) => {
      this.log.error({ err: e }, 'recording stopped');
      this.detach();
    });
    const stream = new WatcherStream((m) => this.onServerMessage(m));
    this.stream = stream;
    this.session = this.server.acceptWatcher(stream, { onUpdate: (s) => this.onUpdate(s) });
    // Who is watching as the recording begins; later comings and goings arrive as events.
    for (const viewer of this.server.clients) {
      this.sink.event({ kind: 'connect', client: viewer.id.slice(0, 8), address: viewer.address, viewOnly: viewer.viewOnly });
    }
    stream.send(setPixelFormatMessage(RECORDING_PIXEL_FORMAT));
    stream.send(setEncodingsMessage(RECORDING_ENCODINGS));
    this.request(false);
    const interval = this.opts.keyframeIntervalMs ?? 10_000;
    this.keyframeTimer = setInterval(() => this.keyframeDue(interval), Math.min(interval, 1000));
    this.keyframeTimer.unref();
  }

  /** Stop watching and following the viewers; the sink is the caller's to finish. */
  stop(): void {
    this.detach();
  }

  private detach(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.keyframeTimer) clearInterval(this.keyframeTimer);
    this.keyframeTimer = null;
    for (const off of this.unsubscribe.splice(0)) off();
    this.session?.close('recording stopped');
    this.stream?.destroy();
  }

  private request(incremental: boolean): void {
    if (!incremental) this.wantKeyframe = true;
    this.stream?.send(updateRequestMessage(incremental, this.screen()));
  }

  private screen(): Rect {
    return { x: 0, y: 0, w: this.width, h: this.height };
  }

  /** While the screen changes, ask for a full picture now and then; a still screen needs none. */
  private keyframeDue(interval: number): void {
    if (this.stopped || this.wantKeyframe || this.updatesSinceKeyframe === 0) return;
    if (performance.now() - this.lastKeyframeAt >= interval) this.request(false);
  }

  private onServerMessage(message: Buffer): void {
    // Only updates are recorded; the rest (clipboard, bell) the recorder hears of through the server's events.
    // A big update comes in several writes, all before its onUpdate. Each is copied: a piece's
    // buffer is reused once its write is done (this stream's writes are done at once), and a
    // streamed update's header itself comes in such a piece.
    if (this.written) this.written.push(Buffer.from(message));
    else if (message[0] === ServerMessageType.FramebufferUpdate) this.written = [Buffer.from(message)];
  }

  private onUpdate(stats: UpdateStats): void {
    const parts = this.written;
    this.written = null;
    if (!parts || this.stopped) return;
    const message = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    const size = desktopSizeOf(message);
    if (size) {
      // The session sends a new size alone; the whole screen at that size follows as a keyframe.
      this.width = size.width;
      this.height = size.height;
      this.sink.update(message);
      this.sink.event({ kind: 'resize', width: size.width, height: size.height });
      this.request(false);
      return;
    }
    const pixels = stats.rects.reduce((n, r) => n + (r.encoding === Encoding.CopyRect ? 0 : r.pixels), 0);
    if (this.wantKeyframe && pixels === this.width * this.height) {
      this.wantKeyframe = false;
      this.lastKeyframeAt = performance.now();
      this.updatesSinceKeyframe = 0;
      this.sink.keyframe(this.width, this.height, withoutCopies(message));
    } else {
      this.updatesSinceKeyframe++;
      this.sink.update(message);
    }
    this.request(true);
  }

  /** What the viewers do, attributed to each (the server tells the recorder as it tells everyone). */
  private follow(): void {
    const s = this.server;
    const id = (session: Session) => session.id.slice(0, 8);
    const record = (e: RecordingEvent) => {
      if (!this.stopped) this.sink.event(e);
    };
    const on = <K extends keyof RfbServerEvents>(event: K, listener: (...args: RfbServerEvents[K]) => void) => {
      s.on(event as never, listener as never); // EventEmitter's generic key types do not narrow through a helper
      this.unsubscribe.push(() => s.off(event as never, listener as never));
    };
    on('connected', (session) => record({ kind: 'connect', client: id(session), address: session.address, viewOnly: session.viewOnly }));
    on('disconnected', (session, reason) => {
      if (session.initialised) record({ kind: 'disconnect', client: id(session), address: session.address, reason });
    });
    on('control', (session, viewOnly) => record({ kind: 'control', client: id(session), address: session.address, viewOnly }));
    on('input', (session, m) => {
      if (m.type === 'pointer') record({ kind: 'pointer', client: id(session), x: m.x, y: m.y, buttons: m.buttons });
      else if (this.opts.keys) record({ kind: 'key', client: id(session), keysym: m.keysym, down: m.down });
    });
    on('clipboard', (session, text) => record(this.clipboard('from-viewer', text, id(session))));
    on('clipboardToViewers', (text) => {
      if (s.clients.length > 0) record(this.clipboard('to-viewers', text));
    });
  }

  private clipboard(direction: 'from-viewer' | 'to-viewers', text: string, client?: string): RecordingEvent {
    return {
      kind: 'clipboard',
      direction,
      ...(client !== undefined ? { client } : {}),
      bytes: Buffer.byteLength(text, 'utf8'),
      ...(this.opts.clipboardText ? { text } : {}),
    };
  }
}

/**
 * The new size, when the update is a DesktopSize pseudo-rectangle alone (as
 * the session sends a resize, and so as recordings hold it).
 */
export function desktopSizeOf(update: Buffer): { width: number; height: number } | null {
  if (update.length < 4 + RECT_HEADER_BYTES || update.readUInt16BE(2) !== 1) return null;
  if (update.readInt32BE(4 + 8) !== PseudoEncoding.DesktopSize) return null;
  return { width: update.readUInt16BE(4 + 4), height: update.readUInt16BE(4 + 6) };
}

/**
 * A keyframe must stand alone: drop the CopyRect rectangles the update may
 * start with (copies come before pixels, and the pixels that follow cover the
 * whole screen anyway).
 */
function withoutCopies(update: Buffer): Buffer {
  const count = update.readUInt16BE(2);
  let off = 4;
  let dropped = 0;
  while (dropped < count && off + RECT_HEADER_BYTES <= update.length && update.readInt32BE(off + 8) === Encoding.CopyRect) {
    off += RECT_HEADER_BYTES + 4;
    dropped++;
  }
  if (dropped === 0) return update;
  const out = Buffer.concat([update.subarray(0, 4), update.subarray(off)]);
  out.writeUInt16BE(count - dropped, 2);
  return out;
}
