import { Encoding } from '../constants.js';
import { RreEncoder } from './rre.js';

/** CoRRE (4): RRE with one-byte subrectangle coordinates, so at most 255×255 per rectangle. */
export class CorreEncoder extends RreEncoder {
  override readonly encoding: number = Encoding.CoRRE;
  override readonly name: string = 'CoRRE';
  override readonly maxRect = { w: 255, h: 255 };
  protected override readonly coordBytes: number = 1;

  /** A solid rectangle: RRE's count and background per 255×255 piece, and a header for each piece after the first. */
  override solidCost(w: number, h: number, bpp: number): number {
    const pieces = Math.ceil(w / 255) * Math.ceil(h / 255);
    return pieces * (4 + bpp) + (pieces - 1) * 12;
  }
}
