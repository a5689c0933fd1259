import type { RecordingSegment } from '../../shared/recording-contract.js';
import { base64Bytes } from './base64.js';
import { FrameBuffer } from './frame-buffer.js';
import { segmentAt } from './segments.js';
import { ThumbnailCache } from './thumbnail-cache.js';
import { downscale, THUMBNAIL_WIDTH, thumbnailSize } from './thumbnail-image.js';
import { applyKeyframe, type DecoderTable } from './update-decoder.js';

/** A keyframe made small. */
export interface Thumbnail {
  /** The segment it starts. */
  index: number;
  /** The keyframe's time (ms). */
  t: number;
  width: number;
  height: number;
  /** RGBA, as a canvas's ImageData takes it. */
  rgba: Uint8ClampedArray<ArrayBuffer>;
}

/** What the seek bar's thumbnail shows now. */
export interface ThumbnailView {
  /** The moment pointed at (ms). */
  t: number;
  /** Its segment; -1 before the first keyframe (there is no picture yet). */
  index: number;
  state: 'none' | 'loading' | 'ready' | 'failed';
  thumbnail: Thumbnail | null;
}

/** Run `cb` after `ms`; returns a function that cancels it (tests pass a hand-stepped one). */
export type Timer = (cb: () => void, ms: number) => () => void;

const realTimer: Timer = (cb, ms) => {
  const id = setTimeout(cb, ms);
  return () => clearTimeout(id);
};

export interface ThumbnailLoaderOptions {
  /** Wait this long on a segment not seen yet before asking for it (default 120 ms). */
  debounceMs?: number;
  /** Thumbnails kept (default 32). */
  keep?: number;
  maxWidth?: number;
  timer?: Timer;
}

/**
 * The seek bar's thumbnails: for the moment pointed at, the keyframe at or
 * before it, fetched alone (readRecordingSegment with keyframeOnly), decoded
 * by noVNC's decoders into a FrameBuffer of its own — never the player's, so
 * hovering cannot disturb playback — and made small. Each is fetched once
 * and kept (bounded); a segment not kept yet is asked for only once the
 * pointer has stayed on it for `debounceMs`, so sweeping across the bar asks
 * for nothing but where it stops.
 */
export class ThumbnailLoader {
  private readonly cache: ThumbnailCache<Thumbnail>;
  private readonly loading = new Map<number, Promise<Thumbnail>>();
  private keyframes: readonly number[] = [];
  private wanted: { t: number; index: number } | null = null;
  /** The pending ask and the segment it is for. */
  private pending: { index: number; cancel: () => void } | null = null;
  private disposed = false;
  private readonly debounceMs: number;
  private readonly maxWidth: number;
  private readonly timer: Timer;

  constructor(
    private readonly fetchKeyframe: (index: number) => Promise<RecordingSegment>,
    private readonly makeDecoders: () => DecoderTable,
    private readonly onView: (view: ThumbnailView | null) => void,
    opts: ThumbnailLoaderOptions = {},
  ) {
    this.cache = new ThumbnailCache<Thumbnail>(opts.keep ?? 32);
    this.debounceMs = opts.debounceMs ?? 120;
    this.maxWidth = opts.maxWidth ?? THUMBNAIL_WIDTH;
    this.timer = opts.timer ?? realTimer;
  }

  /** The recording's keyframe times (they grow while it is written; earlier segments keep their index). */
  setKeyframes(keyframes: readonly number[]): void {
    this.keyframes = keyframes;
  }

  /** Thumbnails kept now (for tests). */
  get kept(): number[] {
    return this.cache.keys();
  }

  /** Show the thumbnail for moment `t`, or none (null: the pointer left, the bar lost the focus). */
  want(t: number | null): void {
    if (this.disposed) return;
    if (t === null) {
      this.wanted = null;
      this.cancelPending();
      this.onView(null);
      return;
    }
    const index = segmentAt(this.keyframes, t);
    this.wanted = { t, index };
    if (index < 0) {
      this.cancelPending();
      this.onView({ t, index, state: 'none', thumbnail: null });
      return;
    }
    const kept = this.cache.get(index);
    if (kept) {
      this.cancelPending();
      this.onView({ t, index, state: 'ready', thumbnail: kept });
      return;
    }
    this.onView({ t, index, state: 'loading', thumbnail: null });
    // Already asked for, or about to be: moving within the segment does not put the ask off.
    if (this.loading.has(index) || this.pending?.index === index) return;
    this.cancelPending();
    const cancel = this.timer(() => {
      this.pending = null;
      void this.load(index);
    }, this.debounceMs);
    this.pending = { index, cancel };
  }

  dispose(): void {
    this.disposed = true;
    this.cancelPending();
  }

  private cancelPending(): void {
    this.pending?.cancel();
    this.pending = null;
  }

  private async load(index: number): Promise<void> {
    let p = this.loading.get(index);
    if (!p) {
      p = this.fetchKeyframe(index).then((s) => keyframeThumbnail(s, this.makeDecoders, this.maxWidth));
      this.loading.set(index, p);
    }
    try {
      const thumb = await p;
      this.cache.set(index, thumb);
      if (!this.disposed && this.wanted?.index === index) this.onView({ ...this.wanted, state: 'ready', thumbnail: thumb });
    } catch {
      // Not kept: pointing there again asks again.
      if (!this.disposed && this.wanted?.index === index) this.onView({ ...this.wanted, state: 'failed', thumbnail: null });
    } finally {
      this.loading.delete(index);
    }
  }
}

/** A segment's keyframe (its first record) decoded on its own and made small. */
export function keyframeThumbnail(segment: RecordingSegment, makeDecoders: () => DecoderTable, maxWidth = THUMBNAIL_WIDTH): Thumbnail {
  const first = segment.records[0];
  if (first?.type !== 'keyframe') throw new Error(`segment ${segment.index} does not start with a keyframe`);
  const fb = new FrameBuffer(first.width, first.height);
  applyKeyframe(first.width, first.height, base64Bytes(first.data), fb, makeDecoders());
  const size = thumbnailSize(fb.width, fb.height, maxWidth);
  return { index: segment.index, t: first.t, ...size, rgba: downscale(fb.data, fb.width, fb.height, size.width, size.height) };
}
