import type { Logger } from 'pino';
import type { ScreenSource } from '../../desktop/screen.js';
import type { Frame } from '../../framebuffer/frame.js';
import type { Rect } from '../../framebuffer/rect.js';
import { clipRects, DirtyGrid } from '../../framebuffer/region.js';
import type { RfbServer } from '../../rfb/server.js';
import { getLogger } from '../../base/logger.js';
import { applyRawFrame, CHANGE_TILE, isYuv, parseRawFrame, type RawFrame } from './capture-frame.js';
import { describeYuvColor } from '../../framebuffer/yuv-to-rgb.js';
import type { CaptureFidelityInfo } from '../../../shared/control-contract.js';
import type { CaptureCommand, CaptureRequest } from '../../../shared/capture-contract.js';

/**
 * A ScreenSource fed by the hidden capture page: the page streams frames of
 * the chosen screen (desktopCapturer → getUserMedia), this keeps the latest
 * one in the server's pixel format and reports the tiles that changed as
 * damage, so the capture loop only grabs (copies) what moved.
 *
 * Frames cost a copy across processes, so once the source follows a server
 * (`followViewers`) the page is paused while no viewer is connected and
 * resumed as one connects. (Pausing on a lull in grabs instead would stall:
 * a viewer waiting on a still screen asks for nothing, and a paused page
 * would never report the next change.)
 */

/** The page as this source drives it (capture-window.ts has the real one). */
export interface CapturePage {
  /** Load the page; its frames and errors go to the handlers until close(). */
  open(request: CaptureRequest, handlers: CapturePageHandlers): Promise<void>;
  send(command: CaptureCommand): void;
  close(): void;
}

export interface CapturePageHandlers {
  /** A frame message (not yet checked). */
  frame(message: unknown): void;
  /** Capture failed or ended. */
  error(message: string): void;
}

export interface CaptureScreenOptions {
  /** How long start() waits for the first frame (default 15 s: a portal may ask the user first). */
  firstFrameTimeoutMs?: number;
  /** Capture failed after start (the page reported an error or went away). */
  onError?: (message: string) => void;
  log?: Logger;
}

export class CaptureScreen implements ScreenSource {
  readonly name = 'desktop-capturer';
  private latest: Frame | null = null;
  private dirty = new DirtyGrid(0, 0, CHANGE_TILE);
  private readonly damageListeners: Array<() => void> = [];
  private readonly resizeListeners: Array<(width: number, height: number) => void> = [];
  private readonly fidelityListeners: Array<(fidelity: CaptureFidelityInfo) => void> = [];
  private readonly log: Logger;
  private paused = false;
  /** Paused, or resumed and still waiting for the page's first frame since. */
  private waitingForFrame = false;
  private unfollow: (() => void) | null = null;
  private state: 'new' | 'starting' | 'running' | 'stopped' = 'new';
  private firstFrame: { resolve(): void; reject(e: Error): void } | null = null;
  private badFrames = 0;
  /** The last frame as the page sent it: a YUV frame's bytes are compared with it before any conversion. */
  private previousRaw: RawFrame | null = null;
  private fidelityInfo: CaptureFidelityInfo | null = null;
  private askedWholeAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly page: CapturePage,
    readonly request: CaptureRequest,
    private readonly opts: CaptureScreenOptions = {},
  ) {
    this.log = opts.log ?? getLogger('capture-page');
  }

  get width(): number {
    return this.latest?.width ?? 0;
  }

  get height(): number {
    return this.latest?.height ?? 0;
  }

  /** What the frames lose against the screen, as the latest frame showed (null before the first). */
  get fidelity(): CaptureFidelityInfo | null {
    return this.fidelityInfo;
  }

  /** Whether the page was told to stop sending frames (nobody is watching). */
  get isPaused(): boolean {
    return this.paused;
  }

  /** The kept frame may be out of date: the page was paused and has sent nothing since. */
  get stale(): boolean {
    return this.waitingForFrame;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('the capture source was already started');
    this.state = 'starting';
    const first = new Promise<void>((resolve, reject) => {
      this.firstFrame = { resolve, reject };
    });
    // It may fail while the page is still loading, before anyone awaits it.
    first.catch(() => undefined);
    const timeoutMs = this.opts.firstFrameTimeoutMs ?? 15_000;
    const timer = setTimeout(() => this.fail(`no frame from the screen within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    try {
      await this.page.open(this.request, { frame: (m) => this.receive(m), error: (e) => this.fail(e) });
      await first;
    } catch (e) {
      await this.stop();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    this.state = 'running';
  }

  /**
   * Stream frames only while someone watches `server` (a viewer, or the
   * recorder). The first to start watching resumes the page at once; until its
   * next frame arrives the source is `stale`, and the capture loop holds the
   * first pixels back for it. The last one leaving pauses the page.
   */
  followViewers(server: Pick<RfbServer, 'hasClients' | 'on' | 'off'>): void {
    this.unfollow?.();
    const onWatching = (watching: boolean) => this.setStreaming(watching);
    // The page paces itself: a new frame rate must reach it, or a higher one would never be reached.
    const onFrameRate = (frameRate: number) => this.page.send({ type: 'frame-rate', frameRate });
    server.on('watching', onWatching);
    server.on('frameRate', onFrameRate);
    this.unfollow = () => {
      server.off('watching', onWatching);
      server.off('frameRate', onFrameRate);
    };
    this.setStreaming(server.hasClients);
  }

  async grab(frame: Frame, areas?: Rect[]): Promise<Rect[]> {
    const src = this.latest;
    if (!src) return [];
    const w = Math.min(src.width, frame.width);
    const h = Math.min(src.height, frame.height);
    const rects = clipRects(areas ?? [{ x: 0, y: 0, w: src.width, h: src.height }], w, h);
    for (const r of rects) {
      for (let row = r.y; row < r.y + r.h; row++) {
        const s = row * src.stride + r.x;
        frame.pixels.set(src.pixels.subarray(s, s + r.w), row * frame.stride + r.x);
      }
    }
    return rects;
  }

  takeDamage(): Rect[] {
    return this.dirty.take();
  }

  onDamage(listener: () => void): void {
    this.damageListeners.push(listener);
  }

  onResize(listener: (width: number, height: number) => void): void {
    this.resizeListeners.push(listener);
  }

  /** Called when what the frames lose changes (the first frame, a new format, a rescale). */
  onFidelity(listener: (fidelity: CaptureFidelityInfo) => void): void {
    this.fidelityListeners.push(listener);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.unfollow?.();
    this.unfollow = null;
    this.page.close();
  }

  private setStreaming(on: boolean): void {
    if (this.state === 'stopped' || this.paused === !on) return;
    this.paused = !on;
    // What the screen showed meanwhile is unknown until the page's next frame.
    this.waitingForFrame = true;
    this.page.send({ type: on ? 'resume' : 'pause' });
  }

  private receive(message: unknown): void {
    if (this.state === 'stopped') return;
    const raw = parseRawFrame(message);
    if (typeof raw === 'string') {
      // One bad frame is dropped; a page sending nothing but bad frames is broken.
      if (++this.badFrames === 1 || this.badFrames % 100 === 0) this.log.warn({ problem: raw, count: this.badFrames }, 'bad frame from the capture page dropped');
      this.askWhole();
      return;
    }
    if (raw.band && (!this.latest || this.latest.width !== raw.width || this.latest.height !== raw.height)) {
      // Changed rows of a frame never seen whole (the page sends whole frames first): nothing to lay them on.
      if (++this.badFrames === 1 || this.badFrames % 100 === 0) this.log.warn({ count: this.badFrames }, 'changed rows of an unknown frame dropped');
      this.askWhole();
      return;
    }
    const { frame, changed, resized } = applyRawFrame(raw, this.latest, CHANGE_TILE, this.previousRaw);
    this.latest = frame;
    this.previousRaw = raw;
    this.noteFidelity(raw);
    if (this.firstFrame) {
      const f = this.firstFrame;
      this.firstFrame = null;
      this.dirty = new DirtyGrid(frame.width, frame.height, CHANGE_TILE);
      f.resolve();
      return;
    }
    const wasStale = this.waitingForFrame && !this.paused;
    if (wasStale) this.waitingForFrame = false;
    if (resized) {
      this.dirty.resize(frame.width, frame.height);
      this.dirty.addAll();
      this.log.info({ width: frame.width, height: frame.height }, 'captured screen resized');
      for (const l of this.resizeListeners) l(frame.width, frame.height);
      for (const l of this.damageListeners) l();
    } else if (changed.length > 0) {
      const wasEmpty = this.dirty.isEmpty();
      for (const r of changed) this.dirty.add(r);
      if (wasEmpty) for (const l of this.damageListeners) l();
    } else if (wasStale) {
      // Nothing changed while paused, but the loop must hear that the image is current.
      for (const l of this.damageListeners) l();
    }
  }

  /**
   * A frame was dropped: the page's next pieces would be laid on a picture
   * this does not have, so it is asked for a whole frame (at most once a
   * second: a page sending nothing but bad frames is not flooded with asks).
   */
  private askWhole(): void {
    const now = performance.now();
    if (now - this.askedWholeAt < 1000) return;
    this.askedWholeAt = now;
    this.page.send({ type: 'refresh' });
  }

  /** What this frame loses against the screen; logged when it changes (a new format, a rescale). */
  private noteFidelity(raw: RawFrame): void {
    const yuv = isYuv(raw);
    const scaled = raw.width !== this.request.width || raw.height !== this.request.height;
    const lost = [
      ...(yuv ? ['colours may be slightly off'] : []),
      ...(raw.pointer ? ['the pointer is painted into the picture'] : []),
      ...(scaled ? [`the picture is scaled to ${raw.width}×${raw.height}`] : []),
    ];
    const info: CaptureFidelityInfo = {
      pixelFormat: raw.sourceFormat,
      ...(yuv ? { colorConversion: describeYuvColor(raw.color) + (raw.colorKnown ? '' : ' (assumed: the frames do not say)') } : {}),
      pointerInFrames: raw.pointer,
      scaled,
      frameSize: { width: raw.width, height: raw.height },
      screenSize: { width: this.request.width, height: this.request.height },
      ...(lost.length > 0 ? { note: `Shared through the system's screen capture: ${lost.join('; ')}.` } : {}),
    };
    const before = this.fidelityInfo;
    this.fidelityInfo = info;
    if (JSON.stringify(before) === JSON.stringify(info)) return;
    this.log.info({ capture: info }, 'screen capture frames');
    for (const l of this.fidelityListeners) l(info);
  }

  private fail(message: string): void {
    if (this.firstFrame) {
      const f = this.firstFrame;
      this.firstFrame = null;
      f.reject(new Error(`screen capture failed: ${message}`));
      return;
    }
    if (this.state !== 'running') return;
    this.log.error({ problem: message }, 'screen capture stopped');
    this.opts.onError?.(message);
  }
}
