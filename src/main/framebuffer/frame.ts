import type { Rect } from './rect.js';

/**
 * A captured desktop image in the server's native format: 32 bits per pixel,
 * one uint32 per pixel holding 0x00RRGGBB (BGRX bytes in memory on a
 * little-endian host, which is what X servers hand out).
 */
export interface Frame {
  readonly width: number;
  readonly height: number;
  /** Row-major pixels; row y starts at y * stride. */
  readonly pixels: Uint32Array;
  /** Pixels per row (≥ width). */
  readonly stride: number;
}

export function createFrame(width: number, height: number): Frame {
  return { width, height, pixels: new Uint32Array(width * height), stride: width };
}

/** Copy a rectangle of a frame into a new tightly packed pixel array. */
export function extractRect(frame: Frame, r: Rect): Uint32Array {
  const out = new Uint32Array(r.w * r.h);
  for (let row = 0; row < r.h; row++) {
    const start = (r.y + row) * frame.stride + r.x;
    out.set(frame.pixels.subarray(start, start + r.w), row * r.w);
  }
  return out;
}
