/**
 * Row hashes for finding moved rows: a hash picks the candidates, exact
 * comparison decides, so collisions cost time, never correctness.
 */

/** Smallest odd step giving at most `max` samples over `width` pixels (1 when all fit). */
export function oddStep(width: number, max: number): number {
  if (width <= max) return 1;
  const s = Math.ceil(width / max);
  return s | 1;
}

/** FNV-style hash of px[i] for i = start, start+step, ... < end; four lanes for speed. */
export function hashRow(px: Uint32Array, start: number, end: number, step: number): number {
  let a = 0x811c9dc5 | 0;
  let b = 0x01234567;
  let c = 0x76543210;
  let d = 0x3c6ef372;
  const step4 = step * 4;
  let i = start;
  for (; i + 3 * step < end; i += step4) {
    a = Math.imul(a ^ px[i]!, 0x01000193);
    b = Math.imul(b ^ px[i + step]!, 0x01000193);
    c = Math.imul(c ^ px[i + 2 * step]!, 0x01000193);
    d = Math.imul(d ^ px[i + 3 * step]!, 0x01000193);
  }
  for (; i < end; i += step) a = Math.imul(a ^ px[i]!, 0x01000193);
  let h = a ^ Math.imul(b, 0x27d4eb2d) ^ Math.imul(c, 0x165667b1) ^ Math.imul(d, 0x9e3779b1);
  h ^= h >>> 15;
  return h | 0;
}
