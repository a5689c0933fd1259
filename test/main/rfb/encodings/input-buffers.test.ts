import { describe, expect, it } from 'vitest';
import { PixelConverter } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { EncodeManager } from '../../../../src/main/rfb/encodings/encode-manager.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { InputBuffers } from '../../../../src/main/rfb/encodings/input-buffers.js';
import { NOVNC_FORMAT, NoVncClient } from '../../../support/novnc-decoder.js';
import { cropRgba, expectedRgba, firstDiff, makeFrame } from '../../../support/reference-pixels.js';

describe('InputBuffers', () => {
  it('hands out power-of-two buffers and the same one again once given back', () => {
    const pool = new InputBuffers();
    const a = pool.take(100);
    expect(a.length).toBe(4096);
    pool.give(a);
    expect(pool.take(3000)).toBe(a);
    const b = pool.take(5000);
    expect(b.length).toBe(8192);
    expect(pool.take(5000)).not.toBe(b); // b is still out
  });

  it('keeps no more than its limit', () => {
    const pool = new InputBuffers(8192);
    const a = pool.take(8192);
    const b = pool.take(8192);
    pool.give(a);
    pool.give(b); // over the limit: dropped
    expect(pool.take(8192)).toBe(a);
    expect(pool.take(8192)).not.toBe(b);
  });
});

describe('Tight with kept input buffers', () => {
  it('many gradient-filtered and full-colour pieces in flight at once, update after update, decode exactly in noVNC', async () => {
    const W = 1280;
    const H = 200;
    const conv = new PixelConverter(NOVNC_FORMAT);
    const m = new EncodeManager(createEncoderState());
    m.setEncodings([Encoding.Tight]);
    m.setConverter(conv);
    const client = await NoVncClient.create(W, H);
    for (const [kind, seed] of [['gradient', 1], ['mixed', 2], ['noise', 3]] as const) {
      // A new picture each time: a buffer given back too early would be overwritten by the next piece's bytes.
      const frame = makeFrame(W, H, kind, seed);
      const out = new ByteWriter();
      const n = await m.encodeRects(frame, [{ x: 0, y: 0, w: W, h: H }], [], out, () => {});
      expect(n).toBeGreaterThan(3);
      client.decodeRects(out.view(), n, { chunk: 4093 });
      const r = { x: 0, y: 0, w: W, h: H };
      const d = firstDiff(cropRgba(client.display.rgba, W, r), expectedRgba(frame, r, 24));
      expect(d, `${kind}: first wrong pixel at index ${d}`).toBe(-1);
    }
  });
});
