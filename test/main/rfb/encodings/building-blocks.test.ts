/** The pieces the encoders share: pixel layouts, tile analysis, the persistent deflate stream. */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NATIVE_FORMAT, PixelConverter, type PixelFormat } from '../../../../src/main/rfb/pixel-format.js';
import { PixelMode, pixelLayout, writePixel, writePixelBlock } from '../../../../src/main/rfb/encodings/pixel-writer.js';
import { ColourSet, MAX_PALETTE, TileAnalysis, countColours } from '../../../../src/main/rfb/encodings/tile-analysis.js';
import { ZlibStream } from '../../../../src/main/rfb/encodings/zlib-stream.js';

const pf = (p: Partial<PixelFormat>): PixelFormat => ({ ...NATIVE_FORMAT, ...p });

describe('pixel layouts', () => {
  const cases: Array<[string, PixelFormat, boolean, number, number, number[]]> = [
    // name, format, compact (CPIXEL), mode, size, bytes of 0x11223344
    ['32 LE', NATIVE_FORMAT, false, PixelMode.U32LE, 4, [0x44, 0x33, 0x22, 0x11]],
    ['32 BE', pf({ bigEndian: true }), false, PixelMode.U32BE, 4, [0x11, 0x22, 0x33, 0x44]],
    ['CPIXEL LE low', NATIVE_FORMAT, true, PixelMode.U24LowLE, 3, [0x44, 0x33, 0x22]],
    ['CPIXEL BE low', pf({ bigEndian: true }), true, PixelMode.U24LowBE, 3, [0x22, 0x33, 0x44]],
    ['CPIXEL LE high', pf({ redShift: 24, greenShift: 16, blueShift: 8 }), true, PixelMode.U24HighLE, 3, [0x33, 0x22, 0x11]],
    ['CPIXEL BE high', pf({ bigEndian: true, redShift: 24, greenShift: 16, blueShift: 8 }), true, PixelMode.U24HighBE, 3, [0x11, 0x22, 0x33]],
    ['CPIXEL depth 32', pf({ depth: 32 }), true, PixelMode.U32LE, 4, [0x44, 0x33, 0x22, 0x11]],
    ['16 LE', pf({ bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 }), true, PixelMode.U16LE, 2, [0x44, 0x33]],
    ['16 BE', pf({ bitsPerPixel: 16, depth: 16, bigEndian: true, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 }), false, PixelMode.U16BE, 2, [0x33, 0x44]],
    ['8', pf({ bitsPerPixel: 8, depth: 8, redMax: 7, greenMax: 7, blueMax: 3, redShift: 0, greenShift: 3, blueShift: 6 }), true, PixelMode.U8, 1, [0x44]],
  ];
  it.each(cases)('%s', (_name, format, compact, mode, size, bytes) => {
    const layout = pixelLayout(new PixelConverter(format), compact);
    expect(layout).toEqual({ mode, size });
    const b = new Uint8Array(8);
    expect(writePixel(mode, b, 1, 0x11223344)).toBe(1 + size);
    expect(Array.from(b.subarray(1, 1 + size))).toEqual(bytes);
    // The block writer agrees with the single-pixel writer, with a stride.
    const px = new Uint32Array([0x11223344, 0xdeadbeef, 0x01020304, 0xa0b0c0d0, 0x55667788, 0x99aabbcc]);
    const block = new Uint8Array(4 * size);
    expect(writePixelBlock(mode, px, 1, 3, 2, 2, block, 0)).toBe(4 * size);
    const one = new Uint8Array(4 * size);
    let o = 0;
    for (const v of [px[1]!, px[2]!, px[4]!, px[5]!]) o = writePixel(mode, one, o, v);
    expect(block).toEqual(one);
  });
});

describe('TileAnalysis', () => {
  it('finds palette, counts and runs (runs continue across rows)', () => {
    // 4×3 block inside a stride of 5: A A B B | B B B A | A A A A
    const A = 7;
    const B = 9;
    const px = new Uint32Array([A, A, B, B, 0, B, B, B, A, 0, A, A, A, A, 0]);
    const a = new TileAnalysis(64);
    a.analyse(px, 0, 5, 4, 3, MAX_PALETTE, 1, true);
    expect(a.overflow).toBe(false);
    expect(a.paletteSize).toBe(2);
    expect(Array.from(a.palette.subarray(0, 2))).toEqual([A, B]);
    expect(Array.from(a.counts.subarray(0, 2))).toEqual([7, 5]);
    expect(a.runs).toBe(3); // AA, BBBBB, AAAAA
    expect(Array.from(a.runLength.subarray(0, 3))).toEqual([2, 5, 5]);
    expect(Array.from(a.runIndex.subarray(0, 3))).toEqual([0, 1, 0]);
    expect(a.singles).toBe(0);
    expect(a.mostFrequent()).toBe(0);
  });

  it('counts single pixels and the extra length bytes of long runs', () => {
    const px = new Uint32Array(600).fill(1);
    px[0] = 2; // single
    px[599] = 3; // single; the run of 1s between is 598 long: (598-1)/255 → 2 extra bytes
    const a = new TileAnalysis(600);
    a.analyse(px, 0, 600, 600, 1, MAX_PALETTE, 1, true);
    expect(a.runs).toBe(3);
    expect(a.singles).toBe(2);
    expect(a.extraLengthBytes).toBe(2);
  });

  it('overflows past the colour limit and bails out when runs are short', () => {
    const px = new Uint32Array(64 * 64);
    for (let i = 0; i < px.length; i++) px[i] = i; // every pixel a new colour
    const a = new TileAnalysis();
    a.analyse(px, 0, 64, 64, 64, MAX_PALETTE, 0.75, true);
    expect(a.overflow).toBe(true);
    expect(a.bailed).toBe(true);
    // Long runs of many colours: overflow, but no bail-out (plain RLE material).
    for (let i = 0; i < px.length; i++) px[i] = i >> 4;
    a.analyse(px, 0, 64, 64, 64, MAX_PALETTE, 0.75, true);
    expect(a.overflow).toBe(true);
    expect(a.bailed).toBe(false);
    expect(a.runs).toBe(256);
  });

  it('stays correct after many reuses (generation stamps)', () => {
    const a = new TileAnalysis(16);
    const px = new Uint32Array([1, 2, 3, 4]);
    for (let k = 0; k < 1000; k++) {
      px[k & 3] = k;
      a.analyse(px, 0, 4, 4, 1, MAX_PALETTE, 1, true);
      expect(a.paletteSize).toBe(new Set(px).size);
    }
  });

  it('countColours stops at the limit', () => {
    const set = new ColourSet();
    expect(countColours(new Uint32Array([5, 5, 5]), 3, 16, set)).toBe(1);
    expect(countColours(new Uint32Array([1, 2, 1, 2, 3]), 5, 16, set)).toBe(3);
    expect(countColours(Uint32Array.from({ length: 100 }, (_, i) => i), 100, 16, set)).toBe(17);
    expect(countColours(new Uint32Array(0), 0, 16, set)).toBe(0);
  });
});

describe('ZlibStream', () => {
  // 9: the default; 5: ZRLE's (short blocks).
  it.each([9, 5])('memLevel %i: gives each of several back-to-back calls exactly its own, decodable bytes', async (memLevel) => {
    const s = new ZlibStream(6, memLevel);
    const inputs = Array.from({ length: 12 }, (_, k) => Buffer.from(`rectangle ${k} `.repeat(50 + k * 300)));
    inputs.splice(5, 0, Buffer.alloc(0)); // an empty one in the middle
    const outs = await Promise.all(inputs.map((b) => s.compress(b)));
    // A persistent inflater fed each output in turn yields each input in turn.
    const inflate = zlib.createInflate();
    const got: Buffer[] = [];
    inflate.on('data', (c: Buffer) => got.push(c));
    for (let k = 0; k < outs.length; k++) {
      got.length = 0;
      await new Promise<void>((resolve) => inflate.write(outs[k]!, () => inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve())));
      expect(Buffer.concat(got).equals(inputs[k]!), `call ${k}`).toBe(true);
      // Each output ends on a sync-flush marker, so a client can decode it alone.
      if (outs[k]!.length > 0) expect(Array.from(outs[k]!.subarray(-4))).toEqual([0, 0, 0xff, 0xff]);
    }
    s.close();
    inflate.close();
  });

  it('rejects after close', async () => {
    const s = new ZlibStream(1);
    s.close();
    await expect(s.compress(Buffer.from('x'))).rejects.toThrow(/closed/);
  });
});
