/**
 * One pass over a block of client pixel values that finds what the palette
 * encodings need: the distinct colours (up to a limit), how often each occurs,
 * and the runs of equal pixels in row-major order (runs continue across rows,
 * as in ZRLE/TRLE RLE). Colours are looked up only where a run ends, so flat
 * and text-like areas cost one comparison per pixel.
 */

/** Most colours a palette encoding can use (ZRLE/TRLE palette RLE allows 127). */
export const MAX_PALETTE = 127;

const HASH_SIZE = 256; // power of two, more than twice MAX_PALETTE so probes stay short
const HASH_MASK = HASH_SIZE - 1;

export class TileAnalysis {
  /** Distinct colours found; valid only while `overflow` is false. */
  paletteSize = 0;
  /** More than the requested number of colours were seen. */
  overflow = false;
  /**
   * The pass stopped before the end (more colours than allowed, and runs too
   * short for plain RLE): run statistics are incomplete and only "use raw" is known.
   */
  bailed = false;
  /** Colours in order of first appearance. */
  readonly palette = new Uint32Array(MAX_PALETTE + 1);
  /** Pixels of each palette colour. */
  readonly counts = new Uint32Array(MAX_PALETTE + 1);
  /** Number of runs of equal pixels. */
  runs = 0;
  /** Runs of exactly one pixel. */
  singles = 0;
  /** Σ floor((len−1)/255) over runs: the length bytes beyond the first one. */
  extraLengthBytes = 0;
  /** When recording: palette index and length of each run (valid while not overflowed). */
  readonly runIndex: Uint8Array;
  readonly runLength: Uint32Array;

  private readonly keys = new Uint32Array(HASH_SIZE);
  private readonly slots = new Uint8Array(HASH_SIZE);
  private readonly stamps = new Uint32Array(HASH_SIZE);
  private generation = 0;

  /** `maxRunPixels`: the largest block whose runs will be recorded. */
  constructor(maxRunPixels = 64 * 64) {
    this.runIndex = new Uint8Array(maxRunPixels);
    this.runLength = new Uint32Array(maxRunPixels);
  }

  /**
   * Analyse the w×h block of `px` starting at `off` with `stride` values per row.
   * `maxColours` ≤ MAX_PALETTE. After more colours than that are seen the pass
   * keeps counting runs (plain RLE needs them), but stops (`bailed`) at the end
   * of a row where the runs so far exceed `runRatio` × the pixels so far: runs
   * that short make plain RLE lose to raw (0: stop as soon as the palette
   * overflows). `record` keeps per-run index/length (the block must then have
   * at most `maxRunPixels` pixels).
   */
  analyse(
    px: Uint32Array,
    off: number,
    stride: number,
    w: number,
    h: number,
    maxColours: number,
    runRatio: number,
    record: boolean,
  ): void {
    this.newGeneration();
    this.paletteSize = 0;
    const { counts, runIndex, runLength } = this;
    let overflow = false;
    let runs = 0;
    let singles = 0;
    let extra = 0;
    // Colour and index of the run before the previous one: text alternates
    // between two colours, so this skips most hash look-ups (consecutive runs
    // always differ, so the previous run itself is never a match).
    let prevColour = -1;
    let prevIndex = -1;
    let lastColour = -1;
    let lastIndex = -1;

    let cur = px[off]!;
    let len = 0;
    let bailed = false;
    // Rows are walked in order; the last run is closed by one more pass through
    // the run-end code with a value no pixel can have (-1).
    let y = 0;
    let i = off;
    let end = off + w;
    for (;;) {
      let p = -1;
      for (; i < end; i++) {
        p = px[i]!;
        if (p !== cur) break;
        len++;
      }
      if (i === end) {
        // Row finished inside a run.
        if (overflow && runs > (y + 1) * w * runRatio) {
          bailed = true;
          break;
        }
        if (++y < h) {
          i = off + y * stride;
          end = i + w;
          continue;
        }
        p = -1;
      }
      // A run of `cur` ends before pixel i (or at the end of the block when p is -1).
      if (len === 1) singles++;
      else extra += ((len - 1) / 255) | 0;
      if (!overflow) {
        const idx = cur === prevColour ? prevIndex : this.indexOf(cur, maxColours);
        if (idx < 0) {
          overflow = true;
        } else {
          counts[idx] += len;
          if (record) {
            runIndex[runs] = idx;
            runLength[runs] = len;
          }
          prevColour = lastColour;
          prevIndex = lastIndex;
          lastColour = cur;
          lastIndex = idx;
        }
      }
      runs++;
      if (p === -1) break;
      cur = p;
      len = 1;
      i++;
    }

    this.overflow = overflow;
    this.bailed = bailed;
    this.runs = runs;
    this.singles = singles;
    this.extraLengthBytes = extra;
  }

  /** Palette index of `c`, adding it if there is room; -1 when the palette is full. */
  private indexOf(c: number, maxColours: number): number {
    const { keys, slots, stamps } = this;
    const gen = this.generation;
    let s = Math.imul(c, 0x9e3779b1) >>> 24;
    while (stamps[s] === gen) {
      if (keys[s] === c) return slots[s]!;
      s = (s + 1) & HASH_MASK;
    }
    if (this.paletteSize === maxColours) return -1;
    const idx = this.paletteSize++;
    stamps[s] = gen;
    keys[s] = c;
    slots[s] = idx;
    this.palette[idx] = c;
    this.counts[idx] = 0;
    return idx;
  }

  /** Index of the most frequent colour (valid when paletteSize > 0). */
  mostFrequent(): number {
    let best = 0;
    for (let i = 1; i < this.paletteSize; i++) if (this.counts[i]! > this.counts[best]!) best = i;
    return best;
  }

  private newGeneration(): void {
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }
}

/**
 * Distinct colours in `n` packed values, counting up to `limit`; returns
 * limit + 1 as soon as there are more. Used to classify whole rectangles, so
 * it stops at the first sign of a busy area.
 */
export function countColours(px: Uint32Array, n: number, limit: number, scratch: ColourSet): number {
  if (n === 0) return 0;
  scratch.clear();
  let cur = px[0]!;
  let found = scratch.add(cur);
  if (found > limit) return limit + 1;
  for (let i = 1; i < n; i++) {
    const p = px[i]!;
    if (p === cur) continue;
    cur = p;
    found = scratch.add(p);
    if (found > limit) return limit + 1;
  }
  return found;
}

/** A tiny open-addressing set of at most MAX_PALETTE colours. */
export class ColourSet {
  private readonly keys = new Uint32Array(HASH_SIZE);
  private readonly stamps = new Uint32Array(HASH_SIZE);
  private generation = 1;
  private size = 0;

  clear(): void {
    this.size = 0;
    this.generation = (this.generation + 1) >>> 0;
    if (this.generation === 0) {
      this.stamps.fill(0);
      this.generation = 1;
    }
  }

  /** Add a colour; returns how many distinct colours the set holds (stops growing past MAX_PALETTE). */
  add(v: number): number {
    const gen = this.generation;
    let s = Math.imul(v, 0x9e3779b1) >>> 24;
    while (this.stamps[s] === gen) {
      if (this.keys[s] === v) return this.size;
      s = (s + 1) & HASH_MASK;
    }
    if (this.size > MAX_PALETTE) return this.size;
    this.stamps[s] = gen;
    this.keys[s] = v;
    return ++this.size;
  }
}

/**
 * Tells a block of at most 16×16 pixels with one or two colours from the rest,
 * and for two colours records where the second one is as bit masks. Hextile's
 * flat and text tiles are of that kind: this pass costs less than TileAnalysis
 * on them, stops at the third colour, and its masks let the subrectangle
 * search work a row at a time.
 */
export class TwoColourScan {
  /** The colour of the block's first pixel. */
  first = 0;
  /** The other colour (when there are two). */
  second = 0;
  /** Pixels of `second`. */
  secondCount = 0;
  /** Bit x of rows[y] is set where pixel (x, y) is `second`. */
  readonly rows = new Int32Array(16);

  /** Scan the w×h block at px[off] (rows `stride` apart): 1 or 2 colours, or 0 for more. */
  scan(px: Uint32Array, off: number, stride: number, w: number, h: number): number {
    const first = px[off]!;
    let second = -1; // no pixel value is -1
    let count = 0;
    for (let y = 0; y < h; y++) {
      const row = off + y * stride;
      let bits = 0;
      for (let x = 0; x < w; x++) {
        const p = px[row + x]!;
        if (p === first) continue;
        if (p !== second) {
          if (second !== -1) return 0;
          second = p;
        }
        bits |= 1 << x;
        count++;
      }
      this.rows[y] = bits;
    }
    this.first = first;
    this.second = second;
    this.secondCount = count;
    return second === -1 ? 1 : 2;
  }
}
