import { clampFrameRate } from '../../shared/frame-rate.js';

/**
 * When the capture page may hand the next frame on: not while paused
 * (nobody is watching), and not sooner than 1/frameRate after the last one.
 * The page keeps only the newest frame it has not sent, and sends it when
 * `wait` says so: a burst of changes costs at most the frame rate, and the
 * last picture of the burst is never lost.
 */
export class FramePacer {
  private interval = 1000;
  private last = Number.NEGATIVE_INFINITY;
  private paused = false;

  constructor(frameRate: number) {
    this.setRate(frameRate);
  }

  /** At most `frameRate` frames a second from now on (brought into the app's range). */
  setRate(frameRate: number): void {
    this.interval = 1000 / clampFrameRate(frameRate);
  }

  /** Milliseconds between frames at the current rate. */
  get intervalMs(): number {
    return this.interval;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    // The first frame after a pause goes at once: a viewer is waiting for it.
    this.last = Number.NEGATIVE_INFINITY;
  }

  /** Milliseconds until a frame may be sent at `now` (0: at once; Infinity: paused). */
  wait(now: number): number {
    if (this.paused) return Number.POSITIVE_INFINITY;
    // A millisecond of slack: frames timed at exactly the rate must not wait a whole extra frame.
    return Math.max(0, this.last + this.interval - 1 - now);
  }

  /** A frame went at `now`. */
  sent(now: number): void {
    this.last = now;
  }
}

export interface PacerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
}

/**
 * Keeps the newest frame not yet sent and sends it as soon as the pacer
 * allows, one send at a time. A frame replaced before it went out is
 * dropped (closed): only the newest picture matters, and the last one of a
 * burst always goes out, if late by up to one frame interval.
 */
export class LatestFrameSender<F> {
  private held: F | null = null;
  private busy = false;
  private timer = false;

  constructor(
    private readonly pacer: FramePacer,
    private readonly send: (frame: F) => Promise<void>,
    private readonly drop: (frame: F) => void,
    private readonly clock: PacerClock,
    /** A send failed (the frame is gone; the next one is tried as usual). */
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** A new frame: it replaces any held one, and goes out when allowed. */
  offer(frame: F): void {
    if (this.held !== null) this.drop(this.held);
    this.held = frame;
    void this.flush();
  }

  /** Try again now (after a resume). */
  kick(): void {
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.busy || this.held === null) return;
    const wait = this.pacer.wait(this.clock.now());
    if (wait === Number.POSITIVE_INFINITY) return;
    if (wait > 0) {
      if (!this.timer) {
        this.timer = true;
        this.clock.setTimeout(() => {
          this.timer = false;
          void this.flush();
        }, wait);
      }
      return;
    }
    const frame = this.held;
    this.held = null;
    this.busy = true;
    this.pacer.sent(this.clock.now());
    try {
      await this.send(frame);
    } catch (e) {
      this.onError(e);
    } finally {
      this.busy = false;
    }
    // A newer frame may have come while this one was on its way.
    void this.flush();
  }
}
