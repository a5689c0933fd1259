import zlib from 'node:zlib';
import { CTL_PNG, withCompactLength } from './tight-wire.js';

/**
 * PNG images for TightPNG (−260), written here: the signature, IHDR, PLTE for
 * a palette, one IDAT and IEND. The viewer (noVNC) hands them to the
 * browser's image decoder. The deflate of the image data runs on the thread
 * pool; every image is its own zlib stream.
 */

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const COLOUR_RGB = 2;
const COLOUR_PALETTE = 3;
/** Row filters (PNG): none, and Sub (the difference from the pixel on the left). */
const ROW_NONE = 0;
const ROW_SUB = 1;
const HEAD = Uint8Array.of(CTL_PNG);

/** A chunk: length, type, data and the CRC of type and data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(12 + data.length);
  b.writeUInt32BE(data.length, 0);
  b.write(type, 4, 'latin1');
  b.set(data, 8);
  b.writeUInt32BE(zlib.crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
  return b;
}

function png(w: number, h: number, colourType: number, plte: Uint8Array | null, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colourType; // compression, filter method and interlace stay 0
  const parts = [Buffer.from(SIGNATURE), chunk('IHDR', ihdr)];
  if (plte) parts.push(chunk('PLTE', plte));
  parts.push(chunk('IDAT', idat), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}

function deflated(rows: Buffer, level: number, then: (idat: Buffer) => Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zlib.deflate(rows, { level }, (err, idat) => (err ? reject(err) : resolve(then(idat))));
  });
}

/**
 * A TightPNG payload for w×h pixels of at most 256 colours: `colours` (client
 * pixel values) and one index per pixel (8-bit palette image, filter none).
 */
export function palettePng(colours: Uint32Array, count: number, indexes: Uint8Array, w: number, h: number, shifts: readonly [number, number, number], level: number): Promise<Buffer> {
  const [rs, gs, bs] = shifts;
  const plte = new Uint8Array(count * 3);
  for (let i = 0; i < count; i++) {
    const v = colours[i]!;
    plte[i * 3] = v >>> rs;
    plte[i * 3 + 1] = v >>> gs;
    plte[i * 3 + 2] = v >>> bs;
  }
  const rows = Buffer.allocUnsafe((w + 1) * h);
  for (let y = 0; y < h; y++) {
    rows[y * (w + 1)] = ROW_NONE;
    rows.set(indexes.subarray(y * w, y * w + w), y * (w + 1) + 1);
  }
  return deflated(rows, level, (idat) => withCompactLength(HEAD, png(w, h, COLOUR_PALETTE, plte, idat)));
}

/** A TightPNG payload for w×h pixels in full colour (RGB, every row with the Sub filter). */
export function rgbPng(px: Uint32Array, w: number, h: number, shifts: readonly [number, number, number], level: number): Promise<Buffer> {
  const [rs, gs, bs] = shifts;
  const stride = 1 + w * 3;
  const rows = Buffer.allocUnsafe(stride * h);
  for (let y = 0, i = 0; y < h; y++) {
    let o = y * stride;
    rows[o++] = ROW_SUB;
    let lr = 0;
    let lg = 0;
    let lb = 0;
    for (let x = 0; x < w; x++, i++, o += 3) {
      const v = px[i]!;
      const r = (v >>> rs) & 0xff;
      const g = (v >>> gs) & 0xff;
      const b = (v >>> bs) & 0xff;
      rows[o] = r - lr;
      rows[o + 1] = g - lg;
      rows[o + 2] = b - lb;
      lr = r;
      lg = g;
      lb = b;
    }
  }
  return deflated(rows, level, (idat) => withCompactLength(HEAD, png(w, h, COLOUR_RGB, null, idat)));
}
