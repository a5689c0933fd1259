import CopyRectDecoder from '@novnc/novnc/core/decoders/copyrect.js';
import HextileDecoder from '@novnc/novnc/core/decoders/hextile.js';
import RawDecoder from '@novnc/novnc/core/decoders/raw.js';
import { ENCODING_COPYRECT, ENCODING_HEXTILE, ENCODING_RAW, type DecoderTable } from './update-decoder.js';

/**
 * noVNC's own decoders for the encodings a recording uses, bundled into the
 * page (the package exports only core/rfb.js; vite.config.ts maps the
 * decoders' paths). Fresh ones for every seek: Hextile remembers colours
 * between tiles, and a seek must not inherit them from elsewhere.
 */
export function createNoVncDecoders(): DecoderTable {
  return new Map<number, NoVnc.RectDecoder>([
    [ENCODING_RAW, new RawDecoder()],
    [ENCODING_COPYRECT, new CopyRectDecoder()],
    [ENCODING_HEXTILE, new HextileDecoder()],
  ]);
}
