import { Encoding } from '../constants.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, Encoder } from './encoder.js';
import { pixelLayout, writePixelBlock } from './pixel-writer.js';

/** Name of the connection's deflate stream used by the Zlib encoding. */
export const ZLIB_STREAM = 'zlib';

/** Zlib (6): Raw pixels through the connection's persistent deflate stream, as u32 length + data. */
export class ZlibEncoder implements Encoder {
  readonly encoding = Encoding.Zlib;
  readonly name = 'Zlib';

  async encode(input: EncodeInput, out: ByteWriter): Promise<void> {
    out.bytes(await this.encodeDeferred(input));
  }

  encodeDeferred(input: EncodeInput): Promise<Buffer> {
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
