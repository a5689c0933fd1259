/**
 * The player's clock: where in the recording playback is, from the wall
 * clock, the chosen speed and — with "skip idle" — stretches where nothing
 * happened played in about a second. Pure: the caller passes the time
 * (performance.now() in the page, numbers in tests).
 */

/** A stretch of the recording with no activity, in recording milliseconds. */
export interface IdleGap {
  start: number;
  end: number;
}

/** Idle stretches at least this long are skipped. */
export const MIN_IDLE_MS = 3000;
/** How long (wall-clock) a skipped stretch takes to play, at any speed up to the one that would pass it faster. */
export const SKIP_WALL_MS = 1000;

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16] as const;

/**
 * The idle stretches of a recording from its activity per second (second s
 * covers [s·1000, s·1000 + 1000)): runs of seconds with no activity at least
 * `minIdleMs` long, the seconds after the last activity up to the end
 * included.
 */
export function idleGaps(activity: readonly number[], durationMs: number, minIdleMs = MIN_IDLE_MS): IdleGap[] {
  const gaps: IdleGap[] = [];
  const seconds = Math.ceil(durationMs / 1000);
  let runStart = -1;
  const close = (endSecond: number) => {
    if (runStart < 0) return;
    const start = runStart * 1000;
    const end = Math.min(endSecond * 1000, durationMs);
    if (end - start >= minIdleMs) gaps.push({ start, end });
    runStart = -1;
  };
  for (let s = 0; s < seconds; s++) {
    if ((activity[s] ?? 0) > 0) close(s);
    else if (runStart < 0) runStart = s;
  }
  close(seconds);
  return gaps;
}

/**
 * Where playback is after `wallMs` of wall-clock time from `from`: `speed`
 * recording milliseconds per wall millisecond, faster inside a gap so that a
 * whole gap takes SKIP_WALL_MS (never slower than `speed`). Gaps in order.
 */
export function advance(from: number, wallMs: number, speed: number, gaps: readonly IdleGap[]): number {
  let pos = from;
  let wall = Math.max(0, wallMs);
  for (const gap of gaps) {
    if (gap.end <= pos) continue;
    if (pos < gap.start) {
      const toGap = (gap.start - pos) / speed;
      if (wall <= toGap) return pos + wall * speed;
      pos = gap.start;
      wall -= toGap;
    }
    const rate = Math.max(speed, (gap.end - gap.start) / SKIP_WALL_MS);
    const through = (gap.end - pos) / rate;
    if (wall <= through) return pos + wall * rate;
    pos = gap.end;
    wall -= through;
  }
  return pos + wall * speed;
}

/**
 * Playing or paused, at a speed, within [0, duration]. Every change re-anchors
 * the clock at the position it had then, so speed and skip-idle changes apply
 * from now on and never make the position jump.
 */
export class PlaybackClock {
  private anchorPos = 0;
  private anchorWall = 0;
  private playingNow = false;
  private speedNow = 1;
  private gaps: readonly IdleGap[] = [];

  constructor(private duration: number) {}

  get playing(): boolean {
    return this.playingNow;
  }

  get speed(): number {
    return this.speedNow;
  }

  get durationMs(): number {
    return this.duration;
  }

  position(now: number): number {
    const t = this.playingNow ? advance(this.anchorPos, now - this.anchorWall, this.speedNow, this.gaps) : this.anchorPos;
    return Math.min(this.duration, Math.max(0, t));
  }

  /** At the end: playing would show nothing new. */
  atEnd(now: number): boolean {
    return this.position(now) >= this.duration;
  }

  play(now: number): void {
    this.reanchor(now);
    this.playingNow = true;
  }

  pause(now: number): void {
    this.reanchor(now);
    this.playingNow = false;
  }

  seek(t: number, now: number): void {
    this.anchorPos = Math.min(this.duration, Math.max(0, t));
    this.anchorWall = now;
  }

  setSpeed(speed: number, now: number): void {
    if (!(speed > 0)) throw new RangeError(`a speed must be above 0, got ${speed}`);
    this.reanchor(now);
    this.speedNow = speed;
  }

  /** The stretches to pass quickly; none to play everything at the chosen speed. */
  setGaps(gaps: readonly IdleGap[], now: number): void {
    this.reanchor(now);
    this.gaps = gaps;
  }

  /** A recording being written grew (or was found shorter): the position stays, within the new length. */
  setDuration(durationMs: number, now: number): void {
    this.reanchor(now);
    this.duration = Math.max(0, durationMs);
    this.anchorPos = Math.min(this.anchorPos, this.duration);
  }

  private reanchor(now: number): void {
    this.anchorPos = this.position(now);
    this.anchorWall = now;
  }
}
