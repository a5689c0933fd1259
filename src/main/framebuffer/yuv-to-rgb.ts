/**
 * YUV video frames (what a system screen capture usually delivers: I420 from
 * Chromium's capture pipeline, NV12 from macOS) back to the server's
 * 0x00RRGGBB pixels, with the matrix and range the frame says it was made
 * with. A wrong matrix (BT.709 read as BT.601) or range (limited read as full)
 * shifts colours by up to 10–15 %; with the right ones a flat colour comes
 * back within a step or two of what was on the screen.
 *
 * The conversion is Y'CbCr → R'G'B' as in ITU-R BT.601/709/2020 (and H.273
 * for the ranges): with Kr, Kb the matrix's luma weights,
 *   R = Y + 2(1−Kr)·Cr,  B = Y + 2(1−Kb)·Cb,  G = (Y − Kr·R − Kb·B) / Kg,
 * where limited range has Y in 16…235 and Cb, Cr in 16…240, full range all
 * of 0…255. It is done with per-component lookup tables in 16.16 fixed
 * point: one add per component per pixel, then a clamp.
 */

export type YuvMatrix = 'bt601' | 'bt709' | 'bt2020';

export interface YuvColor {
  matrix: YuvMatrix;
  fullRange: boolean;
}

/** What WebCodecs' VideoColorSpace says (its `toJSON()`), as it may arrive. */
export interface ColorSpaceLike {
  matrix?: string | null;
  fullRange?: boolean | null;
}

/** Luma weights (Kr, Kb) of each matrix. */
const WEIGHTS: Record<YuvMatrix, [number, number]> = {
  bt601: [0.299, 0.114],
  bt709: [0.2126, 0.0722],
  bt2020: [0.2627, 0.0593],
};

/** WebCodecs' matrix names (VideoMatrixCoefficients) for each. */
const MATRIX_NAMES: Record<string, YuvMatrix> = {
  smpte170m: 'bt601',
  bt470bg: 'bt601',
  bt709: 'bt709',
  'bt2020-ncl': 'bt2020',
};

/**
 * The conversion a frame's colour space calls for. `known` is false when the
 * frame did not say (or said something this does not convert): it is then
 * read as BT.601 limited range, what Chromium's capture pipeline makes of
 * every RGB screen (libyuv's ARGBToI420).
 */
export function yuvColorOf(cs: ColorSpaceLike | null | undefined): { color: YuvColor; known: boolean } {
  const matrix = cs?.matrix ? MATRIX_NAMES[cs.matrix] : undefined;
  const rangeKnown = typeof cs?.fullRange === 'boolean';
  return {
    color: { matrix: matrix ?? 'bt601', fullRange: rangeKnown ? cs.fullRange === true : false },
    known: matrix !== undefined && rangeKnown,
  };
}

/** "BT.601, limited range": for the user and the logs. */
export function describeYuvColor(c: YuvColor): string {
  const name = c.matrix === 'bt601' ? 'BT.601' : c.matrix === 'bt709' ? 'BT.709' : 'BT.2020';
  return `${name}, ${c.fullRange ? 'full' : 'limited'} range`;
}

const FIX = 65536;
/** Clamp table: index = value + CLAMP_OFFSET, for values well outside 0…255 either way. */
const CLAMP_OFFSET = 512;
const CLAMP = (() => {
  const t = new Uint8Array(1536);
  for (let i = 0; i < t.length; i++) t[i] = Math.max(0, Math.min(255, i - CLAMP_OFFSET));
  return t;
})();

/** Lookup tables for one matrix and range: each component's share of R, G and B, in 16.16 fixed point. */
export class YuvTables {
  /** Y's share of every component (with the rounding half added). */
  readonly y = new Int32Array(256);
  /** Cr's share of R, Cb's and Cr's of G, Cb's of B. */
  readonly rV = new Int32Array(256);
  readonly gU = new Int32Array(256);
  readonly gV = new Int32Array(256);
  readonly bU = new Int32Array(256);

  constructor(readonly color: YuvColor) {
    const [kr, kb] = WEIGHTS[color.matrix];
    const kg = 1 - kr - kb;
    // Scale from code values to 0…1 (luma) and −½…½ (chroma).
    const yScale = color.fullRange ? 1 / 255 : 1 / 219;
    const yBase = color.fullRange ? 0 : 16;
    const cScale = color.fullRange ? 1 / 255 : 1 / 224;
    for (let i = 0; i < 256; i++) {
      const yy = (i - yBase) * yScale * 255;
      const c = (i - 128) * cScale * 255;
      this.y[i] = Math.round(yy * FIX) + FIX / 2;
      this.rV[i] = Math.round(2 * (1 - kr) * c * FIX);
      this.bU[i] = Math.round(2 * (1 - kb) * c * FIX);
      this.gU[i] = Math.round(((-2 * kb * (1 - kb)) / kg) * c * FIX);
      this.gV[i] = Math.round(((-2 * kr * (1 - kr)) / kg) * c * FIX);
    }
  }
}

/** One pixel, for tests and single samples: 0x00RRGGBB. */
export function yuvPixel(t: YuvTables, y: number, u: number, v: number): number {
  const l = t.y[y]!;
  const r = CLAMP[((l + t.rV[v]!) >> 16) + CLAMP_OFFSET]!;
  const g = CLAMP[((l + t.gU[u]! + t.gV[v]!) >> 16) + CLAMP_OFFSET]!;
  const b = CLAMP[((l + t.bU[u]!) >> 16) + CLAMP_OFFSET]!;
  return (r << 16) | (g << 8) | b;
}

/** A 4:2:0 frame's planes: I420 has U and V apart, NV12 one plane of U,V pairs (`v` unused). */
export interface YuvPlanes {
  layout: 'i420' | 'nv12';
  width: number;
  height: number;
  data: Uint8Array;
  y: { offset: number; stride: number };
  u: { offset: number; stride: number };
  v: { offset: number; stride: number };
}

/**
 * Convert the rectangle [x0, x1) × [y0, y1) of `src` into `dst` (0x00RRGGBB,
 * `dstStride` pixels a row). Returns whether any pixel differed from what
 * `dst` held, so the change is found in the same pass.
 */
export function convertYuvArea(t: YuvTables, src: YuvPlanes, x0: number, y0: number, x1: number, y1: number, dst: Uint32Array, dstStride: number): boolean {
  const { data } = src;
  const Y = t.y;
  const RV = t.rV;
  const GU = t.gU;
  const GV = t.gV;
  const BU = t.bU;
  const nv12 = src.layout === 'nv12';
  let changed = false;
  for (let row = y0; row < y1; row++) {
    const yRow = src.y.offset + row * src.y.stride;
    const cRow = row >> 1;
    const uRow = src.u.offset + cRow * src.u.stride;
    const vRow = nv12 ? uRow + 1 : src.v.offset + cRow * src.v.stride;
    const step = nv12 ? 2 : 1;
    let d = row * dstStride + x0;
    for (let x = x0; x < x1; x++, d++) {
      const c = x >> 1;
      const u = data[uRow + c * step]!;
      const v = data[vRow + c * step]!;
      const l = Y[data[yRow + x]!]!;
      const r = CLAMP[((l + RV[v]!) >> 16) + CLAMP_OFFSET]!;
      const g = CLAMP[((l + GU[u]! + GV[v]!) >> 16) + CLAMP_OFFSET]!;
      const b = CLAMP[((l + BU[u]!) >> 16) + CLAMP_OFFSET]!;
      const p = (r << 16) | (g << 8) | b;
      if (dst[d] !== p) {
        dst[d] = p;
        changed = true;
      }
    }
  }
  return changed;
}

/**
 * Which tiles (`tile`×`tile` pixels, row-major) of a frame differ from the
 * previous frame of the same layout and geometry, by its source bytes (luma
 * and the chroma under it). Comparing 1.5 bytes a pixel, a row at a time with
 * memcmp, is far cheaper than converting: unchanged tiles of a new frame are
 * skipped before any conversion.
 */
export function yuvChangedTiles(prev: YuvPlanes, next: YuvPlanes, tile: number): Uint8Array {
  const cols = Math.ceil(next.width / tile);
  const rows = Math.ceil(next.height / tile);
  const out = new Uint8Array(cols * rows);
  const a = Buffer.from(prev.data.buffer, prev.data.byteOffset, prev.data.byteLength);
  const b = Buffer.from(next.data.buffer, next.data.byteOffset, next.data.byteLength);
  const mark = (plane: 'y' | 'u' | 'v', row: number, tileRow: number, bytesPerTile: number, rowBytes: number) => {
    const pa = prev[plane].offset + row * prev[plane].stride;
    const pb = next[plane].offset + row * next[plane].stride;
    if (a.compare(b, pb, pb + rowBytes, pa, pa + rowBytes) === 0) return;
    for (let c = 0; c < cols; c++) {
      const o = tileRow * cols + c;
      if (out[o]) continue;
      const s = c * bytesPerTile;
      const e = Math.min(rowBytes, s + bytesPerTile);
      if (a.compare(b, pb + s, pb + e, pa + s, pa + e) !== 0) out[o] = 1;
    }
  };
  for (let row = 0; row < next.height; row++) mark('y', row, Math.floor(row / tile), tile, next.width);
  const chromaRows = (next.height + 1) >> 1;
  const chromaWidth = (next.width + 1) >> 1;
  const chromaTile = tile >> 1;
  for (let row = 0; row < chromaRows; row++) {
    const tileRow = Math.floor(row / chromaTile);
    if (next.layout === 'nv12') mark('u', row, tileRow, chromaTile * 2, chromaWidth * 2);
    else {
      mark('u', row, tileRow, chromaTile, chromaWidth);
      mark('v', row, tileRow, chromaTile, chromaWidth);
    }
  }
  return out;
}
