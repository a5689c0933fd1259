/**
 * Tight's stream openers (tight-streams.ts): a zlib stream begun by hand with
 * a stored block, checked by Node's inflater (zlib's own), continued by an
 * independent chunk, and by the connection's deflater after it.
 */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { storedStreamStart, tightStreamOpener, tightStreamLevel } from '../../../../src/main/rfb/encodings/tight-streams.js';
import { compressIndependent } from '../../../../src/main/rfb/encodings/zlib-stream.js';
import { PixelConverter } from '../../../../src/main/rfb/pixel-format.js';
import { NOVNC_FORMAT } from '../../../support/novnc-decoder.js';

function inflateAll(parts: Buffer[]): Buffer {
  return zlib.inflateSync(Buffer.concat(parts), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

describe('Tight stream openers', () => {
  it('begin a zlib stream with a stored block that independent chunks and the connection deflater continue', async () => {
    const first = Buffer.from('twelve bytes');
    const more = Buffer.alloc(5000, 'photo-ish pixels ');
    const own = Buffer.alloc(3000, 'and then ours ');
    const state = createEncoderState();
    try {
      const z = state.zlib('tight0');
      z.begunElsewhere();
      expect(z.started).toBe(true);
      const parts = [storedStreamStart(first), await compressIndependent(more, 2)];
      // Our own deflater's first chunk after it: no second header, nothing referred to before it.
      parts.push(await z.compress(own));
      expect(inflateAll(parts).equals(Buffer.concat([first, more, own]))).toBe(true);
    } finally {
      state.close();
    }
  });

  it('open each stream with the first pixels of the unit, at the level the stream is made with', () => {
    const conv = new PixelConverter(NOVNC_FORMAT);
    const px = Uint32Array.from({ length: 64 }, (_, i) => i * 0x010203);
    const state = createEncoderState();
    try {
      const o = tightStreamOpener('tight1', px, { x: 8, y: 16, w: 32, h: 2 }, conv, state, 3)!;
      expect(o.rect).toEqual({ x: 8, y: 16, w: 4, h: 1 }); // four TPIXELs: the 12 bytes Tight compresses
      expect(o.payload[0]).toBe(1 << 4); // copy filter, stream 1
      const data = o.payload.subarray(2); // one byte of compact length
      expect(o.payload[1]).toBe(data.length);
      const { redShift, greenShift, blueShift } = conv.pf;
      const tpixels = Buffer.from([...px.subarray(0, 4)].flatMap((v) => [(v >>> redShift) & 255, (v >>> greenShift) & 255, (v >>> blueShift) & 255]));
      expect(inflateAll([data]).equals(tpixels)).toBe(true);
      expect(state.existing('tight1')?.level).toBe(tightStreamLevel(1, 3));
      expect(tightStreamOpener('tight2', px, { x: 0, y: 0, w: 3, h: 1 }, conv, state, 3)).toBeNull(); // too narrow
    } finally {
      state.close();
    }
  });
});
