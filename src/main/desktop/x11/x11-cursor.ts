import type { FixesCursorImageReply, FixesExt, QueryPointerReply, XEvent } from 'x11';
import type { CursorImage, CursorSource } from '../input.js';
import { isXError, openX11, X11Error, type X11Connection } from './x11-connection.js';
import { watchPointerMotion } from './pointer-motion.js';

export interface X11CursorOptions {
  /** X display, e.g. ":99" (default: $DISPLAY, else ":0"). */
  display?: string;
  /** Bound on connecting (default 5000 ms). */
  connectTimeoutMs?: number;
}

/** Counters, for tests and diagnostics. */
export interface X11CursorStats {
  /** XFIXES CursorNotify events received. */
  events: number;
  /** GetCursorImage round trips made. */
  fetches: number;
  /** Times the shape actually changed (= serial bumps). */
  changes: number;
  /** Fetches the server refused (cursors of clients that have gone; see the class notes). */
  unreadable: number;
  /** Notifications answered from the shapes already read, without a round trip. */
  cached: number;
}

/** X core error BadCursor: GetCursorImage when the server has no current cursor. */
const BAD_CURSOR = 6;
/**
 * X core error BadAccess: what GetCursorImage answers, on servers with the
 * SECURITY extension, when the client that created the cursor on screen has
 * disconnected (the extension then denies read access to the cursor).
 */
const BAD_ACCESS = 10;
/** Bound on the remembered unreadable cursor serials. */
const MAX_UNREADABLE = 1024;
/** Bounds on the shapes remembered by cursor serial: entries, and pixels in all (4 MB). */
const MAX_CACHED_SHAPES = 128;
const MAX_CACHED_PIXELS = 1 << 20;

type Shape = Omit<CursorImage, 'serial'>;

/**
 * One premultiplied ARGB pixel (0xAARRGGBB, colour already multiplied by
 * alpha, as XFIXES and RENDER hand them out) to straight ARGB, rounding to
 * nearest. Alpha 0 gives 0; colour values above alpha (not valid premultiplied
 * data) are clamped to 255.
 */
export function unpremultiply(argb: number): number {
  const a = argb >>> 24;
  if (a === 255) return argb >>> 0;
  if (a === 0) return 0;
  const half = a >>> 1;
  let r = Math.floor((((argb >>> 16) & 0xff) * 255 + half) / a);
  let g = Math.floor((((argb >>> 8) & 0xff) * 255 + half) / a);
  let b = Math.floor(((argb & 0xff) * 255 + half) / a);
  if (r > 255) r = 255;
  if (g > 255) g = 255;
  if (b > 255) b = 255;
  return ((a << 24) | (r << 16) | (g << 8) | b) >>> 0;
}

/** `count` little-endian premultiplied ARGB32 pixels to straight ARGB. */
export function straightPixels(bytes: Uint8Array, count: number): Uint32Array {
  const out = new Uint32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, count * 4));
  const n = Math.min(count, dv.byteLength >>> 2);
  for (let i = 0; i < n; i++) out[i] = unpremultiply(dv.getUint32(i * 4, true));
  return out;
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a.width !== b.width || a.height !== b.height || a.hotX !== b.hotX || a.hotY !== b.hotY) return false;
  const p = a.pixels;
  const q = b.pixels;
  if (p.length !== q.length) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return false;
  return true;
}

/**
 * The X pointer's shape, from XFIXES.
 *
 * The root window selects DisplayCursorNotify, so the server sends
 * CursorNotify whenever the cursor on screen becomes a different cursor
 * object (the pointer crosses into a window with another cursor, or the
 * window under it changes its cursor). Each burst of notifications is
 * coalesced: at the end of the event-loop turn the newest one counts, and
 * only if it names a cursor not read before does a GetCursorImage go out
 * (a cursor object never changes its image, so shapes already read are kept
 * by the server's cursor serial: 128 shapes, 1 Mpixel at most).
 * XFIXES images are premultiplied; they are stored straight. The serial only
 * moves when the pixels, size or hotspot really differ (two windows with
 * their own copies of the same cursor do not count as a change). When the
 * server has no cursor to report the image is empty (0×0).
 *
 * Animated cursors (themed "watch", "progress", ...) show each frame as a
 * cursor of its own: a CursorNotify and a new shape per frame (about 60 a
 * second for Adwaita's watch), read once and from memory on later loops;
 * the animation object itself reads as a 1×1 transparent placeholder.
 *
 * Unreadable cursors: a server with the SECURITY extension (Xvfb and many
 * Xorg builds) answers GetCursorImage with BadAccess once the client that
 * created the cursor on screen has gone, e.g. a root cursor set by
 * `xsetroot`, or the frames of an animation it set. The shape last read then
 * stays, and the refused cursor is remembered by its serial so that it costs
 * no further round trips (a looping animation: one pass).
 *
 * The connection is separate from the screen's, so cursor traffic never
 * waits behind a frame grab.
 */
export class X11Cursor implements CursorSource {
  readonly name = 'x11';
  readonly displayName: string;
  private readonly options: X11CursorOptions;
  private conn: X11Connection | null = null;
  private fixes: FixesExt | null = null;
  private image: CursorImage | null = null;
  private serialCounter = 0;
  /** XFIXES serial of the cursor object whose shape `image` holds (−1: none yet). */
  private shownXSerial = -1;
  /** XFIXES serial named by the newest CursorNotify (−2: none yet). */
  private notifiedXSerial = -2;
  /** Serials of cursors GetCursorImage refused to read: not asked again. */
  private readonly unreadable = new Set<number>();
  /** Shapes read, by XFIXES serial (cursor images never change), least recently used first. */
  private readonly shapes = new Map<number, Shape>();
  private cachedPixels = 0;
  private scheduled = false;
  private fetching: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly counters: X11CursorStats = { events: 0, fetches: 0, changes: 0, unreadable: 0, cached: 0 };
  private readonly changeListeners: Array<(cursor: CursorImage) => void> = [];
  private readonly motionListeners: Array<() => void> = [];
  private stopMotion: (() => void) | null = null;
  private readonly errorListeners: Array<(err: Error) => void> = [];

  constructor(options: X11CursorOptions = {}) {
    this.options = options;
    this.displayName = options.display ?? process.env['DISPLAY'] ?? ':0';
  }

  get stats(): Readonly<X11CursorStats> {
    return { ...this.counters };
  }

  async start(): Promise<void> {
    if (this.conn) throw new Error('X11Cursor already started');
    this.stopped = false;
    const conn = await openX11(this.displayName, {
      shm: false,
      ...(this.options.connectTimeoutMs !== undefined ? { timeoutMs: this.options.connectTimeoutMs } : {}),
    });
    this.conn = conn;
    conn.onError((err) => this.reportError(err));
    conn.onClose(() => {
      if (!this.stopped && this.conn === conn) this.reportError(new X11Error(`X connection to ${this.displayName} closed; the cursor shape no longer follows`));
    });
    try {
      const fixes = await conn.extension('fixes');
      if (!fixes) throw new X11Error(`X display ${this.displayName} has no XFIXES extension (needed for the cursor shape)`);
      this.fixes = fixes;
      conn.client.on('event', this.onEvent);
      // Select first, then fetch: a change racing with the first fetch still raises an event.
      fixes.SelectCursorInput(conn.root, fixes.CursorNotifyMask.DisplayCursor);
      await this.runFetch();
      // Moves as events where the server has XI2 (pointer-motion.ts); without it the position is polled.
      this.stopMotion = await watchPointerMotion(conn, () => {
        for (const l of this.motionListeners) l();
      }).catch(() => null);
    } catch (err) {
      await this.teardown();
      throw err;
    }
  }

  current(): CursorImage | null {
    return this.image;
  }

  onChange(listener: (cursor: CursorImage) => void): void {
    this.changeListeners.push(listener);
  }

  get reportsMotion(): boolean {
    return this.stopMotion !== null;
  }

  onMotion(listener: () => void): void {
    this.motionListeners.push(listener);
  }

  /** Asynchronous failures (a background fetch failing, the connection dropping). */
  onError(listener: (err: Error) => void): void {
    this.errorListeners.push(listener);
  }

  async position(): Promise<{ x: number; y: number } | null> {
    const conn = this.conn;
    if (!conn || conn.closed) return null;
    try {
      const p = await conn.request<QueryPointerReply>((cb) => conn.client.QueryPointer(conn.root, cb));
      return p.sameScreen ? { x: p.rootX, y: p.rootY } : null;
    } catch (err) {
      if (conn.closed) return null;
      throw err;
    }
  }

  /**
   * Fetch the shape now (also coalesced with a fetch already under way).
   * Resolves once `current()` reflects the server's cursor at the time of the call.
   */
  async refresh(): Promise<void> {
    while (this.fetching) await this.fetching.catch(() => undefined);
    if (!this.conn || this.stopped) return;
    await this.runFetch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.teardown();
  }

  private readonly onEvent = (ev: XEvent): void => {
    const fixes = this.fixes;
    if (!fixes || ev.type !== fixes.firstEvent + fixes.events.CursorNotify) return;
    this.counters.events++;
    if (typeof ev['cursorSerial'] === 'number') this.notifiedXSerial = ev['cursorSerial'];
    this.schedule();
  };

  /** Fetch at the end of this event-loop turn, or after the fetch under way. */
  private schedule(): void {
    if (this.stopped || !this.conn) return;
    if (this.fetching) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped || this.fetching) return;
      const xSerial = this.notifiedXSerial;
      if (xSerial === this.shownXSerial) return; // the cursor we already have
      if (this.unreadable.has(xSerial)) return; // one we cannot read
      const known = this.recall(xSerial);
      if (known) {
        // read before (a window entered again, the next loop of an animation)
        this.counters.cached++;
        this.shownXSerial = xSerial;
        this.publish(known);
        return;
      }
      this.runFetch().catch((err: unknown) => {
        if (!this.stopped && !this.conn?.closed) this.reportError(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  /** One GetCursorImage; events arriving meanwhile schedule another after it. */
  private runFetch(): Promise<void> {
    const p: Promise<void> = this.fetchOnce().finally(() => {
      if (this.fetching === p) this.fetching = null;
      if (this.again) this.schedule();
    });
    this.fetching = p;
    return p;
  }

  private async fetchOnce(): Promise<void> {
    const { conn, fixes } = this;
    if (!conn || !fixes) return;
    this.again = false;
    this.counters.fetches++;
    const asked = this.notifiedXSerial;
    let shape: Shape;
    try {
      const r = await conn.request<FixesCursorImageReply>((cb) => fixes.GetCursorImage(cb));
      this.shownXSerial = r.cursorSerial;
      shape = {
        width: r.width,
        height: r.height,
        hotX: r.xhot,
        hotY: r.yhot,
        pixels: straightPixels(r.cursorImage, r.width * r.height),
      };
      this.remember(r.cursorSerial, shape);
    } catch (err) {
      if (isXError(err) && err.error === BAD_ACCESS) {
        // Its creator has gone: keep the shape we have. Remember the cursor
        // when no event came in meanwhile, i.e. the refused cursor is the one
        // the newest event named.
        this.counters.unreadable++;
        if (!this.again && asked >= 0) {
          if (this.unreadable.size >= MAX_UNREADABLE) this.unreadable.clear();
          this.unreadable.add(asked);
        }
        return;
      }
      if (!isXError(err) || err.error !== BAD_CURSOR) throw err;
      this.shownXSerial = 0;
      shape = { width: 0, height: 0, hotX: 0, hotY: 0, pixels: new Uint32Array(0) };
    }
    if (this.stopped) return;
    this.publish(shape);
  }

  /** Make `shape` current; a new serial and the listeners only when it differs. */
  private publish(shape: Shape): void {
    if (this.image && sameShape(this.image, shape)) return;
    const image: CursorImage = { ...shape, serial: ++this.serialCounter };
    this.image = image;
    this.counters.changes++;
    for (const l of this.changeListeners) {
      try {
        l(image);
      } catch (err) {
        this.reportError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private remember(xSerial: number, shape: Shape): void {
    const n = shape.pixels.length;
    if (xSerial <= 0 || n > MAX_CACHED_PIXELS) return;
    const old = this.shapes.get(xSerial);
    if (old) {
      this.shapes.delete(xSerial);
      this.cachedPixels -= old.pixels.length;
    }
    this.shapes.set(xSerial, shape);
    this.cachedPixels += n;
    for (const [key, value] of this.shapes) {
      if (this.shapes.size <= MAX_CACHED_SHAPES && this.cachedPixels <= MAX_CACHED_PIXELS) break;
      this.shapes.delete(key);
      this.cachedPixels -= value.pixels.length;
    }
  }

  private recall(xSerial: number): Shape | undefined {
    const shape = this.shapes.get(xSerial);
    if (shape) {
      this.shapes.delete(xSerial); // most recently used goes last
      this.shapes.set(xSerial, shape);
    }
    return shape;
  }

  private reportError(err: Error): void {
    for (const l of this.errorListeners) {
      try {
        l(err);
      } catch {
        /* a listener's failure must not stop the others */
      }
    }
  }

  private async teardown(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    this.fixes = null;
    this.stopMotion?.();
    this.stopMotion = null;
    this.shapes.clear();
    this.cachedPixels = 0;
    this.unreadable.clear();
    if (!conn) return;
    conn.client.removeListener('event', this.onEvent);
    await conn.close();
  }
}
