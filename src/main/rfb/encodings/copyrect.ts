import { Encoding } from '../constants.js';
import type { ByteWriter } from '../wire.js';
import type { EncodeInput, EncodeOutcome, Encoder } from './encoder.js';

/**
 * CopyRect (1): the client copies the rectangle from elsewhere on its own
 * screen, so the payload is only where from. It encodes moved areas (the
 * change detector finds them), never pixels: it suits no class of pixel
 * rectangle.
 */
export class CopyRectEncoder implements Encoder {
  readonly encoding = Encoding.CopyRect;
  readonly name = 'CopyRect';
  readonly kind = 'copy';
  readonly suits = { few: 'no', many: 'no' } as const;

  solidCost(): number {
    return Infinity;
  }

  encode(input: EncodeInput, out: ByteWriter): EncodeOutcome {
    if (!input.copyFrom) throw new Error('CopyRect needs the position to copy from');
    out.u16(input.copyFrom.x).u16(input.copyFrom.y);
    return 'written';
  }
}
