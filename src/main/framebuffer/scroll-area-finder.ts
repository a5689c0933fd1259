import type { Rect } from './rect.js';

/** Which tiles a compare found changed, and the hinted part of each. */
export interface ChangedTiles {
  readonly tileSize: number;
  readonly cols: number;
  readonly rows: number;
  /** Whether tile `tile` (row-major) was found changed. */
  isChanged(tile: number): boolean;
  /** x1, y1, x2, y2 of the hinted part of tile t, at 4t. */
  readonly box: Int32Array;
}

/** Most areas `find` returns: many small separate changes are not worth a scroll search each. */
const MAX_SCROLL_AREAS = 16;

/**
 * Cuts the changed tiles of a frame into separate areas to search for a
 * scroll in, with a recursive XY cut: a range of tiles is split along tile
 * rows, else tile columns, that hold no change, until every tile row and
 * column of a range holds one. Areas are disjoint, so copies found in
 * different areas cannot interfere.
 */
export class ScrollAreaFinder {
  // XY-cut scratch: which tile rows / columns of a range hold a changed tile
  private rowHas = new Uint8Array(0);
  private colHas = new Uint8Array(0);

  /**
   * The changed tiles, cut into areas along tile rows and columns without
   * changes, as the bounding boxes of their hinted parts. Areas narrower
   * than `minW` or lower than `minH` are left out, and only the largest
   * `MAX_SCROLL_AREAS` are kept.
   */
  find(tiles: ChangedTiles, minW: number, minH: number): Rect[] {
    const T = tiles.tileSize;
    const cols = tiles.cols;
    const rows = tiles.rows;
    const box = tiles.box;
    if (this.rowHas.length !== rows) this.rowHas = new Uint8Array(rows);
    if (this.colHas.length !== cols) this.colHas = new Uint8Array(cols);
    const rowHas = this.rowHas;
    const colHas = this.colHas;
    const out: Rect[] = [];
    // ranges of tiles [c0, c1) × [r0, r1) still to cut
    const stack: number[] = [0, 0, cols, rows];
    for (let guard = 0; stack.length > 0 && guard < 4096; guard++) {
      const r1 = stack.pop()!;
      const c1 = stack.pop()!;
      const r0 = stack.pop()!;
      const c0 = stack.pop()!;
      if ((c1 - c0) * T < minW || (r1 - r0) * T < minH) continue; // too small for a scroll
      rowHas.fill(0, r0, r1);
      colHas.fill(0, c0, c1);
      let any = false;
      for (let ty = r0; ty < r1; ty++) {
        const base = ty * cols;
        for (let tx = c0; tx < c1; tx++) {
          if (tiles.isChanged(base + tx)) {
            rowHas[ty] = 1;
            colHas[tx] = 1;
            any = true;
          }
        }
      }
      if (!any) continue;
      if (pushRuns(rowHas, r0, r1, (a, b) => stack.push(c0, a, c1, b))) continue;
      if (pushRuns(colHas, c0, c1, (a, b) => stack.push(a, r0, b, r1))) continue;
      // a leaf: every tile row and column holds a change
      let x1 = Infinity;
      let y1 = Infinity;
      let x2 = -Infinity;
      let y2 = -Infinity;
      for (let ty = r0; ty < r1; ty++) {
        for (let tx = c0; tx < c1; tx++) {
          const t = ty * cols + tx;
          if (!tiles.isChanged(t)) continue;
          const b = t * 4;
          if (box[b]! < x1) x1 = box[b]!;
          if (box[b + 1]! < y1) y1 = box[b + 1]!;
          if (box[b + 2]! > x2) x2 = box[b + 2]!;
          if (box[b + 3]! > y2) y2 = box[b + 3]!;
        }
      }
      if (x2 - x1 >= minW && y2 - y1 >= minH) out.push({ x: x1, y: y1, w: x2 - x1, h: y2 - y1 });
    }
    // many small separate changes: look at the largest few only (bounds the cost)
    if (out.length > MAX_SCROLL_AREAS) {
      out.sort((a, b) => b.w * b.h - a.w * a.h);
      out.length = MAX_SCROLL_AREAS;
    }
    return out;
  }
}

/**
 * Call `push(a, b)` for each maximal run [a, b) of set marks in [i0, i1) when
 * there are unset marks inside the span of the set ones (or around them);
 * return whether it did, i.e. whether the range can be cut or trimmed.
 */
function pushRuns(marks: Uint8Array, i0: number, i1: number, push: (a: number, b: number) => void): boolean {
  let first = i0;
  while (first < i1 && !marks[first]) first++;
  let last = i1;
  while (last > first && !marks[last - 1]) last--;
  let gap = first > i0 || last < i1;
  for (let i = first; i < last && !gap; i++) if (!marks[i]) gap = true;
  if (!gap) return false;
  let i = first;
  while (i < last) {
    while (i < last && !marks[i]) i++;
    const a = i;
    while (i < last && marks[i]) i++;
    if (i > a) push(a, i);
  }
  return true;
}
