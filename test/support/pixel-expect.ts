/**
 * Expected framebuffer bytes for the pixel formats the reference client can request,
 * computed here from first principles (RFB spec, "SetPixelFormat") and deliberately
 * NOT shared with the server implementation under test.
 *
 * Channel conversion: an 8-bit channel c becomes floor((c * max + 127) / 255), i.e. the
 * nearest level (ties cannot occur for the maxima used here).
 */

export type PixelFormatName = 'rgb888le' | 'rgb888be' | 'rgbx888be' | 'bgr888le' | 'rgb565le' | 'rgb565be' | 'bgr233';

export interface PixelFormatSpec {
  readonly name: PixelFormatName;
  readonly bitsPerPixel: 8 | 16 | 32;
  /** bytes per pixel, bitsPerPixel / 8 */
  readonly bytesPerPixel: 1 | 2 | 4;
  readonly depth: number;
  readonly bigEndian: boolean;
  readonly redMax: number;
  readonly greenMax: number;
  readonly blueMax: number;
  readonly redShift: number;
  readonly greenShift: number;
  readonly blueShift: number;
}

export const PIXEL_FORMATS: Readonly<Record<PixelFormatName, PixelFormatSpec>> = {
  rgb888le: {
    name: 'rgb888le',
    bitsPerPixel: 32,
    bytesPerPixel: 4,
    depth: 24,
    bigEndian: false,
    redMax: 255,
    greenMax: 255,
    blueMax: 255,
    redShift: 16,
    greenShift: 8,
    blueShift: 0,
  },
  rgb888be: {
    name: 'rgb888be',
    bitsPerPixel: 32,
    bytesPerPixel: 4,
    depth: 24,
    bigEndian: true,
    redMax: 255,
    greenMax: 255,
    blueMax: 255,
    redShift: 16,
    greenShift: 8,
    blueShift: 0,
  },
  /** Big-endian with the colour in the top three bytes (red 24, green 16, blue 8). */
  rgbx888be: {
    name: 'rgbx888be',
    bitsPerPixel: 32,
    bytesPerPixel: 4,
    depth: 24,
    bigEndian: true,
    redMax: 255,
    greenMax: 255,
    blueMax: 255,
    redShift: 24,
    greenShift: 16,
    blueShift: 8,
  },
  bgr888le: {
    name: 'bgr888le',
    bitsPerPixel: 32,
    bytesPerPixel: 4,
    depth: 24,
    bigEndian: false,
    redMax: 255,
    greenMax: 255,
    blueMax: 255,
    redShift: 0,
    greenShift: 8,
    blueShift: 16,
  },
  rgb565le: {
    name: 'rgb565le',
    bitsPerPixel: 16,
    bytesPerPixel: 2,
    depth: 16,
    bigEndian: false,
    redMax: 31,
    greenMax: 63,
    blueMax: 31,
    redShift: 11,
    greenShift: 5,
    blueShift: 0,
  },
  rgb565be: {
    name: 'rgb565be',
    bitsPerPixel: 16,
    bytesPerPixel: 2,
    depth: 16,
    bigEndian: true,
    redMax: 31,
    greenMax: 63,
    blueMax: 31,
    redShift: 11,
    greenShift: 5,
    blueShift: 0,
  },
  bgr233: {
    name: 'bgr233',
    bitsPerPixel: 8,
    bytesPerPixel: 1,
    depth: 8,
    bigEndian: false,
    redMax: 7,
    greenMax: 7,
    blueMax: 3,
    redShift: 0,
    greenShift: 3,
    blueShift: 6,
  },
};

export const PIXEL_FORMAT_NAMES: readonly PixelFormatName[] = Object.keys(PIXEL_FORMATS) as PixelFormatName[];

export function pixelFormat(name: PixelFormatName): PixelFormatSpec {
  const spec = PIXEL_FORMATS[name];
  if (spec === undefined) throw new Error(`unknown pixel format ${String(name)}`);
  return spec;
}

/** Scale an 8-bit channel value to 0..max with rounding: floor((c * max + 127) / 255). */
export function scaleChannel(c: number, max: number): number {
  return Math.floor(((c & 0xff) * max + 127) / 255);
}

/** Pixel value (as an unsigned integer, before byte ordering) for a 0x00RRGGBB colour. */
export function pixelValue(rgb: number, format: PixelFormatName | PixelFormatSpec): number {
  const f = typeof format === 'string' ? pixelFormat(format) : format;
  const r = scaleChannel(rgb >>> 16, f.redMax);
  const g = scaleChannel(rgb >>> 8, f.greenMax);
  const b = scaleChannel(rgb, f.blueMax);
  return ((r << f.redShift) | (g << f.greenShift) | (b << f.blueShift)) >>> 0;
}

function writePixel(out: Buffer, offset: number, value: number, f: PixelFormatSpec): void {
  switch (f.bytesPerPixel) {
    case 1:
      out[offset] = value & 0xff;
      break;
    case 2:
      if (f.bigEndian) out.writeUInt16BE(value & 0xffff, offset);
      else out.writeUInt16LE(value & 0xffff, offset);
      break;
    case 4:
      if (f.bigEndian) out.writeUInt32BE(value >>> 0, offset);
      else out.writeUInt32LE(value >>> 0, offset);
      break;
  }
}

/** Read the pixel value at byte offset in a framebuffer of the given format. */
export function readPixel(buf: Uint8Array, offset: number, format: PixelFormatName | PixelFormatSpec): number {
  const f = typeof format === 'string' ? pixelFormat(format) : format;
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  switch (f.bytesPerPixel) {
    case 1:
      return b[offset] ?? 0;
    case 2:
      return f.bigEndian ? b.readUInt16BE(offset) : b.readUInt16LE(offset);
    case 4:
      return f.bigEndian ? b.readUInt32BE(offset) : b.readUInt32LE(offset);
  }
}

/** Split a pixel value into its channel levels (0..redMax etc.). */
export function unpackPixel(
  value: number,
  format: PixelFormatName | PixelFormatSpec,
): { r: number; g: number; b: number } {
  const f = typeof format === 'string' ? pixelFormat(format) : format;
  return {
    r: (value >>> f.redShift) & f.redMax,
    g: (value >>> f.greenShift) & f.greenMax,
    b: (value >>> f.blueShift) & f.blueMax,
  };
}

/**
 * Expected framebuffer bytes (row-major, width * height * bytesPerPixel) for a source image
 * given as 0x00RRGGBB values (the top byte is ignored).
 */
export function expectedFramebuffer(
  source: Uint32Array,
  width: number,
  height: number,
  format: PixelFormatName | PixelFormatSpec,
): Buffer {
  const f = typeof format === 'string' ? pixelFormat(format) : format;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new Error(`bad dimensions ${width}x${height}`);
  }
  if (source.length !== width * height) {
    throw new Error(`source has ${source.length} pixels, expected ${width}x${height} = ${width * height}`);
  }
  const out = Buffer.alloc(width * height * f.bytesPerPixel);
  // Most test images are large flat areas: cache the last conversion.
  let lastRgb = -1;
  let lastValue = 0;
  for (let i = 0; i < source.length; i++) {
    const rgb = (source[i] ?? 0) & 0xffffff;
    if (rgb !== lastRgb) {
      lastRgb = rgb;
      lastValue = pixelValue(rgb, f);
    }
    writePixel(out, i * f.bytesPerPixel, lastValue, f);
  }
  return out;
}

/** Convenience: a width x height image filled with one 0x00RRGGBB colour. */
export function solidImage(width: number, height: number, rgb: number): Uint32Array {
  return new Uint32Array(width * height).fill(rgb & 0xffffff);
}

export interface PixelMismatch {
  readonly x: number;
  readonly y: number;
  /** pixel bytes as hex, in memory (wire) order */
  readonly expected: string;
  readonly actual: string;
}

export interface DiffReport {
  readonly width: number;
  readonly height: number;
  /** bytes per pixel */
  readonly bpp: number;
  readonly mismatchCount: number;
  readonly totalPixels: number;
  /** bounding box of all mismatching pixels, or null when equal */
  readonly bounds: { x0: number; y0: number; x1: number; y1: number } | null;
  readonly firstMismatches: readonly PixelMismatch[];
  /** non-empty when the buffers cannot be compared pixel by pixel (size problems) */
  readonly sizeProblem: string;
  /** true when everything matches */
  readonly equal: boolean;
  /** human readable one-paragraph summary, suitable as an assertion message */
  readonly summary: string;
}

function hexBytes(buf: Uint8Array, offset: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (buf[offset + i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

export interface DiffOptions {
  /** how many mismatching pixels to list (default 10) */
  maxListed?: number;
  /**
   * When given, compare only the bits that belong to the red/green/blue channels of this
   * format and ignore the unused (padding) bits, e.g. the fourth byte of a 32 bpp depth 24
   * pixel. The RFB spec leaves those bits undefined, and libvncclient's ZRLE/TRLE decoders
   * fill them with whatever byte follows a 3-byte CPIXEL in the stream.
   */
  format?: PixelFormatName | PixelFormatSpec;
}

/** Bit mask of the colour-channel bits of a pixel value in the given format. */
export function channelMask(format: PixelFormatName | PixelFormatSpec): number {
  const f = typeof format === 'string' ? pixelFormat(format) : format;
  return ((f.redMax << f.redShift) | (f.greenMax << f.greenShift) | (f.blueMax << f.blueShift)) >>> 0;
}

/**
 * Compare two framebuffers of width x height pixels of `bpp` BYTES per pixel (1, 2 or 4).
 * Reports the number of differing pixels, their bounding box and the first few differences.
 * Without options.format every byte is compared; with it only the colour-channel bits.
 */
export function diffReport(
  expected: Uint8Array,
  actual: Uint8Array,
  width: number,
  height: number,
  bpp: number,
  options: DiffOptions = {},
): DiffReport {
  if (bpp !== 1 && bpp !== 2 && bpp !== 4) {
    throw new Error(`diffReport: bpp is BYTES per pixel and must be 1, 2 or 4, got ${bpp}`);
  }
  const maxListed = options.maxListed ?? 10;
  let fmt: PixelFormatSpec | undefined;
  if (options.format !== undefined) {
    fmt = typeof options.format === 'string' ? pixelFormat(options.format) : options.format;
  }
  if (fmt !== undefined && fmt.bytesPerPixel !== bpp) {
    throw new Error(`diffReport: bpp ${bpp} does not match format ${fmt.name} (${fmt.bytesPerPixel} bytes per pixel)`);
  }
  const mask = fmt === undefined ? 0 : channelMask(fmt);
  const totalPixels = width * height;
  const need = totalPixels * bpp;
  const problems: string[] = [];
  if (expected.length !== need) problems.push(`expected buffer has ${expected.length} bytes, want ${need}`);
  if (actual.length !== need) problems.push(`actual buffer has ${actual.length} bytes, want ${need}`);
  const sizeProblem = problems.join('; ');

  const comparable = Math.floor(Math.min(expected.length, actual.length, need) / bpp);
  const first: PixelMismatch[] = [];
  let count = 0;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -1;
  let y1 = -1;
  for (let p = 0; p < comparable; p++) {
    const o = p * bpp;
    let same = true;
    if (fmt !== undefined) {
      same = ((readPixel(expected, o, fmt) & mask) >>> 0) === ((readPixel(actual, o, fmt) & mask) >>> 0);
    } else {
      for (let k = 0; k < bpp; k++) {
        if (expected[o + k] !== actual[o + k]) {
          same = false;
          break;
        }
      }
    }
    if (same) continue;
    count++;
    const x = p % width;
    const y = Math.floor(p / width);
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
    if (first.length < maxListed) {
      first.push({ x, y, expected: hexBytes(expected, o, bpp), actual: hexBytes(actual, o, bpp) });
    }
  }
  // Pixels that exist in one buffer only count as mismatches too.
  const uncomparable = Math.max(0, totalPixels - comparable);
  count += uncomparable;

  const bounds = x1 >= 0 ? { x0, y0, x1, y1 } : null;
  const equal = count === 0 && sizeProblem === '';
  let summary: string;
  if (equal) {
    summary = `framebuffers equal (${width}x${height}, ${bpp} byte(s)/pixel${fmt ? ', padding bits ignored' : ''})`;
  } else {
    const scope = fmt ? `, ${fmt.name} channel bits only` : '';
    const parts = [`${count} of ${totalPixels} pixels differ (${width}x${height}, ${bpp} byte(s)/pixel${scope})`];
    if (sizeProblem) parts.push(sizeProblem);
    if (bounds) parts.push(`differences within x ${bounds.x0}..${bounds.x1}, y ${bounds.y0}..${bounds.y1}`);
    if (first.length > 0) {
      parts.push(
        'first: ' + first.map((m) => `(${m.x},${m.y}) expected ${m.expected} actual ${m.actual}`).join(', '),
      );
    }
    summary = parts.join('; ');
  }
  return {
    width,
    height,
    bpp,
    mismatchCount: count,
    totalPixels,
    bounds,
    firstMismatches: first,
    sizeProblem,
    equal,
    summary,
  };
}
