import type { RecordingDetails } from '../../shared/recording-contract.js';
import { idleGaps, PlaybackClock } from './clock.js';
import type { FrameBuffer } from './frame-buffer.js';
import { PlaybackEngine, type SegmentSource } from './playback-engine.js';
import { formatPlayTime } from './time-format.js';
import type { DecoderTable } from './update-decoder.js';

/** Where the player reads a recording: its segments, and its details again while it is being written. */
export interface PlayerSource extends SegmentSource {
  details(): Promise<RecordingDetails>;
}

/** How time passes: the page's clock and animation frames (tests step both by hand). */
export interface Scheduler {
  now(): number;
  /** Call `cb` before the next repaint; returns a function that cancels it. */
  frame(cb: () => void): () => void;
}

export interface PlayerState {
  details: RecordingDetails;
  /** The moment the player is at (ms). */
  position: number;
  playing: boolean;
  speed: number;
  skipIdle: boolean;
  /** Waiting for a segment. */
  loading: boolean;
  /** Played to the end of a finished recording. */
  ended: boolean;
  /** At the end of a recording still being written, waiting for more. */
  following: boolean;
  error: string | null;
}

/** Re-read a live recording's details when playback comes this close to its end… */
const FOLLOW_MARGIN_MS = 2000;
/** …at most this often. */
const FOLLOW_EVERY_MS = 1000;

/**
 * One recording in the player: the clock (play, pause, seek, speed, skip
 * idle), the engine that makes the picture for the clock's time, and, for a
 * recording still being written, following it as it grows. `draw` is told
 * each time the picture changes.
 */
export class PlayerController {
  private readonly clock: PlaybackClock;
  private readonly engine: PlaybackEngine;
  private readonly listeners = new Set<(s: PlayerState) => void>();
  private current: PlayerState;
  private cancelFrame: (() => void) | null = null;
  private lastFollow = -Infinity;
  private following: Promise<void> | null = null;
  private disposed = false;

  constructor(
    details: RecordingDetails,
    private readonly source: PlayerSource,
    private readonly draw: (fb: FrameBuffer, t: number) => void,
    private readonly scheduler: Scheduler,
    makeDecoders: () => DecoderTable,
  ) {
    this.clock = new PlaybackClock(details.durationMs);
    this.engine = new PlaybackEngine(source, makeDecoders, details);
    this.current = { details, position: 0, playing: false, speed: 1, skipIdle: false, loading: false, ended: false, following: false, error: null };
  }

  get state(): PlayerState {
    return this.current;
  }

  subscribe(listener: (s: PlayerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Show the first picture. */
  start(): Promise<void> {
    return this.render(0);
  }

  play(): void {
    const now = this.scheduler.now();
    // Playing a finished recording from its end starts it again.
    if (this.clock.atEnd(now) && !this.current.details.live) this.clock.seek(0, now);
    this.clock.play(now);
    this.set({ playing: true, ended: false });
    this.loop();
  }

  pause(): void {
    this.clock.pause(this.scheduler.now());
    this.stopLoop();
    this.set({ playing: false, following: false, position: this.clock.position(this.scheduler.now()) });
  }

  toggle(): void {
    if (this.current.playing) this.pause();
    else this.play();
  }

  seek(t: number): void {
    const now = this.scheduler.now();
    this.clock.seek(t, now);
    const position = this.clock.position(now);
    this.set({ position, ended: false });
    void this.render(position);
  }

  seekBy(ms: number): void {
    this.seek(this.clock.position(this.scheduler.now()) + ms);
  }

  setSpeed(speed: number): void {
    this.clock.setSpeed(speed, this.scheduler.now());
    this.set({ speed });
  }

  setSkipIdle(skipIdle: boolean): void {
    this.set({ skipIdle });
    this.applyGaps();
  }

  dispose(): void {
    this.disposed = true;
    this.stopLoop();
    this.listeners.clear();
  }

  private applyGaps(): void {
    const d = this.current.details;
    this.clock.setGaps(this.current.skipIdle ? idleGaps(d.activity, d.durationMs) : [], this.scheduler.now());
  }

  private loop(): void {
    if (this.cancelFrame || this.disposed) return;
    this.cancelFrame = this.scheduler.frame(() => {
      this.cancelFrame = null;
      if (!this.current.playing || this.disposed) return;
      this.tick();
      // The tick may have stopped playback (the end of a finished recording).
      if (this.current.playing) this.loop();
    });
  }

  private stopLoop(): void {
    this.cancelFrame?.();
    this.cancelFrame = null;
  }

  /** One animation frame while playing. */
  private tick(): void {
    const now = this.scheduler.now();
    const { details } = this.current;
    const position = this.clock.position(now);
    if (details.live && position >= details.durationMs - FOLLOW_MARGIN_MS) this.follow(now);
    if (position >= this.clock.durationMs) {
      if (details.live) {
        // Hold at the end and let the clock wait there: more will be read in.
        this.clock.seek(this.clock.durationMs, now);
        this.set({ position, following: true });
      } else {
        this.clock.pause(now);
        this.stopLoop();
        this.set({ position, playing: false, ended: true, following: false });
      }
    } else {
      this.set({ position, following: false });
    }
    void this.render(position);
  }

  /** Read a live recording's details again, at most once a second. */
  private follow(now: number): void {
    if (this.following || now - this.lastFollow < FOLLOW_EVERY_MS) return;
    this.lastFollow = now;
    this.following = this.source
      .details()
      .then((d) => {
        if (this.disposed) return;
        this.engine.setLayout(d.keyframes, d.live);
        this.clock.setDuration(d.durationMs, this.scheduler.now());
        this.set({ details: d });
        this.applyGaps();
      })
      .catch((e: unknown) => this.set({ error: `Could not read the recording again: ${message(e)}` }))
      .finally(() => {
        this.following = null;
      });
  }

  private async render(t: number): Promise<void> {
    if (!this.engine.ready(t)) this.set({ loading: true });
    try {
      await this.engine.show(t);
      if (this.disposed) return;
      if (this.engine.shown !== null) this.draw(this.engine.fb, this.engine.shown);
      this.set({ loading: false, error: null });
    } catch (e) {
      if (this.disposed) return;
      this.set({ loading: false, error: `Could not show the picture at ${formatPlayTime(t)}: ${message(e)}` });
    }
  }

  private set(patch: Partial<PlayerState>): void {
    if (this.disposed) return;
    const keys = Object.keys(patch) as Array<keyof PlayerState>;
    if (keys.every((k) => Object.is(patch[k], this.current[k]))) return;
    this.current = { ...this.current, ...patch };
    for (const l of [...this.listeners]) l(this.current);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
