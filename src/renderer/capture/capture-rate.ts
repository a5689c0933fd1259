import { clampFrameRate } from '../../shared/frame-rate.js';

/**
 * How fast the capture itself runs. Chromium captures the screen at the
 * track's frame rate whether anything changes or not, and the page must copy
 * each frame out to see whether it did: on a still 1920×1080 screen at 60
 * frames a second that is most of a core (measured: 78 % of one, against 8 %
 * at 5 a second). So the track is slowed while nothing changes, and sped up
 * again by the first change:
 * - 'active': the frame rate main asked for;
 * - 'still': nothing changed for `stillAfterMs`: STILL_RATE frames a second,
 *   which costs a change on a screen left alone at most 1/STILL_RATE s more;
 * - 'paused': nobody watches: PAUSED_RATE (the frames are not even copied).
 */
export const STILL_RATE = 10;
export const PAUSED_RATE = 1;

/** What the controller changes: the track's frame rate (MediaStreamTrack.applyConstraints in the page). */
export type ApplyRate = (framesPerSecond: number) => void;

export class CaptureRate {
  private state: 'active' | 'still' | 'paused' = 'active';
  private rate: number;
  private lastChange: number;
  private applied: number;

  constructor(
    frameRate: number,
    private readonly apply: ApplyRate,
    now: number,
    private readonly stillAfterMs = 2000,
  ) {
    this.rate = clampFrameRate(frameRate);
    this.applied = this.rate;
    this.lastChange = now;
  }

  /** The rate the track runs at now. */
  get current(): number {
    return this.applied;
  }

  get mode(): 'active' | 'still' | 'paused' {
    return this.state;
  }

  /** Main asked for a new frame rate. */
  setFrameRate(frameRate: number): void {
    this.rate = clampFrameRate(frameRate);
    if (this.state === 'active') this.set(this.rate);
  }

  /** A frame was looked at: `changed` says whether it differed from the last one sent. */
  frame(changed: boolean, now: number): void {
    if (this.state === 'paused') return;
    if (changed) {
      this.lastChange = now;
      if (this.state === 'still') this.enter('active', this.rate);
    } else if (this.state === 'active' && now - this.lastChange >= this.stillAfterMs) {
      this.enter('still', Math.min(STILL_RATE, this.rate));
    }
  }

  pause(): void {
    this.enter('paused', Math.min(PAUSED_RATE, this.rate));
  }

  /** Someone watches again: full rate at once (a viewer waits for the picture). */
  resume(now: number): void {
    this.lastChange = now;
    this.enter('active', this.rate);
  }

  private enter(state: 'active' | 'still' | 'paused', rate: number): void {
    this.state = state;
    this.set(rate);
  }

  private set(rate: number): void {
    if (rate === this.applied) return;
    this.applied = rate;
    this.apply(rate);
  }
}
