import { Encoding } from '../constants.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, EncodeOutcome, Encoder } from './encoder.js';
import { pixelLayout, writePixelBlock } from './pixel-writer.js';

/** Raw (0): every pixel in the client's format, row by row. Always allowed. */
export class RawEncoder implements Encoder {
  readonly encoding = Encoding.Raw;
  readonly name = 'Raw';
  readonly kind = 'pixels';
  /** Raw is every class's last resort, used when the client lists nothing better (the manager's default). */
  readonly suits = { few: 'no', many: 'no' } as const;

  solidCost(w: number, h: number, bpp: number): number {
    return w * h * bpp;
  }

  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome {
    const { w, h } = input.rect;
    const { mode, size } = pixelLayout(input.converter, false);
    const n = w * h * size;
    const buf = out.raw(n);
    const end = writePixelBlock(mode, input.pixels, 0, w, w, h, buf, out.length);
    out.advance(end - out.length);
    return 'written';
  }
}
