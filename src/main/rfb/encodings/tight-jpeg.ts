import { createRequire } from 'node:module';
import type * as JpegTurbo from '@julusian/jpeg-turbo';
import type { PixelConverter } from '../pixel-format.js';
import { hostLittleEndian } from './pixel-writer.js';
import type { ByteWriter } from '../wire.js';
import { CTL_JPEG, isTpixelFormat, writeWithCompactLength } from './tight-wire.js';

/** JPEG quality pseudo-encodings (rfbproto): −32 is level 0 … −23 is level 9. */
const QUALITY_LEVEL_0 = -32;
const QUALITY_LEVEL_9 = -23;
/** TurboVNC/TigerVNC's fine quality, −512 (0) … −412 (100), and chroma subsampling, −768 … −763. */
const FINE_QUALITY_0 = -512;
const FINE_QUALITY_100 = -412;
const SUBSAMP_1X = -768;
const SUBSAMP_16X = -763;

/** Chroma subsampling as the pseudo-encodings name it (1X none, 2X horizontal, 4X both ways, GRAY luminance only). */
export type Subsampling = '1X' | '2X' | '4X' | 'GRAY';
/** The subsampling pseudo-encodings in order from −768; 8X and 16X have no libjpeg form and are taken as 4X, as TigerVNC does. */
const SUBSAMP_ORDER: readonly Subsampling[] = ['1X', '4X', '2X', 'GRAY', '4X', '4X'];

/**
 * Quality level 0–9 to libjpeg quality and subsampling: the table TigerVNC's
 * Tight JPEG encoder uses, so a viewer's "quality 8" looks and costs the same
 * here as against Xvnc.
 */
const LEVELS: ReadonlyArray<readonly [number, Subsampling]> = [
  [15, '4X'],
  [29, '4X'],
  [41, '4X'],
  [42, '2X'],
  [62, '2X'],
  [77, '2X'],
  [79, '1X'],
  [86, '1X'],
  [92, '1X'],
  [100, '1X'],
];

export interface JpegSettings {
  /** libjpeg quality, 0–100. */
  readonly quality: number;
  readonly subsampling: Subsampling;
}

/**
 * The JPEG settings a SetEncodings list asks for, or null when it asks for no
 * JPEG (no quality level and no fine quality). The first of each kind counts.
 * A fine quality wins over the level's; an explicit subsampling wins over the
 * level's, and without either chroma is kept whole.
 */
export function jpegSettingsFrom(list: readonly number[]): JpegSettings | null {
  let level: number | undefined;
  let fine: number | undefined;
  let subsamp: Subsampling | undefined;
  for (const n of list) {
    if (n >= QUALITY_LEVEL_0 && n <= QUALITY_LEVEL_9) level ??= n - QUALITY_LEVEL_0;
    else if (n >= FINE_QUALITY_0 && n <= FINE_QUALITY_100) fine ??= n - FINE_QUALITY_0;
    else if (n >= SUBSAMP_1X && n <= SUBSAMP_16X) subsamp ??= SUBSAMP_ORDER[n - SUBSAMP_1X];
  }
  if (level === undefined && fine === undefined) return null;
  const row = level === undefined ? undefined : LEVELS[level]!;
  return { quality: fine ?? row![0], subsampling: subsamp ?? row?.[1] ?? '1X' };
}

/** A lowered level never goes below this (nor more than MAX_STEPS below what the client asked). */
const FLOOR_LEVEL = 2;
const MAX_STEPS = 5;
/** A step of the level is about this much fine quality (the table's quality per level). */
const FINE_PER_STEP = 10;

/** The quality level (0–9) and fine quality (0–100) a list asks for, the first of each, if any. */
function askedQuality(list: readonly number[]): { level?: number; fine?: number } {
  const level = list.find((n) => n >= QUALITY_LEVEL_0 && n <= QUALITY_LEVEL_9);
  const fine = list.find((n) => n >= FINE_QUALITY_0 && n <= FINE_QUALITY_100);
  return { ...(level !== undefined ? { level: level - QUALITY_LEVEL_0 } : {}), ...(fine !== undefined ? { fine: fine - FINE_QUALITY_0 } : {}) };
}

/** The lowest a quality may be taken: FLOOR_LEVEL (or what was asked, if lower), at most MAX_STEPS down. */
function floorOf(asked: number, floor: number, maxDrop: number): number {
  return Math.max(Math.min(asked, floor), asked - maxDrop);
}

/**
 * How many steps the JPEG quality a SetEncodings list asks for may be
 * lowered when the link cannot carry it (0 when it asks for no JPEG).
 */
export function jpegQualityRoom(list: readonly number[]): number {
  const { level, fine } = askedQuality(list);
  if (level !== undefined) return level - floorOf(level, FLOOR_LEVEL, MAX_STEPS);
  if (fine !== undefined) return Math.ceil((fine - floorOf(fine, FLOOR_LEVEL * FINE_PER_STEP, MAX_STEPS * FINE_PER_STEP)) / FINE_PER_STEP);
  return 0;
}

/**
 * The list with its JPEG quality lowered by `steps` (the level by one a step,
 * a fine quality by FINE_PER_STEP), never below the floor; every other entry
 * as it was. The encoders then read it as if the client had asked for that
 * quality, and viewers sent the same lowered list share their encodings.
 */
export function lowerJpegQuality(list: readonly number[], steps: number): number[] {
  if (steps <= 0) return [...list];
  const { level, fine } = askedQuality(list);
  let levelSeen = false;
  let fineSeen = false;
  return list.map((n) => {
    if (level !== undefined && !levelSeen && n >= QUALITY_LEVEL_0 && n <= QUALITY_LEVEL_9) {
      levelSeen = true;
      return QUALITY_LEVEL_0 + Math.max(floorOf(level, FLOOR_LEVEL, MAX_STEPS), level - steps);
    }
    if (fine !== undefined && !fineSeen && n >= FINE_QUALITY_0 && n <= FINE_QUALITY_100) {
      fineSeen = true;
      return FINE_QUALITY_0 + Math.max(floorOf(fine, FLOOR_LEVEL * FINE_PER_STEP, MAX_STEPS * FINE_PER_STEP), fine - steps * FINE_PER_STEP);
    }
    return n;
  });
}

/** The JPEG quality a list asks for, as a level (0–9) or, without one, a fine quality (0–100); null for none. */
export function jpegQualityOf(list: readonly number[]): { scale: 'level' | 'fine'; value: number } | null {
  const { level, fine } = askedQuality(list);
  if (level !== undefined) return { scale: 'level', value: level };
  if (fine !== undefined) return { scale: 'fine', value: fine };
  return null;
}

export type JpegLibrary = typeof JpegTurbo;
let turbo: JpegLibrary | null | undefined;

/**
 * The library from `load`, or null when it throws (no prebuilt binary for
 * this platform, say), which is logged: Tight then stays lossless. The
 * logger is loaded only then: an encode worker that loads this module for
 * Tight took 48 ms to with it, 15 without.
 */
export function loadJpegLibrary(load: () => JpegLibrary): JpegLibrary | null {
  try {
    return load();
  } catch (err) {
    void import('../../base/logger.js').then(({ getLogger }) => getLogger('tight').warn({ err }, 'libjpeg-turbo could not be loaded: Tight sends no JPEG, only lossless rectangles'));
    return null;
  }
}

/** libjpeg-turbo through its N-API binding, loaded on first use (once: a failure is logged once); null when it cannot be loaded. */
export function jpegLibrary(): JpegLibrary | null {
  turbo ??= loadJpegLibrary(() => createRequire(import.meta.url)('@julusian/jpeg-turbo') as JpegLibrary);
  return turbo;
}

/**
 * The TurboJPEG pixel format that reads the client's pixel values as they lie
 * in memory (so the pixels go to libjpeg as they are, with no conversion in
 * JS), or null when JPEG cannot be used for this format: Tight sends JPEG only
 * to 32 bpp depth-24 true-colour clients, and the channels must each fill a byte.
 */
export function jpegFormatFor(c: PixelConverter, lib: JpegLibrary): number | null {
  if (!isTpixelFormat(c)) return null;
  const at = (shift: number): number => (hostLittleEndian ? shift >> 3 : 3 - (shift >> 3));
  const { redShift, greenShift, blueShift } = c.pf;
  if (redShift % 8 || greenShift % 8 || blueShift % 8) return null;
  const key = `${at(redShift)}${at(greenShift)}${at(blueShift)}`;
  const formats: Record<string, number> = {
    '012': lib.FORMAT_RGBX,
    '210': lib.FORMAT_BGRX,
    '123': lib.FORMAT_XRGB,
    '321': lib.FORMAT_XBGR,
  };
  return formats[key] ?? null;
}

const HEAD = Uint8Array.of(CTL_JPEG);

/**
 * libjpeg-turbo's output goes here first (one buffer for the process, grown
 * to the largest image asked for), then into the payload: the library would
 * otherwise allocate a worst-case buffer for every image.
 */
let jpegOut: Buffer = Buffer.alloc(0);

/**
 * One Tight JPEG rectangle's payload, written into `out`: the control byte,
 * the compact length and the JPEG image of the w×h pixels `px` (client pixel
 * values, `format` as from jpegFormatFor), compressed here and now.
 * libjpeg-turbo takes about 0.4 ms for a 1920×64 photo-like strip. On the
 * thread pool, three at a time with kept buffers, a 1080p frame's JPEG took
 * 4.6 ms instead of 6.2 in isolation, but in the encoder it was no faster and
 * cost 5–10 ms more CPU a frame: so here.
 */
export function writeJpeg(out: ByteWriter, lib: JpegLibrary, px: Uint32Array, w: number, h: number, format: number, s: JpegSettings): void {
  const n = w * h;
  const subsampling = { '1X': lib.SAMP_444, '2X': lib.SAMP_422, '4X': lib.SAMP_420, GRAY: lib.SAMP_GRAY }[s.subsampling];
  const options = { format, width: w, height: h, quality: s.quality, subsampling };
  const need = lib.bufferSize(options);
  if (jpegOut.length < need) jpegOut = Buffer.allocUnsafe(need);
  const view = Buffer.from(px.buffer, px.byteOffset, n * 4);
  writeWithCompactLength(out, HEAD, lib.compressSync(view, jpegOut, options));
}
