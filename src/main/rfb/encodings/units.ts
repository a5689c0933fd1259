import { splitRect, type Rect } from '../../framebuffer/rect.js';
import type { PixelConverter } from '../pixel-format.js';
import type { Encoder, Piece } from './encoder.js';

/**
 * Rectangles are cut into units of at most this many pixels (and MAX_UNIT_WIDTH
 * wide, rows a multiple of 64 so ZRLE tiles stay whole): it bounds scratch
 * memory, refines the per-rectangle choice, and lets one unit's deflate run on
 * the thread pool while the next unit is prepared. Units are also what viewers
 * share (shared-encodes.ts), so the cut depends only on the rectangle.
 */
const MAX_UNIT_AREA = 1 << 17;
const MAX_UNIT_WIDTH = 2048;

/** The pixels of `piece` (inside `unit`) out of the unit's packed pixels `px`, packed into `scratch`. */
export function cutBlock(px: Uint32Array, unit: Rect, piece: Rect, scratch: Uint32Array): Uint32Array {
  const dst = scratch.subarray(0, piece.w * piece.h);
  let i = (piece.y - unit.y) * unit.w + (piece.x - unit.x);
  for (let o = 0; o < dst.length; o += piece.w, i += unit.w) dst.set(px.subarray(i, i + piece.w), o);
  return dst;
}

/** The piece size `enc` needs `unit` cut into (its maxRect, then its maxArea in whole rows), or null if it fits. */
export function maxPiece(enc: Encoder, unit: Rect): { w: number; h: number } | null {
  const w = Math.min(unit.w, enc.maxRect?.w ?? unit.w);
  let h = Math.min(unit.h, enc.maxRect?.h ?? unit.h);
  if (enc.maxArea && w * h > enc.maxArea) h = Math.max(1, Math.floor(enc.maxArea / w));
  return w === unit.w && h === unit.h ? null : { w, h };
}

/**
 * The rectangles `unit` is sent as in `enc`: as the encoder cuts it (its
 * `pieces` hook: Tight cuts solid areas apart), else by its maxRect and
 * maxArea; null when it goes whole.
 */
export function cutUnit(enc: Encoder, px: Uint32Array, unit: Rect): Piece[] | null {
  const size = maxPiece(enc, unit);
  return enc.pieces?.(px, unit) ?? (size ? splitRect(unit, size.w, size.h) : null);
}

/** Cut a rectangle into units: ≤ MAX_UNIT_WIDTH wide, ≤ MAX_UNIT_AREA pixels, row counts a multiple of 64. */
export function splitUnits(r: Rect): Rect[] {
  const uw = Math.min(r.w, MAX_UNIT_WIDTH);
  const uh = Math.max(64, Math.floor(MAX_UNIT_AREA / uw / 64) * 64);
  if (r.w <= uw && r.h <= uh) return [r];
  return splitRect(r, uw, uh);
}

/** Put `overlay`'s pixels (native, the cursor composited for a client that cannot draw it) over `px`, the converted pixels of `r`. */
export function paintOverlay(px: Uint32Array, r: Rect, overlay: { rect: Rect; pixels: Uint32Array }, converter: PixelConverter): void {
  const o = overlay.rect;
  const x0 = Math.max(r.x, o.x);
  const y0 = Math.max(r.y, o.y);
  const x1 = Math.min(r.x + r.w, o.x + o.w);
  const y1 = Math.min(r.y + r.h, o.y + o.h);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      px[(y - r.y) * r.w + (x - r.x)] = converter.convert(overlay.pixels[(y - o.y) * o.w + (x - o.x)]!);
    }
  }
}
