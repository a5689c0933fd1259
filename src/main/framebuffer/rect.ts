/** A rectangle in framebuffer coordinates. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function intersectRect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.w, b.x + b.w);
  const y2 = Math.min(a.y + a.h, b.y + b.h);
  return x2 > x && y2 > y ? { x, y, w: x2 - x, h: y2 - y } : null;
}

/** Calls `f` with the index of each `tile`×`tile` cell of a cols×rows grid that `r` touches (row-major; cells off the grid skipped). */
export function forEachTile(r: Rect, tile: number, cols: number, rows: number, f: (index: number) => void): void {
  const c0 = Math.max(0, Math.floor(r.x / tile));
  const r0 = Math.max(0, Math.floor(r.y / tile));
  const c1 = Math.min(cols, Math.ceil((r.x + r.w) / tile));
  const r1 = Math.min(rows, Math.ceil((r.y + r.h) / tile));
  for (let row = r0; row < r1; row++) for (let col = c0; col < c1; col++) f(row * cols + col);
}

/** Split a rectangle into tiles of at most tw×th, row-major. */
export function splitRect(r: Rect, tw: number, th: number): Rect[] {
  const out: Rect[] = [];
  for (let y = r.y; y < r.y + r.h; y += th) {
    const h = Math.min(th, r.y + r.h - y);
    for (let x = r.x; x < r.x + r.w; x += tw) {
      out.push({ x, y, w: Math.min(tw, r.x + r.w - x), h });
    }
  }
  return out;
}
