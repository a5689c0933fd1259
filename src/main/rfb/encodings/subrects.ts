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
        if (count === this.x.length) this.grow();
        this.x[count] = x;
        this.y[count] = y;
        this.w[count] = xe - x;
        this.h[count] = ye - y;
        this.colour[count] = c;
        count++;
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
