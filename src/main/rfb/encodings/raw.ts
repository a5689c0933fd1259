import { Encoding } from '../constants.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, Encoder } from './encoder.js';
import { pixelLayout, writePixelBlock } from './pixel-writer.js';

/** Raw (0): every pixel in the client's format, row by row. Always allowed. */
export class RawEncoder implements Encoder {
  readonly encoding = Encoding.Raw;
  readonly name = 'Raw';

  encode(input: EncodeInput, out: ByteWriter): void {
    const { w, h } = input.rect;
    const { mode, size } = pixelLayout(input.converter, false);
    const n = w * h * size;
    const buf = out.raw(n);
    const end = writePixelBlock(mode, input.pixels, 0, w, w, h, buf, out.length);
    out.advance(end - out.length);
  }
}
