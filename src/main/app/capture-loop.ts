import type { Logger } from 'pino';
import type { ScreenSource } from '../desktop/screen.js';
import { ChangeDetector } from '../framebuffer/change-detector.js';
import { createFrame, type Frame } from '../framebuffer/frame.js';
import type { RfbServer } from '../rfb/server.js';
import { getLogger } from '../base/logger.js';
import type { CaptureTiming, TimingSource } from '../telemetry/timing-tap.js';

/** Longest a joining viewer waits for a stale source's fresh image before it gets the last one. */
const STALE_WAIT_MS = 2000;

export interface CaptureLoopOptions {
  /** Compare 64×64 tiles with the previous frame so only changed pixels are sent. */
  regionDetection: boolean;
}

/**
 * Moves pixels from a ScreenSource into the RFB server: grabs only while some
 * client waits, at most `frameRate` times per second, only the damaged areas
 * when the backend reports damage, and refines them by tile comparison. With
 * a damage-reporting backend and an idle desktop it does nothing at all.
 */
export class CaptureLoop implements TimingSource {
  private readonly log: Logger;
  private frame: Frame;
  private readonly detector: ChangeDetector;
  private running = false;
  private ticking = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private lastTickAt = 0;
  /** Whether the source could not report damage last time (then we poll, but only on demand). */
  private pollingNeeded = false;
  private staleTimer: NodeJS.Timeout | null = null;
  onTiming?: (t: CaptureTiming) => void;

  constructor(
    private readonly source: ScreenSource,
    private readonly server: RfbServer,
    opts: CaptureLoopOptions,
  ) {
    this.log = getLogger('capture');
    this.frame = createFrame(source.width, source.height);
    this.detector = new ChangeDetector({ enabled: opts.regionDetection });
  }

  async start(): Promise<void> {
    this.running = true;
    await this.source.grab(this.frame);
    // Seed the detector's copy of the frame; the first detect reports everything.
    this.detector.detect(this.frame, [{ x: 0, y: 0, w: this.frame.width, h: this.frame.height }]);
    this.server.setFrame(this.frame);
    this.source.onDamage(() => this.wake());
    this.source.onResize((w, h) => void this.resize(w, h));
    this.server.on('demand', () => this.wake());
    // A source that went stale while nobody watched (the system capture pauses) must not
    // hand a joining viewer the old picture: hold pixels back until its fresh frame.
    this.server.on('watching', (watching) => {
      if (watching && this.source.stale) this.holdUntilFresh();
    });
  }

  /** Switch tile comparison on or off (off: damaged areas are sent as they are). */
  setRegionDetection(on: boolean): void {
    this.detector.enabled = on;
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.timer = this.staleTimer = null;
  }

  /** Something may have changed or someone is waiting: tick soon, within the frame-rate budget. */
  wake(): void {
    if (!this.running || this.timer) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    const interval = 1000 / this.server.options.frameRate;
    const wait = Math.max(0, this.lastTickAt + interval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, wait);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    // With damage reports, keep pixels fresh while anyone watches, so a request finds its update
    // ready (capture overlaps the viewer's round trip). Polling costs a full grab, so only on demand.
    if (!(this.pollingNeeded ? this.server.hasDemand : this.server.hasClients)) {
      // Nobody is watching, so changes go uncaptured from here on: whoever asks next
      // waits for a fresh grab instead of getting the picture from before the pause.
      this.server.setFrameFresh(false);
      return;
    }
    this.ticking = true;
    this.lastTickAt = Date.now();
    try {
      const damage = this.source.takeDamage();
      this.pollingNeeded = damage === null;
      if (damage !== null && damage.length === 0) return;
      const t0 = performance.now();
      const refreshed = await this.source.grab(this.frame, damage ?? undefined);
      const t1 = performance.now();
      if (!this.running) return;
      const { copies, changed } = this.detector.detectWithCopies(this.frame, refreshed);
      const t2 = performance.now();
      this.server.applyChanges(copies, changed);
      this.onTiming?.({ captureMs: t1 - t0, detectMs: t2 - t1, changedRects: changed.length, copies: copies.length });
      // Without damage reports we must poll: keep ticking while clients wait.
      if (damage === null) this.again = true;
    } catch (e) {
      this.log.error({ err: e }, 'capture failed');
    } finally {
      // Captured (or the source said nothing changed): the frame is current again, unless
      // the source still waits for its fresh image. After a failed grab too, so waiting
      // viewers get what there is rather than nothing.
      if (!this.source.stale) this.freshAgain();
      this.ticking = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    }
  }

  /** Viewers' pixels wait for the source's fresh image, but never longer than STALE_WAIT_MS. */
  private holdUntilFresh(): void {
    this.server.setFrameFresh(false);
    if (this.staleTimer) return;
    this.staleTimer = setTimeout(() => {
      this.staleTimer = null;
      if (this.server.frameFresh) return;
      this.log.warn(`no fresh image from the ${this.source.name} source within ${STALE_WAIT_MS} ms: sending the last one`);
      this.server.setFrameFresh(true);
    }, STALE_WAIT_MS);
    this.staleTimer.unref();
  }

  private freshAgain(): void {
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.staleTimer = null;
    this.server.setFrameFresh(true);
  }

  private async resize(width: number, height: number): Promise<void> {
    if (!this.running) return;
    this.log.info({ width, height }, 'desktop resized');
    const frame = createFrame(width, height);
    try {
      await this.source.grab(frame);
    } catch (e) {
      this.log.error({ err: e }, 'capture after resize failed');
    }
    this.frame = frame;
    this.detector.reset();
    this.detector.detect(frame, [{ x: 0, y: 0, w: width, h: height }]);
    this.server.setFrame(frame);
    this.server.markChanged([{ x: 0, y: 0, w: width, h: height }]);
  }
}

