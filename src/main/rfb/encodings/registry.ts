import { CopyRectEncoder } from './copyrect.js';
import { CorreEncoder } from './corre.js';
import type { Encoder } from './encoder.js';
import { HextileEncoder } from './hextile.js';
import { RawEncoder } from './raw.js';
import { RreEncoder } from './rre.js';
import { TightEncoder } from './tight.js';
import { TrleEncoder } from './trle.js';
import { ZlibEncoder } from './zlib.js';
import { ZrleEncoder } from './zrle.js';

/**
 * Every encoding the server can send, one line each, in no particular order
 * (the client's SetEncodings list orders them). To add an encoding, write its
 * Encoder in a file of its own and add it here; the manager reads what it is
 * good for from the encoder itself. A new set is made for each connection,
 * since encoders keep scratch buffers.
 */
export function createEncoders(): Encoder[] {
  return [
    new RawEncoder(),
    new CopyRectEncoder(),
    new RreEncoder(),
    new CorreEncoder(),
    new HextileEncoder(),
    new ZlibEncoder(),
    new TrleEncoder(),
    new ZrleEncoder(),
    new TightEncoder(),
    new TightEncoder({ png: true }),
  ];
}
