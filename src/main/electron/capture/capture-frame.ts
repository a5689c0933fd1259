import { createFrame, type Frame } from '../../framebuffer/frame.js';
import type { Rect } from '../../framebuffer/rect.js';
import { DirtyGrid } from '../../framebuffer/region.js';
import { convertYuvArea, yuvChangedTiles, yuvColorOf, YuvTables, type ColorSpaceLike, type YuvColor, type YuvPlanes } from '../../framebuffer/yuv-to-rgb.js';

/**
 * Frames from the capture page, turned into the server's native frame.
 *
 * The page sends what the platform delivered where it can:
 * - 8-bit BGRA (native frames, or VideoFrame.copyTo's conversion) or RGBA (a
 *   canvas's getImageData, the fallback), rows `stride` bytes apart. The
 *   server's frame holds one uint32 0x00RRGGBB per pixel; on a little-endian
 *   host (every platform Electron runs on) BGRA bytes read as uint32 are
 *   0xAARRGGBB, so only alpha is dropped; RGBA needs red and blue swapped.
 * - I420 or NV12 (Chromium's capture pipeline turns every RGB screen into
 *   I420), converted here with the matrix and range the frame states
 *   (framebuffer/yuv-to-rgb.ts). Only tiles whose YUV bytes changed since the
 *   previous frame are converted.
 * Pixels are compared as they are written, so the changed 64×64 tiles come
 * out of the same pass.
 */

export type RawPixelFormat = 'bgra' | 'rgba';

interface RawFrameBase {
  width: number;
  height: number;
  data: Uint8Array;
  /** What the platform delivered ('I420', 'BGRA', …), as the page says; else the format sent. */
  sourceFormat: string;
  /** Whether the capture paints the pointer into its frames (unknown counts as yes: Chromium always does). */
  pointer: boolean;
  /**
   * Only this rectangle came (the rest is as the previous frame had it). A
   * YUV frame's `planes` are then offset so that the whole frame's rows and
   * columns find its bytes; an RGB frame's rows hold the rectangle alone.
   */
  band?: Band;
}

export interface RgbRawFrame extends RawFrameBase {
  format: RawPixelFormat;
  /** Bytes per row, a multiple of 4 and at least width × 4. */
  stride: number;
}

export interface YuvRawFrame extends RawFrameBase {
  format: 'i420' | 'nv12';
  planes: YuvPlanes;
  color: YuvColor;
  /** Whether the frame said its matrix and range (else BT.601 limited is assumed). */
  colorKnown: boolean;
}

export type RawFrame = RgbRawFrame | YuvRawFrame;

/** A changed rectangle of a frame: `cols` × `rows` at (`left`, `top`), both even. */
export interface Band {
  top: number;
  rows: number;
  left: number;
  cols: number;
}

export function isYuv(raw: RawFrame): raw is YuvRawFrame {
  return raw.format === 'i420' || raw.format === 'nv12';
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
  if (format !== 'bgra' && format !== 'rgba' && format !== 'i420' && format !== 'nv12') return `unknown pixel format ${String(format)}`;
  let data: Uint8Array;
  if (m['data'] instanceof Uint8Array) data = m['data'];
  else if (m['data'] instanceof ArrayBuffer) data = new Uint8Array(m['data']);
  else return 'frame without pixel data';
  const base = {
    width,
    height,
    data,
    sourceFormat: typeof m['sourceFormat'] === 'string' ? m['sourceFormat'].slice(0, 32) : format.toUpperCase(),
    pointer: m['pointer'] !== false,
  };
  const band = parseBand(m, width, height);
  if (typeof band === 'string') return band;
  if (format === 'i420' || format === 'nv12') return parseYuv({ ...base, format }, m['planes'], m['colorSpace'], band);
  // The pixels the data holds: the whole frame's, or the band's.
  const w = band ? band.cols : width;
  const h = band ? band.rows : height;
  const rowBytes = typeof stride === 'number' ? stride : w * 4;
  if (!Number.isInteger(rowBytes) || rowBytes % 4 !== 0 || rowBytes < w * 4) return `bad row stride ${String(stride)}`;
  if (data.byteLength < rowBytes * (h - 1) + w * 4) return `frame data too short: ${data.byteLength} bytes for ${w}×${h}`;
  return { ...base, format, stride: rowBytes, ...(band ? { band } : {}) };
}

/** The changed rectangle a frame message says it holds (none: the whole frame), or what is wrong with it. */
function parseBand(m: Record<string, unknown>, width: number, height: number): Band | null | string {
  const { top, rows, left = 0, cols = width } = m;
  if (top === undefined && rows === undefined) return null;
  const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (!isCount(top) || !isCount(rows) || top % 2 !== 0 || rows < 1 || top + rows > height) return `bad band of rows ${String(top)}+${String(rows)} of ${height}`;
  if (!isCount(left) || !isCount(cols) || left % 2 !== 0 || cols < 1 || left + cols > width) return `bad band of columns ${String(left)}+${String(cols)} of ${width}`;
  return { top, rows, left, cols };
}

function parseYuv(base: RawFrameBase & { format: 'i420' | 'nv12' }, planes: unknown, colorSpace: unknown, band: Band | null): YuvRawFrame | string {
  const { format, data } = base;
  // The rows and columns the data holds: all of them, or the band's.
  const height = band ? band.rows : base.height;
  const width = band ? band.cols : base.width;
  const count = format === 'i420' ? 3 : 2;
  if (!Array.isArray(planes) || planes.length < count) return `${format} frame without its ${count} planes`;
  // Chroma columns under the luma columns held (a band starts on an even column).
  const chromaWidth = band ? ((band.left + band.cols + 1) >> 1) - (band.left >> 1) : (width + 1) >> 1;
  // Bytes each plane's rows need: full-width luma, half-width chroma (NV12: U,V pairs).
  const need = [
    { bytes: width, rows: height },
    { bytes: format === 'nv12' ? chromaWidth * 2 : chromaWidth, rows: (height + 1) >> 1 },
    { bytes: chromaWidth, rows: (height + 1) >> 1 },
  ];
  const checked: Array<{ offset: number; stride: number }> = [];
  for (let i = 0; i < count; i++) {
    const p = planes[i] as { offset?: unknown; stride?: unknown } | null;
    const offset = p?.offset;
    const rowStride = p?.stride;
    const n = need[i]!;
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) return `bad offset of plane ${i}`;
    if (typeof rowStride !== 'number' || !Number.isInteger(rowStride) || rowStride < n.bytes) return `bad stride of plane ${i}`;
    if (offset + rowStride * (n.rows - 1) + n.bytes > data.byteLength) return `frame data too short for plane ${i}`;
    checked.push({ offset, stride: rowStride });
  }
  const cs = typeof colorSpace === 'object' && colorSpace !== null ? (colorSpace as ColorSpaceLike) : null;
  const { color, known } = yuvColorOf(cs);
  // A band's planes are offset back by the rows before it, so the whole frame's row numbers find its bytes.
  const unit = format === 'nv12' ? 2 : 1;
  const shift = (p: { offset: number; stride: number }, sub: number, bytes: number) =>
    band ? { offset: p.offset - (band.top / sub) * p.stride - (band.left / sub) * bytes, stride: p.stride } : p;
  const y = shift(checked[0]!, 1, 1);
  const u = shift(checked[1]!, 2, unit);
  const v = checked[2] ? shift(checked[2], 2, 1) : u;
  return {
    ...base,
    format,
    planes: { layout: format, width: base.width, height: base.height, data, y, u, v },
    color,
    colorKnown: known,
    ...(band ? { band } : {}),
  };
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
export function applyRawFrame(raw: RawFrame, into: Frame | null, tile = CHANGE_TILE, previous: RawFrame | null = null): AppliedFrame {
  const { width, height } = raw;
  const resized = !into || into.width !== width || into.height !== height;
  const frame = resized ? createFrame(width, height) : into;
  if (isYuv(raw)) return applyYuv(raw, frame, resized, tile, previous);
  const src = words(raw.data);
  const srcStride = raw.stride >>> 2;
  const dst = frame.pixels;
  const dstStride = frame.stride;
  const rgba = raw.format === 'rgba';
  const dirty = new DirtyGrid(width, height, tile);
  const cols = Math.ceil(width / tile);
  const changedCols = new Uint8Array(cols);
  // A band's rows and columns only; its data starts at its own top-left pixel.
  const top = raw.band?.top ?? 0;
  const bottom = raw.band ? top + raw.band.rows : height;
  const left = raw.band?.left ?? 0;
  const right = raw.band ? left + raw.band.cols : width;

  for (let band = top - (top % tile); band < bottom; band += tile) {
    const bandEnd = Math.min(bottom, band + tile);
    changedCols.fill(0);
    for (let y = Math.max(band, top); y < bandEnd; y++) {
      const s0 = (y - top) * srcStride - left;
      const d0 = y * dstStride;
      for (let c = Math.floor(left / tile); c < cols && c * tile < right; c++) {
        const x0 = Math.max(c * tile, left);
        const x1 = Math.min(right, c * tile + tile);
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

/** Tables per conversion, made once (a capture keeps one colour space). */
const tablesFor = new Map<string, YuvTables>();

function yuvTables(color: YuvColor): YuvTables {
  const key = `${color.matrix}/${color.fullRange}`;
  let t = tablesFor.get(key);
  if (!t) tablesFor.set(key, (t = new YuvTables(color)));
  return t;
}

/** Whether `previous` is a frame whose bytes can be compared with `raw`'s (same layout, size and colour). */
function comparable(raw: YuvRawFrame, previous: RawFrame | null): previous is YuvRawFrame {
  return (
    previous !== null &&
    !raw.band &&
    previous.format === raw.format &&
    previous.width === raw.width &&
    previous.height === raw.height &&
    previous.color.matrix === raw.color.matrix &&
    previous.color.fullRange === raw.color.fullRange &&
    !(previous as YuvRawFrame).band
  );
}

/**
 * A YUV frame into `frame`: with the previous frame at hand only the tiles
 * whose YUV bytes changed are converted (and compared as they are written);
 * else every tile is.
 */
function applyYuv(raw: YuvRawFrame, frame: Frame, resized: boolean, tile: number, previous: RawFrame | null): AppliedFrame {
  const { width, height } = raw;
  const tables = yuvTables(raw.color);
  const cols = Math.ceil(width / tile);
  const candidates = !resized && comparable(raw, previous) ? yuvChangedTiles(previous.planes, raw.planes, tile) : null;
  const dirty = new DirtyGrid(width, height, tile);
  // A band converts only its rows (in the tiles it crosses), the whole frame every row.
  const top = raw.band?.top ?? 0;
  const bottom = raw.band ? top + raw.band.rows : height;
  const left = raw.band?.left ?? 0;
  const right = raw.band ? left + raw.band.cols : width;
  for (let ty = 0, row = 0; ty < height; ty += tile, row++) {
    const y0 = Math.max(ty, top);
    const y1 = Math.min(ty + tile, height, bottom);
    if (y0 >= y1) continue;
    for (let c = 0; c < cols; c++) {
      if (candidates && !candidates[row * cols + c]) continue;
      const x0 = Math.max(c * tile, left);
      const x1 = Math.min(c * tile + tile, width, right);
      if (x0 >= x1) continue;
      const r = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
      if (convertYuvArea(tables, raw.planes, r.x, r.y, r.x + r.w, r.y + r.h, frame.pixels, frame.stride)) dirty.add(r);
    }
  }
  if (resized) return { frame, changed: [{ x: 0, y: 0, w: width, h: height }], resized };
  return { frame, changed: dirty.take(), resized };
}
