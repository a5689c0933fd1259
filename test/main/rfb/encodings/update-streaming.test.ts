import { describe, expect, it } from 'vitest';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { EncodeManager } from '../../../../src/main/rfb/encodings/encode-manager.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { PixelConverter } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { NOVNC_FORMAT, NoVncClient } from '../../../support/novnc-decoder.js';
import { busyDesktop, cropRgba, expectedRgba, firstDiff } from '../../../support/reference-pixels.js';

// A big update handed out in pieces while it is encoded (for clients that
// take LastRect): the pieces, then what is left in the buffer, must be the
// update's bytes in order, as noVNC's decoders read them.

describe('streamed updates', () => {
  for (const [label, encodings] of [
    ['ZRLE', [Encoding.ZRLE]],
    ['Raw', [Encoding.Raw]],
    ['Tight', [Encoding.Tight]],
    ['Hextile', [Encoding.Hextile]],
  ] as const) {
    it(`${label}: the pieces sent early and the rest decode to the frame`, async () => {
      const frame = busyDesktop(1280, 720);
      const full = { x: 0, y: 0, w: 1280, h: 720 };
      const state = createEncoderState();
      const m = new EncodeManager(state);
      m.setConverter(new PixelConverter(NOVNC_FORMAT));
      m.setEncodings([...encodings]);
      const client = await NoVncClient.create(1280, 720);
      try {
        for (let round = 0; round < 2; round++) {
          const pieces: Buffer[] = [];
          const out = new ByteWriter();
          const count = await m.encodeRects(frame, [full], [], out, undefined, (chunk) => pieces.push(chunk));
          // Half a megapixel and more is several 64 KiB pieces in every encoding here.
          expect(pieces.length, 'pieces sent before the update was done').toBeGreaterThan(1);
          client.decodeRects(Buffer.concat([...pieces, out.toBuffer()]), count, { chunk: 65521 });
          const d = firstDiff(cropRgba(client.display.rgba, 1280, full), expectedRgba(frame, full));
          expect(d, `round ${round}: first wrong pixel`).toBe(-1);
        }
      } finally {
        state.close();
      }
    });
  }
});
