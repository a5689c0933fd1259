import type { DamageExt, ShmExt, XEvent } from 'x11';
import type { Frame } from '../../framebuffer/frame.js';
import type { Rect } from '../../framebuffer/rect.js';
import { clipRects, DirtyGrid } from '../../framebuffer/region.js';
import type { ScreenSource } from '../screen.js';
import { isXError, openX11, X11Error, XErrorCode, type X11Connection } from './x11-connection.js';
import { X11Grabber } from './x11-grab.js';
import { checkPixelLayout } from './x11-pixels.js';
import { listMonitors, type X11Monitor } from './x11-randr.js';
import { ShmSegment, shmUsable } from './x11-shm.js';

/** How pixels travel from the X server. */
export type X11CaptureMethod = 'shm' | 'core';

export interface X11ScreenOptions {
  /** X display, e.g. ":99" (default: $DISPLAY, else ":0"). */
  display?: string;
  /**
   * 'auto' (default): MIT-SHM when it works, else core GetImage.
   * 'shm': MIT-SHM or fail. 'core': core GetImage over the socket only.
   */
  capture?: 'auto' | X11CaptureMethod;
  /** Track changes with X DAMAGE when the server has it (default true). */
  damage?: boolean;
  /** Granularity of the accumulated damage, in pixels (default 16). */
  damageCellSize?: number;
  /**
   * Largest reply a core GetImage strip may produce, in bytes (default 256 KiB,
   * never more than the server's maximum request length).
   */
  coreStripBytes?: number;
  /** Bound on connecting (default 5000 ms). */
  connectTimeoutMs?: number;
}

const DAMAGE_REPORT_DELTA_RECTANGLES = 1;
const RANDR_SCREEN_CHANGE_MASK = 1;
const STRUCTURE_NOTIFY_MASK = 0x00020000;

/**
 * The screen of an X display, captured with the pure-JS `x11` client.
 *
 * Capture: MIT-SHM GetImage into a shared segment the size of the screen when
 * the server and the connection allow it, else core GetImage split into
 * strips (X11Grabber). Either way only the requested areas travel, several
 * areas are pipelined, and no per-grab buffers are allocated on the SHM path
 * (full-width areas are read from the segment straight into the frame).
 *
 * Damage: a DAMAGE object on the root window at report level
 * DeltaRectangles. The server sends an event only when the damaged region
 * grows, so repeated drawing into an area already pending costs nothing; each
 * `takeDamage()` empties the server's region with DamageSubtract(None, None)
 * (a request without a reply, so `takeDamage` stays synchronous) and returns
 * what the events added, merged on a coarse grid. Nothing is lost in between:
 * the Subtract goes out before the grab that follows on the same connection,
 * so anything drawn before the server processes it is in that grab, and
 * anything drawn after it raises a new event. (RawRectangles would send an
 * event per drawing request, and NonEmpty + Subtract into an XFIXES region
 * would need a FetchRegion round trip on every take.)
 *
 * Resize: RandR ScreenChangeNotify (and ConfigureNotify of the root as a
 * fallback) trigger a GetGeometry of the root; on a new size the segment is
 * reallocated, the whole screen counts as damaged and resize listeners run.
 */
export class X11Screen implements ScreenSource {
  readonly name = 'x11';
  readonly displayName: string;
  private readonly options: X11ScreenOptions;
  private conn: X11Connection | null = null;
  private root = 0;
  private w = 0;
  private h = 0;
  private method: X11CaptureMethod | null = null;
  private shm: ShmExt | null = null;
  private segment: ShmSegment | null = null;
  private readonly grabber: X11Grabber;
  private damage: DamageExt | null = null;
  private damageId = 0;
  private grid: DirtyGrid | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private geometryCheckQueued = false;
  private stopped = false;
  private readonly damageListeners: Array<() => void> = [];
  private readonly resizeListeners: Array<(width: number, height: number) => void> = [];
  private readonly errorListeners: Array<(err: Error) => void> = [];

  constructor(options: X11ScreenOptions = {}) {
    this.options = options;
    this.displayName = options.display ?? process.env['DISPLAY'] ?? ':0';
    this.grabber = new X11Grabber(options.coreStripBytes);
  }

  get width(): number {
    return this.w;
  }

  get height(): number {
    return this.h;
  }

  /** The capture path in use ('shm' or 'core'); null before start(). */
  get captureMethod(): X11CaptureMethod | null {
    return this.method;
  }

  /** Whether X DAMAGE feeds `takeDamage()`. */
  get hasDamage(): boolean {
    return this.damage !== null;
  }

  async start(): Promise<void> {
    if (this.conn) throw new Error('X11Screen already started');
    const capture = this.options.capture ?? 'auto';
    const conn = await openX11(this.displayName, {
      shm: capture !== 'core',
      ...(this.options.connectTimeoutMs !== undefined ? { timeoutMs: this.options.connectTimeoutMs } : {}),
    });
    this.conn = conn;
    conn.onError((err) => this.reportError(err));
    try {
      checkPixelLayout(conn.display, conn.screen);
      this.root = conn.root;
      const geom = await conn.request<{ width: number; height: number }>((cb) => conn.client.GetGeometry(conn.root, cb));
      this.w = geom.width;
      this.h = geom.height;

      this.method = 'core';
      if (capture !== 'core') {
        const shm = await conn.extension('shm');
        const usable = shm ? await shmUsable(conn, shm) : false;
        if (shm && usable) {
          try {
            this.segment = await ShmSegment.create(conn, shm, this.w * this.h * 4);
            this.shm = shm;
            this.method = 'shm';
          } catch (err) {
            if (capture === 'shm') throw new X11Error(`MIT-SHM segment could not be attached on ${this.displayName}: ${(err as Error).message}`);
          }
        } else if (capture === 'shm') {
          throw new X11Error(`MIT-SHM is not usable on ${this.displayName} (${shm ? 'attaching a segment failed' : 'extension missing'})`);
        }
      }

      conn.client.on('event', this.onEvent);
      if (this.options.damage !== false) {
        const damage = await conn.extension('damage');
        if (damage) {
          this.damageId = conn.client.AllocID();
          damage.Create(this.damageId, this.root, DAMAGE_REPORT_DELTA_RECTANGLES);
          this.damage = damage;
          this.grid = new DirtyGrid(this.w, this.h, this.options.damageCellSize ?? 16);
        }
      }
      const randr = await conn.extension('randr');
      randr?.SelectInput(this.root, RANDR_SCREEN_CHANGE_MASK);
      conn.client.ChangeWindowAttributes(this.root, { eventMask: STRUCTURE_NOTIFY_MASK });
      await conn.sync(); // everything above was accepted
      await this.refreshGeometry(); // in case the size changed before RandR events were selected
    } catch (err) {
      await this.teardown();
      throw err;
    }
  }

  async grab(frame: Frame, areas?: Rect[]): Promise<Rect[]> {
    return this.exclusive(async () => {
      try {
        return await this.grabNow(frame, areas);
      } catch (err) {
        // The screen shrank under us before the notification arrived: learn
        // the new size and try once more with the areas clipped to it.
        if (isXError(err) && err.error === XErrorCode.BadMatch) {
          await this.refreshGeometry();
          return this.grabNow(frame, areas);
        }
        throw err;
      }
    });
  }

  takeDamage(): Rect[] | null {
    const { damage, grid, conn } = this;
    if (!damage || !grid || !conn || conn.closed) return null;
    if (grid.isEmpty()) return [];
    damage.Subtract(this.damageId, 0, 0);
    return grid.take();
  }

  onDamage(listener: () => void): void {
    this.damageListeners.push(listener);
  }

  onResize(listener: (width: number, height: number) => void): void {
    this.resizeListeners.push(listener);
  }

  /**
   * Asynchronous problems no call is waiting for (an X error from a request
   * without a reply, a failed resize). Without a listener they become process
   * warnings.
   */
  onError(listener: (err: Error) => void): void {
    this.errorListeners.push(listener);
  }

  /** The RandR outputs currently showing part of this screen. */
  async listMonitors(): Promise<X11Monitor[]> {
    const conn = this.requireConn();
    return listMonitors(conn);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.exclusive(() => this.teardown());
  }

  // ---- internals ----

  private requireConn(): X11Connection {
    if (!this.conn) throw new Error('X11Screen not started');
    if (this.conn.closed) throw new X11Error(`X connection to ${this.displayName} is closed`);
    return this.conn;
  }

  /** Run `fn` after every earlier grab / resize has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async grabNow(frame: Frame, areas: Rect[] | undefined): Promise<Rect[]> {
    const conn = this.requireConn();
    const maxW = Math.min(frame.width, this.w);
    const maxH = Math.min(frame.height, this.h);
    const rects = clipRects(areas ?? [{ x: 0, y: 0, w: maxW, h: maxH }], maxW, maxH);
    if (rects.length === 0) return rects;
    if (this.method === 'shm' && this.segment) await this.grabber.viaShm(this.root, frame, rects, this.segment);
    else await this.grabber.viaCore(conn, this.root, frame, rects);
    return rects;
  }

  private readonly onEvent = (ev: XEvent): void => {
    if (ev.name === 'DamageNotify') {
      if (ev['damage'] !== this.damageId || !this.grid) return;
      const wasEmpty = this.grid.isEmpty();
      this.grid.add(ev['area'] as Rect);
      if (wasEmpty && !this.grid.isEmpty()) this.emitDamage();
    } else if (ev.name === 'RRScreenChangeNotify' || (ev.name === 'ConfigureNotify' && ev['wid1'] === this.root)) {
      this.queueGeometryCheck();
    }
  };

  private queueGeometryCheck(): void {
    if (this.geometryCheckQueued || this.stopped) return;
    this.geometryCheckQueued = true;
    this.exclusive(async () => {
      this.geometryCheckQueued = false;
      if (!this.stopped) await this.refreshGeometry();
    }).catch((err: unknown) => {
      this.reportError(new X11Error(`X11 screen ${this.displayName}: handling a size change failed: ${(err as Error).message}`));
    });
  }

  /** Ask the server for the root size; on a change, reallocate and tell listeners. Runs under the lock. */
  private async refreshGeometry(): Promise<void> {
    const conn = this.requireConn();
    const geom = await conn.request<{ width: number; height: number }>((cb) => conn.client.GetGeometry(this.root, cb));
    if (geom.width === this.w && geom.height === this.h) return;
    this.w = geom.width;
    this.h = geom.height;
    if (this.method === 'shm' && this.shm) {
      const old = this.segment;
      this.segment = null;
      await old?.destroy();
      try {
        this.segment = await ShmSegment.create(conn, this.shm, this.w * this.h * 4);
      } catch (err) {
        if ((this.options.capture ?? 'auto') === 'shm') throw err;
        this.method = 'core'; // keep capturing, the slow way
      }
    }
    if (this.grid) {
      this.grid.resize(this.w, this.h);
      this.grid.addAll();
    }
    for (const l of this.resizeListeners) callSafely(() => l(this.w, this.h));
    this.emitDamage();
  }

  private reportError(err: Error): void {
    if (this.errorListeners.length === 0) {
      process.emitWarning(`X11 screen ${this.displayName}: ${err.message}`);
      return;
    }
    for (const l of this.errorListeners) callSafely(() => l(err));
  }

  private emitDamage(): void {
    for (const l of this.damageListeners) callSafely(l);
  }

  private async teardown(): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    conn.client.removeListener('event', this.onEvent);
    if (!conn.closed && this.damage && this.damageId) {
      try {
        this.damage.Destroy(this.damageId);
      } catch {
        /* connection closing */
      }
    }
    this.damage = null;
    this.grid = null;
    const seg = this.segment;
    this.segment = null;
    await seg?.destroy();
    await conn.close();
    this.grabber.release();
  }
}

function callSafely(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    process.emitWarning(`screen listener threw: ${(err as Error).message}`);
  }
}
