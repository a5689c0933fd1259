/**
 * Cover the pixels of a block that differ from a background colour with
 * single-colour rectangles (RRE, CoRRE, Hextile). Greedy: from the first
 * uncovered foreground pixel, grow a rectangle right-then-down and another
 * down-then-right, keep the larger. A rectangle may run over pixels already
 * covered by a rectangle of the same colour, since painting them again is
 * harmless and it gives fewer, larger rectangles.
 */
export class SubrectFinder {
  count = 0;
  x: Uint16Array = new Uint16Array(256);
  y: Uint16Array = new Uint16Array(256);
  w: Uint16Array = new Uint16Array(256);
  h: Uint16Array = new Uint16Array(256);
  colour: Uint32Array = new Uint32Array(256);
  private covered = new Uint8Array(256);
  private readonly coveredRows = new Int32Array(16);

  /**
   * Find rectangles for the w×h block at px[off] (rows `stride` apart). Returns
   * false (giving up early) as soon as more than `maxCount` would be needed.
   */
  find(px: Uint32Array, off: number, stride: number, w: number, h: number, bg: number, maxCount: number): boolean {
    const n = w * h;
    if (this.covered.length < n) this.covered = new Uint8Array(n);
    const covered = this.covered;
    covered.fill(0, 0, n);
    let count = 0;
    for (let y = 0; y < h; y++) {
      const row = off + y * stride;
      for (let x = 0; x < w; x++) {
        const c = px[row + x]!;
        if (c === bg || covered[y * w + x] !== 0) continue;

        // Right, then down with that width.
        let xe = x + 1;
        while (xe < w && px[row + xe] === c) xe++;
        let ye = y + 1;
        down: for (; ye < h; ye++) {
          const r = off + ye * stride;
          for (let i = x; i < xe; i++) if (px[r + i] !== c) break down;
        }
        // Down, then right with that height.
        let ye2 = y + 1;
        while (ye2 < h && px[off + ye2 * stride + x] === c) ye2++;
        let xe2 = x + 1;
        if (ye2 > ye) {
          right: for (; xe2 < w; xe2++) {
            for (let j = y; j < ye2; j++) if (px[off + j * stride + xe2] !== c) break right;
          }
        }
        if ((ye2 - y) * (xe2 - x) > (ye - y) * (xe - x)) {
          xe = xe2;
          ye = ye2;
        }

        if (count === maxCount) return false;
        this.put(count++, x, y, xe - x, ye - y, c);
        // Rows below are marked; on this row the scan simply jumps past the rectangle.
        for (let j = y + 1; j < ye; j++) {
          const base = j * w;
          for (let i = base + x, e = base + xe; i < e; i++) covered[i] = 1;
        }
        x = xe - 1;
      }
    }
    this.count = count;
    return true;
  }

  /**
   * find() for a block of two colours given as bit masks: bit x of rows[y] is
   * set where pixel (x, y) is `colour`, the one that is not the background.
   * At most 16×16 (a Hextile tile). Same search, same rectangles in the same
   * order as find(), but a row of pixels is one integer, so runs and columns
   * are tested a row at a time instead of a pixel at a time.
   */
  findInMasks(rows: Int32Array, h: number, colour: number, maxCount: number): boolean {
    const covered = this.coveredRows;
    covered.fill(0, 0, h);
    let count = 0;
    for (let y = 0; y < h; y++) {
      const row = rows[y]!;
      let todo = row & ~covered[y]!;
      while (todo !== 0) {
        const x = lowestSetBit(todo);
        // Right, then down with that width.
        let xe = x + trailingOnes(row >>> x);
        const span = bitRange(x, xe);
        let ye = y + 1;
        while (ye < h && (rows[ye]! & span) === span) ye++;
        // Down, then right with that height: the columns set in every one of those rows.
        let ye2 = y + 1;
        let common = row;
        while (ye2 < h && (rows[ye2]! & (1 << x)) !== 0) common &= rows[ye2++]!;
        const xe2 = ye2 > ye ? x + trailingOnes(common >>> x) : x + 1;
        if ((ye2 - y) * (xe2 - x) > (ye - y) * (xe - x)) {
          xe = xe2;
          ye = ye2;
        }

        if (count === maxCount) return false;
        this.put(count++, x, y, xe - x, ye - y, colour);
        const cover = bitRange(x, xe);
        for (let j = y + 1; j < ye; j++) covered[j] |= cover;
        // On this row the scan goes on after the rectangle.
        todo &= ~bitRange(0, xe);
      }
    }
    this.count = count;
    return true;
  }

  /** Store rectangle number `i`, growing the arrays when they are full. */
  private put(i: number, x: number, y: number, w: number, h: number, colour: number): void {
    if (i === this.x.length) this.grow();
    this.x[i] = x;
    this.y[i] = y;
    this.w[i] = w;
    this.h[i] = h;
    this.colour[i] = colour;
  }

  private grow(): void {
    const cap = this.x.length * 2;
    const g16 = (a: Uint16Array): Uint16Array => {
      const b = new Uint16Array(cap);
      b.set(a);
      return b;
    };
    this.x = g16(this.x);
    this.y = g16(this.y);
    this.w = g16(this.w);
    this.h = g16(this.h);
    const c = new Uint32Array(cap);
    c.set(this.colour);
    this.colour = c;
  }
}

/** Index of the lowest set bit of v (v ≠ 0). */
function lowestSetBit(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/** How many of v's lowest bits are set before the first clear one (v < 2^31). */
function trailingOnes(v: number): number {
  return lowestSetBit(~v & (v + 1));
}

/** Bits from..to-1 set (to ≤ 30). */
function bitRange(from: number, to: number): number {
  return ((1 << to) - 1) & ~((1 << from) - 1);
}

/**
 * Whether covering the w×h block at px[off] (rows `stride` apart) takes more
 * than `limit` rectangles of one colour each, by a lower bound that one quick
 * pass counts: a pixel that differs from the background, from its left
 * neighbour and from the pixel above can only be the top-left corner of any
 * single-colour rectangle covering it, so each such pixel needs a rectangle of
 * its own. Stops as soon as the bound passes `limit`; a false answer says
 * nothing.
 */
export function needsMoreSubrects(px: Uint32Array, off: number, stride: number, w: number, h: number, bg: number, limit: number): boolean {
  let corners = 0;
  for (let y = 0; y < h; y++) {
    const row = off + y * stride;
    const above = y === 0 ? -1 : row - stride;
    let left = -1; // no pixel value is -1
    for (let x = 0; x < w; x++) {
      const c = px[row + x]!;
      if (c !== bg && c !== left && (above < 0 || px[above + x] !== c) && ++corners > limit) return true;
      left = c;
    }
  }
  return false;
}

/**
 * Whether more than `limit` pixels of the w×h block at px[off] (rows `stride`
 * apart) are corners: differ from their left neighbour and from the pixel
 * above (a missing neighbour counts as different). Every corner not of the
 * background colour needs a rectangle of its own (see needsMoreSubrects), so
 * this tells photo-like blocks, where nearly every pixel is one, without
 * knowing the background; one comparison or two a pixel, and it stops as
 * soon as the answer is known either way.
 */
export function manyCorners(px: Uint32Array, off: number, stride: number, w: number, h: number, limit: number): boolean {
  // Once this many pixels are not corners, the corners can no longer pass `limit`.
  let plainLeft = w * h - limit;
  if (plainLeft <= 0) return false;
  let corners = 0;
  for (let y = 0; y < h; y++) {
    const row = off + y * stride;
    let left = -1; // no pixel value is -1
    for (let x = 0; x < w; x++) {
      const c = px[row + x]!;
      if (c !== left && (y === 0 || px[row - stride + x] !== c)) {
        if (++corners > limit) return true;
      } else if (--plainLeft === 0) {
        return false;
      }
      left = c;
    }
  }
  return false;
}
