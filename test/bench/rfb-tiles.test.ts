/**
 * The benchmark viewer's Tight framing (bench/rfb-tiles.mjs): where each
 * rectangle ends, found without decoding. Checked on the server's Tight
 * encoder's output (itself checked against noVNC's decoder in
 * test/main/rfb/encodings/tight.test.ts) and on rectangles put together by
 * hand from the RFB community's protocol document for what the encoder does
 * not send: JPEG, PNG, the gradient filter, long compact lengths.
 */
import { describe, expect, it } from 'vitest';
import { createFrame } from '../../src/main/framebuffer/frame.js';
import { Encoding } from '../../src/main/rfb/constants.js';
import { PixelConverter } from '../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../src/main/rfb/wire.js';
import { createEncoderState } from '../../src/main/rfb/encodings/encoder-state.js';
import { encodeInto } from '../../src/main/rfb/encodings/encoder.js';
import { TightEncoder } from '../../src/main/rfb/encodings/tight.js';
import { NOVNC_FORMAT } from '../support/novnc-decoder.js';
import { rng } from '../support/reference-pixels.js';
import { tightRectLen, ProtocolError } from '../../bench/rfb-tiles.mjs';

/** Every proper prefix of the header must ask for more bytes, never give a wrong answer. */
function expectNeedsMore(bytes: Uint8Array, headerLen: number, w: number, h: number): void {
  for (let n = 0; n < headerLen; n++) expect(tightRectLen(bytes.subarray(0, n), 0, w, h), `prefix of ${n} bytes`).toBeNull();
}

describe('bench viewer: Tight rectangle framing', () => {
  it('walks the encoder’s rectangles of every kind back to back, ending each exactly where the next begins', async () => {
    const W = 200;
    const H = 120;
    const frame = createFrame(W, H);
    const rand = rng(13);
    const conv = new PixelConverter(NOVNC_FORMAT);
    const state = createEncoderState();
    const enc = new TightEncoder();
    const out = new ByteWriter();
    const rects: Array<{ w: number; h: number; colours: number }> = [];
    for (let k = 0; k < 80; k++) {
      const w = 1 + Math.floor(rand() * (k % 3 === 0 ? 4 : 120));
      const h = 1 + Math.floor(rand() * (k % 3 === 0 ? 3 : 80));
      // 1 colour (fill), 2 (mono), a few (palette), many in runs of 4 (screen-like: full colour,
      // the copy filter) or many everywhere (photo-like: the gradient filter)
      const colours = [1, 2, 5, 0, -1][k % 5]!;
      const pal = Array.from({ length: Math.max(0, colours) }, () => Math.floor(rand() * 0x1000000));
      let run = 0;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          if (colours > 0) frame.pixels[y * W + x] = pal[Math.floor(rand() * colours)]!;
          else if (colours === 0 || x % 4 === 0) frame.pixels[y * W + x] = run = Math.floor(rand() * 0x1000000);
          else frame.pixels[y * W + x] = run;
        }
      const r = { x: 0, y: 0, w, h };
      out.u16(0).u16(0).u16(w).u16(h).s32(Encoding.Tight);
      expect(await encodeInto(enc, { rect: r, pixels: conv.convertRect(frame, r), converter: conv, state }, out)).toBe(true);
      rects.push({ w, h, colours });
    }
    state.close();
    const bytes = out.view();
    let off = 0;
    const kinds = new Set<string>();
    for (const r of rects) {
      expect(bytes.readUInt16BE(off + 4)).toBe(r.w);
      off += 12;
      const t = tightRectLen(bytes, off, r.w, r.h);
      expect(t).not.toBeNull();
      expectNeedsMore(bytes.subarray(off), t!.header, r.w, r.h);
      kinds.add(t!.kind);
      off += t!.header + t!.payload;
    }
    expect(off).toBe(bytes.length);
    expect([...kinds].sort()).toEqual(['copy', 'fill', 'gradient', 'mono', 'palette']);
  });

  it('reads JPEG and PNG with 1-, 2- and 3-byte compact lengths, and the stream-reset bits', () => {
    // 0x7f: one byte; 0x80 = 0x80 0x01; 0x4005 = 0x85 0x80 0x01 (7 + 7 + 8 bits, low first)
    for (const [len, cl] of [
      [0x7f, [0x7f]],
      [0x80, [0x80, 0x01]],
      [0x4005, [0x85, 0x80, 0x01]],
      [0x3fffff, [0xff, 0xff, 0xff]],
    ] as const) {
      for (const [ctl, kind] of [
        [0x90, 'jpeg'],
        [0x9f, 'jpeg'],
        [0xa0, 'png'],
      ] as const) {
        const bytes = Buffer.from([ctl, ...cl]);
        expect(tightRectLen(bytes, 0, 640, 480)).toEqual({ header: 1 + cl.length, payload: len, kind, resets: ctl & 0x0f });
        expectNeedsMore(bytes, bytes.length, 640, 480);
      }
    }
  });

  it('reads fill, and basic compression with each filter, raw under 12 bytes and compressed from 12', () => {
    const cases: Array<[number[], number, number, { header: number; payload: number; kind: string; resets: number }]> = [
      [[0x80, 1, 2, 3], 50, 50, { header: 4, payload: 0, kind: 'fill', resets: 0 }],
      // copy filter implied (no filter byte), stream 2, reset stream 0: 1×3 pixels = 9 bytes, raw
      [[0x21], 1, 3, { header: 1, payload: 9, kind: 'copy', resets: 1 }],
      // copy filter implied, 2×2 = 12 bytes: compressed, compact length 7
      [[0x00, 7], 2, 2, { header: 2, payload: 7, kind: 'copy', resets: 0 }],
      // explicit copy filter (0x40 = filter byte follows), 4×1 = 12 bytes
      [[0x40, 0, 9], 4, 1, { header: 3, payload: 9, kind: 'copy', resets: 0 }],
      // gradient: 2×1 = 6 bytes raw; 10×10 = 300 bytes compressed with a 2-byte length
      [[0x40, 2], 2, 1, { header: 2, payload: 6, kind: 'gradient', resets: 0 }],
      [[0x70, 2, 0xac, 0x02], 10, 10, { header: 4, payload: 300, kind: 'gradient', resets: 0 }],
      // mono palette (2 colours): 16×5 = 2 bytes a row, 10 bytes raw
      [[0x50, 1, 1, 0, 0, 0, 0, 0, 0], 16, 5, { header: 9, payload: 10, kind: 'mono', resets: 0 }],
      // mono 17×8: 3 bytes a row = 24 bytes, compressed
      [[0x50, 1, 1, 0, 0, 0, 0, 0, 0, 20], 17, 8, { header: 10, payload: 20, kind: 'mono', resets: 0 }],
      // palette of 3: a byte a pixel; 11×1 raw, 12×1 compressed
      [[0x60, 1, 2, ...new Array<number>(9).fill(0)], 11, 1, { header: 12, payload: 11, kind: 'palette', resets: 0 }],
      [[0x60, 1, 2, ...new Array<number>(9).fill(0), 5], 12, 1, { header: 13, payload: 5, kind: 'palette', resets: 0 }],
    ];
    for (const [bytes, w, h, want] of cases) {
      const b = Buffer.from(bytes);
      expect(tightRectLen(b, 0, w, h), JSON.stringify(bytes)).toEqual(want);
      expectNeedsMore(b, want.header, w, h);
    }
  });

  it('refuses compression controls and filters the protocol does not define', () => {
    expect(() => tightRectLen(Buffer.from([0xb0, 0]), 0, 4, 4)).toThrow(ProtocolError);
    expect(() => tightRectLen(Buffer.from([0x40, 3, 0]), 0, 4, 4)).toThrow(ProtocolError);
  });
});
