import { Encoding } from '../constants.js';
import { RreEncoder } from './rre.js';

/** CoRRE (4): RRE with one-byte subrectangle coordinates, so at most 255×255 per rectangle. */
export class CorreEncoder extends RreEncoder {
  override readonly encoding: number = Encoding.CoRRE;
  override readonly name: string = 'CoRRE';
  override readonly maxRect = { w: 255, h: 255 };
  protected override readonly coordBytes: number = 1;
}
