import { createFrame, type Frame } from '../../framebuffer/frame.js';
import type { Rect } from '../../framebuffer/rect.js';
import { DirtyGrid } from '../../framebuffer/region.js';

/**
 * Frames from the capture page, turned into the server's native frame.
 *
 * The page sends 8-bit BGRA (VideoFrame.copyTo's conversion) or RGBA (a
 * canvas's getImageData, the fallback), rows `stride` bytes apart. The
 * server's frame holds one uint32 0x00RRGGBB per pixel. On a little-endian
 * host (every platform Electron runs on) BGRA bytes read as uint32 are
 * 0xAARRGGBB, so only alpha is dropped; RGBA needs red and blue swapped.
 * Pixels are compared as they are written, so the changed 64×64 tiles come
 * out of the same pass.
 */

export type RawPixelFormat = 'bgra' | 'rgba';

export interface RawFrame {
  width: number;
  height: number;
  format: RawPixelFormat;
  /** Bytes per row, a multiple of 4 and at least width × 4. */
  stride: number;
  data: Uint8Array;
}

/** Larger than any screen Chromium captures; keeps a bad message from allocating gigabytes. */
export const MAX_CAPTURE_SIDE = 16384;

export const CHANGE_TILE = 64;

function isSide(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_CAPTURE_SIDE;
}

/** Check a frame message from the page; returns the frame or what is wrong with it. */
export function parseRawFrame(msg: unknown): RawFrame | string {
  if (typeof msg !== 'object' || msg === null) return 'not a frame';
  const m = msg as Record<string, unknown>;
  const { width, height, format, stride } = m;
  if (!isSide(width) || !isSide(height)) return `bad frame size ${String(width)}×${String(height)}`;
  if (format !== 'bgra' && format !== 'rgba') return `unknown pixel format ${String(format)}`;
  let data: Uint8Array;
  if (m['data'] instanceof Uint8Array) data = m['data'];
  else if (m['data'] instanceof ArrayBuffer) data = new Uint8Array(m['data']);
  else return 'frame without pixel data';
  const rowBytes = typeof stride === 'number' ? stride : width * 4;
  if (!Number.isInteger(rowBytes) || rowBytes % 4 !== 0 || rowBytes < width * 4) return `bad row stride ${String(stride)}`;
  if (data.byteLength < rowBytes * (height - 1) + width * 4) return `frame data too short: ${data.byteLength} bytes for ${width}×${height}`;
  return { width, height, format, stride: rowBytes, data };
}

/** The bytes as uint32 words (copied only when the view is not 4-byte aligned). */
function words(data: Uint8Array): Uint32Array {
  if (data.byteOffset % 4 === 0) return new Uint32Array(data.buffer, data.byteOffset, data.byteLength >>> 2);
  return new Uint32Array(data.slice().buffer, 0, data.byteLength >>> 2);
}

export interface AppliedFrame {
  /** The frame now holding the pixels: `into` itself, or a new one when the size changed. */
  frame: Frame;
  /** Changed areas (tile-aligned, merged); the whole frame when it was new. */
  changed: Rect[];
  /** Whether a new frame was made (first frame or a new size). */
  resized: boolean;
}

/**
 * Write a raw frame into `into` (when it has the same size), converting to
 * 0x00RRGGBB and noting which tiles changed; a different size (or no frame
 * yet) makes a new frame that counts as changed everywhere.
 */
export function applyRawFrame(raw: RawFrame, into: Frame | null, tile = CHANGE_TILE): AppliedFrame {
  const { width, height } = raw;
  const resized = !into || into.width !== width || into.height !== height;
  const frame = resized ? createFrame(width, height) : into;
  const src = words(raw.data);
  const srcStride = raw.stride >>> 2;
  const dst = frame.pixels;
  const dstStride = frame.stride;
  const rgba = raw.format === 'rgba';
  const dirty = new DirtyGrid(width, height, tile);
  const cols = Math.ceil(width / tile);
  const changedCols = new Uint8Array(cols);

  for (let band = 0; band < height; band += tile) {
    const bandEnd = Math.min(height, band + tile);
    changedCols.fill(0);
    for (let y = band; y < bandEnd; y++) {
      const s0 = y * srcStride;
      const d0 = y * dstStride;
      for (let c = 0; c < cols; c++) {
        const x0 = c * tile;
        const x1 = Math.min(width, x0 + tile);
        let diff = 0;
        for (let x = x0; x < x1; x++) {
          const v = src[s0 + x];
          const p = rgba ? ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff) : v & 0xffffff;
          if (dst[d0 + x] !== p) {
            dst[d0 + x] = p;
            diff = 1;
          }
        }
        if (diff) changedCols[c] = 1;
      }
    }
    for (let c = 0; c < cols; c++) if (changedCols[c]) dirty.add({ x: c * tile, y: band, w: tile, h: bandEnd - band });
  }
  if (resized) return { frame, changed: [{ x: 0, y: 0, w: width, h: height }], resized };
  return { frame, changed: dirty.take(), resized };
}
