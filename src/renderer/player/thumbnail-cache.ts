/**
 * The seek bar's thumbnails kept for a while, by segment index, the least
 * recently shown dropped first once there are `limit` of them (a long
 * recording has thousands of segments; a thumbnail is ~64 KB). Pure: the
 * unit tests run it in Node.
 */
export class ThumbnailCache<V> {
  private readonly entries = new Map<number, V>();

  constructor(readonly limit = 32) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('a cache holds at least one thumbnail');
  }

  get size(): number {
    return this.entries.size;
  }

  /** The thumbnail of segment `index`, which counts as just used. */
  get(index: number): V | undefined {
    const v = this.entries.get(index);
    if (v !== undefined) {
      // A Map iterates in insertion order: put it back at the end, the most recent.
      this.entries.delete(index);
      this.entries.set(index, v);
    }
    return v;
  }

  has(index: number): boolean {
    return this.entries.has(index);
  }

  set(index: number, v: V): void {
    this.entries.delete(index);
    this.entries.set(index, v);
    while (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Indices from the least to the most recently used. */
  keys(): number[] {
    return [...this.entries.keys()];
  }
}

/**
 * The moment under the pointer at `x` pixels from the seek bar's left edge,
 * `width` pixels wide, for a recording `duration` ms long: the bar maps
 * time linearly along its width (clamped to the recording).
 */
export function timeAtX(x: number, width: number, duration: number): number {
  if (width <= 0 || duration <= 0) return 0;
  return Math.round(Math.min(1, Math.max(0, x / width)) * duration);
}

/** Where `t` lies along the bar, in pixels from its left edge (timeAtX the other way). */
export function xAtTime(t: number, width: number, duration: number): number {
  if (duration <= 0) return 0;
  return (Math.min(duration, Math.max(0, t)) / duration) * width;
}
