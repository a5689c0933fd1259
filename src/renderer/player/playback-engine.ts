import type { RecordingSegment } from '../../shared/recording-contract.js';
import { base64Bytes } from './base64.js';
import { FrameBuffer } from './frame-buffer.js';
import { segmentAt } from './segments.js';
import { applyKeyframe, applyUpdate, type DecoderTable } from './update-decoder.js';

/** Where segments come from (the control API's readRecordingSegment, or a test's fake). */
export interface SegmentSource {
  segment(index: number): Promise<RecordingSegment>;
}

interface DecodedRecord {
  t: number;
  /** Set for the keyframe that starts a segment. */
  size: { width: number; height: number } | null;
  bytes: Uint8Array;
}

interface LoadedSegment {
  index: number;
  records: DecodedRecord[];
}

/** Where the picture is: segment `seg` decoded up to (not including) record `next`, showing time `t`. */
interface Position {
  seg: number;
  next: number;
  t: number;
  decoders: DecoderTable;
}

/**
 * Makes the picture of any moment of a recording. To show time t it takes the
 * segment whose keyframe is at or before t, decodes the keyframe and the
 * updates up to t; moving forward within a segment applies only the updates
 * in between. Segments are fetched once and kept near the one shown, and the
 * next one is fetched ahead so playing does not wait for it. Requests to show
 * a time coalesce: while one is being made, only the newest waiting one is
 * made next (dragging the seek bar skips the moments passed over).
 */
export class PlaybackEngine {
  readonly fb: FrameBuffer;
  /** The time the picture shows, null before anything was shown. */
  shown: number | null = null;
  private keyframes: readonly number[] = [];
  private live = false;
  private readonly cache = new Map<number, Promise<LoadedSegment>>();
  /** Segments in the cache that have arrived. */
  private readonly arrived = new Set<number>();
  private at: Position | null = null;
  private target: number | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly source: SegmentSource,
    private readonly makeDecoders: () => DecoderTable,
    layout: { keyframes: readonly number[]; live: boolean; width: number; height: number },
  ) {
    this.fb = new FrameBuffer(Math.max(1, layout.width), Math.max(1, layout.height));
    this.setLayout(layout.keyframes, layout.live);
  }

  /**
   * The recording's keyframes, again (a recording being written grows): its
   * last segment may have gained updates, so it is fetched anew when needed.
   */
  setLayout(keyframes: readonly number[], live: boolean): void {
    const wasLive = this.live;
    const grownFrom = wasLive ? Math.max(0, this.keyframes.length - 1) : Infinity;
    this.keyframes = [...keyframes];
    this.live = live;
    for (const i of [...this.cache.keys()]) if (i >= grownFrom) this.forget(i);
  }

  /** Whether showing `t` needs nothing fetched (the player says "loading" otherwise). */
  ready(t: number): boolean {
    const index = segmentAt(this.keyframes, t);
    return index < 0 || this.arrived.has(index);
  }

  /** Show time `t` (ms from the start). Resolves once the newest time asked for is shown. */
  show(t: number): Promise<void> {
    this.target = t;
    // No await between the loop's last check and clearing `running`: a later call always finds it cleared or the loop still going.
    this.running ??= (async () => {
      try {
        while (this.target !== null) {
          const next = this.target;
          this.target = null;
          await this.render(next);
        }
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async render(t: number): Promise<void> {
    const index = segmentAt(this.keyframes, t);
    if (index < 0) {
      // Before the first picture: nothing to show yet.
      this.fb.clear();
      this.at = null;
      this.shown = t;
      return;
    }
    const segment = await this.load(index);
    if (this.target !== null) return; // a newer time is waiting: draw that one instead
    let at = this.at;
    if (!at || at.seg !== index || t < at.t) {
      const first = segment.records[0];
      if (!first?.size) throw new Error(`segment ${index} does not start with a keyframe`);
      const decoders = this.makeDecoders();
      applyKeyframe(first.size.width, first.size.height, first.bytes, this.fb, decoders);
      at = { seg: index, next: 1, t: first.t, decoders };
    }
    const records = segment.records;
    while (at.next < records.length && records[at.next]!.t <= t) {
      const r = records[at.next]!;
      if (r.size) applyKeyframe(r.size.width, r.size.height, r.bytes, this.fb, at.decoders);
      else applyUpdate(r.bytes, this.fb, at.decoders);
      at.next++;
    }
    at.t = t;
    this.at = at;
    this.shown = t;
    this.keepNear(index);
    // Fetch ahead. A live recording's next segment exists only once its keyframe is listed.
    if (index + 1 < this.keyframes.length) void this.load(index + 1).catch(() => undefined);
  }

  private load(index: number): Promise<LoadedSegment> {
    let p = this.cache.get(index);
    if (!p) {
      const loading = this.source.segment(index).then(decodeSegment);
      p = loading;
      this.cache.set(index, loading);
      loading.then(
        () => {
          if (this.cache.get(index) === loading) this.arrived.add(index);
        },
        // A failure is not kept: the next request tries again.
        () => {
          if (this.cache.get(index) === loading) this.forget(index);
        },
      );
    }
    return p;
  }

  /** Keep the segment shown and its neighbours; the rest can be fetched again. */
  private keepNear(index: number): void {
    for (const i of [...this.cache.keys()]) if (i < index - 1 || i > index + 1) this.forget(i);
  }

  private forget(index: number): void {
    this.cache.delete(index);
    this.arrived.delete(index);
  }
}

function decodeSegment(s: RecordingSegment): LoadedSegment {
  return {
    index: s.index,
    records: s.records.map((r) => ({
      t: r.t,
      size: r.type === 'keyframe' ? { width: r.width, height: r.height } : null,
      bytes: base64Bytes(r.data),
    })),
  };
}
