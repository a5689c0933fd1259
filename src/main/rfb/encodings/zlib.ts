import { Encoding } from '../constants.js';
import type { EncodeInput, Encoder } from './encoder.js';
import { pixelLayout, writePixelBlock } from './pixel-writer.js';

/** Name of the connection's deflate stream used by the Zlib encoding. */
export const ZLIB_STREAM = 'zlib';

/** Zlib (6): Raw pixels through the connection's persistent deflate stream, as u32 length + data. */
export class ZlibEncoder implements Encoder {
  readonly encoding = Encoding.Zlib;
  readonly name = 'Zlib';
  readonly kind = 'pixels';
  readonly suits = { few: 'good', many: 'good' } as const;

  /** deflate tops out near 1000:1, and it has to chew through every byte. */
  solidCost(w: number, h: number, bpp: number): number {
    return 64 + (w * h * bpp) / 100;
  }

  /** The pixels are converted now; deflate runs on the thread pool and the promise resolves to the payload. */
  encode(input: EncodeInput): Promise<Buffer> {
    const { w, h } = input.rect;
    const { mode, size } = pixelLayout(input.converter, false);
    // A fresh buffer: deflate reads it on the thread pool after we return.
    const raw = Buffer.allocUnsafe(w * h * size);
    writePixelBlock(mode, input.pixels, 0, w, w, h, raw, 0);
    return input.state.zlib(ZLIB_STREAM, input.compressLevel).compress(raw).then(withLength);
  }
}

/** Prefix compressed data with its u32 length. */
export function withLength(z: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + z.length);
  b.writeUInt32BE(z.length, 0);
  z.copy(b, 4);
  return b;
}
