/**
 * The encoders' fast paths against the plain ones they stand in for, byte for
 * byte: whole-rectangle conversion against converting pixel by pixel, bulk
 * pixel writing against writing one pixel at a time, the bit-mask subrectangle
 * search against the pixel one, the two-colour tile scan against the tile
 * analysis, Raw converted straight into the output against Raw through the
 * scratch buffer, and Hextile and RRE/CoRRE against straightforward
 * encoders built from the plain pieces.
 */
import { describe, expect, it } from 'vitest';
import { createFrame, type Frame } from '../../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { NATIVE_FORMAT, PixelConverter, type PixelFormat } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { CorreEncoder } from '../../../../src/main/rfb/encodings/corre.js';
import { EncodeManager, type RectStats } from '../../../../src/main/rfb/encodings/encode-manager.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { encodeInto } from '../../../../src/main/rfb/encodings/encoder.js';
import { HextileEncoder, HextileFlag } from '../../../../src/main/rfb/encodings/hextile.js';
import { PixelMode, pixelLayout, writePixel, writePixelBlock } from '../../../../src/main/rfb/encodings/pixel-writer.js';
import { RreEncoder } from '../../../../src/main/rfb/encodings/rre.js';
import { SubrectFinder, manyCorners, needsMoreSubrects } from '../../../../src/main/rfb/encodings/subrects.js';
import { MAX_PALETTE, TileAnalysis, TwoColourScan } from '../../../../src/main/rfb/encodings/tile-analysis.js';
import { FRAME_KINDS, makeFrame, paint, rng } from '../../../support/reference-pixels.js';

const pf = (p: Partial<PixelFormat>): PixelFormat => ({ ...NATIVE_FORMAT, ...p });
const RGB565: Partial<PixelFormat> = { bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 };

/** Each kind of conversion: identity, red/blue swap, other byte shuffles, tables, colour map; both byte orders. */
const FORMATS: Array<[string, PixelFormat]> = [
  ['native', NATIVE_FORMAT],
  ['native big-endian', pf({ bigEndian: true })],
  ['noVNC (red low)', pf({ redShift: 0, blueShift: 16 })],
  ['32 high bytes, big-endian', pf({ bigEndian: true, redShift: 24, greenShift: 16, blueShift: 8 })],
  ['32 shuffled', pf({ redShift: 8, greenShift: 24, blueShift: 0 })],
  ['32 ten-bit channels', pf({ depth: 30, redMax: 1023, greenMax: 1023, blueMax: 1023, redShift: 20, greenShift: 10, blueShift: 0 })],
  ['16 rgb565', pf(RGB565)],
  ['16 rgb565 big-endian', pf({ ...RGB565, bigEndian: true })],
  ['16 rgb555', pf({ bitsPerPixel: 16, depth: 15, redMax: 31, greenMax: 31, blueMax: 31, redShift: 10, greenShift: 5, blueShift: 0 })],
  ['8 bgr233', pf({ bitsPerPixel: 8, depth: 8, redMax: 7, greenMax: 7, blueMax: 3, redShift: 0, greenShift: 3, blueShift: 6 })],
  ['8 colour map', pf({ bitsPerPixel: 8, depth: 8, trueColour: false })],
];

/** A w×h desktop of every kind of content, inside rows `pad` pixels longer (stride > width), garbage in some top bytes. */
function paddedFrame(w: number, h: number, pad: number): Frame {
  const wide = createFrame(w + pad, h);
  paint(wide, { x: 0, y: 0, w: w + pad, h }, 'mixed', 5);
  return { width: w, height: h, stride: w + pad, pixels: wide.pixels };
}

/** Rectangles away from x = 0, odd widths, one-pixel columns, rows above and below the bulk-copy threshold. */
const RECTS: Rect[] = [
  { x: 3, y: 2, w: 37, h: 5 },
  { x: 1, y: 1, w: 1, h: 9 },
  { x: 5, y: 7, w: 70, h: 3 },
  { x: 0, y: 0, w: 79, h: 1 },
  { x: 11, y: 13, w: 63, h: 20 },
  { x: 2, y: 30, w: 64, h: 4 },
];

describe('PixelConverter.convertRect', () => {
  it.each(FORMATS)('%s: every pixel as convert() gives it', (_name, format) => {
    const c = new PixelConverter(format);
    // stride > width, and stride = width (whole rows are then one run).
    for (const frame of [paddedFrame(80, 40, 3), paddedFrame(80, 40, 0)]) {
      const rects = [...RECTS, { x: 0, y: 0, w: frame.width, h: frame.height }, { x: 0, y: 9, w: frame.width, h: 7 }];
      for (const r of rects) {
        const got = c.convertRect(frame, r, new Uint32Array(r.w * r.h + 5));
        const want = new Uint32Array(r.w * r.h);
        for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) want[y * r.w + x] = c.convert(frame.pixels[(r.y + y) * frame.stride + r.x + x]!);
        expect(got, `${JSON.stringify(r)} in stride ${frame.stride}`).toEqual(want);
      }
    }
  });
});

describe('writePixelBlock', () => {
  const modes: Array<[string, number]> = Object.entries(PixelMode);
  const size = (mode: number): number => {
    const b = new Uint8Array(4);
    return writePixel(mode, b, 0, 0);
  };
  // Blocks: packed short rows (one long run), strided long rows, strided short rows, single pixel.
  const blocks: Array<{ w: number; h: number; stride: number; off: number }> = [
    { w: 5, h: 20, stride: 5, off: 0 },
    { w: 70, h: 3, stride: 75, off: 4 },
    { w: 64, h: 2, stride: 64, off: 64 },
    { w: 7, h: 4, stride: 9, off: 2 },
    { w: 1, h: 1, stride: 1, off: 3 },
  ];

  it.each(modes)('%s: the bytes writePixel writes, at every alignment', (_name, mode) => {
    const rand = rng(9);
    const px = new Uint32Array(512);
    // Full 32-bit values, so the copies must also drop the bits a narrow pixel has no room for.
    for (let i = 0; i < px.length; i++) px[i] = Math.floor(rand() * 2 ** 32);
    const s = size(mode);
    for (const b of blocks) {
      for (const start of [0, 1, 2, 3]) {
        const n = b.w * b.h * s;
        const got = new Uint8Array(start + n + 8).fill(0xa5);
        const want = new Uint8Array(start + n + 8).fill(0xa5);
        expect(writePixelBlock(mode, px, b.off, b.stride, b.w, b.h, got, start)).toBe(start + n);
        let o = start;
        for (let y = 0; y < b.h; y++) for (let x = 0; x < b.w; x++) o = writePixel(mode, want, o, px[b.off + y * b.stride + x]!);
        expect(got, `${JSON.stringify(b)} at ${start}`).toEqual(want);
      }
    }
  });

  it('writes through a view that does not start at its buffer’s first byte', () => {
    const px = Uint32Array.from({ length: 100 }, (_, i) => (i * 0x01020305) >>> 0);
    for (const mode of [PixelMode.U8, PixelMode.U16LE, PixelMode.U16BE, PixelMode.U32LE, PixelMode.U32BE]) {
      const backing = new Uint8Array(1024).fill(1);
      const view = backing.subarray(3, 900);
      const want = new Uint8Array(1024).fill(1);
      const end = writePixelBlock(mode, px, 0, 100, 100, 1, view, 1);
      let o = 4;
      for (const v of px) o = writePixel(mode, want, o, v);
      expect(end + 3).toBe(o);
      expect(backing).toEqual(want);
    }
  });
});

/** A w×h tile of colours A and B at the given density of B, packed in a row of `stride`. */
function twoColourTile(rand: () => number, w: number, h: number, stride: number, density: number): Uint32Array {
  const A = 0x102030;
  const B = 0xfedcba;
  const px = new Uint32Array(stride * h).fill(0x777777);
  for (let y = 0; y < h; y++) {
    // Runs and strokes rather than plain noise, so rectangles grow both ways.
    let run = rand() < density;
    for (let x = 0; x < w; x++) {
      if (rand() < 0.3) run = rand() < density;
      px[y * stride + x] = run ? B : A;
    }
  }
  return px;
}

function rectsOf(f: SubrectFinder): string {
  const out: string[] = [];
  for (let i = 0; i < f.count; i++) out.push(`${f.x[i]},${f.y[i]} ${f.w[i]}×${f.h[i]} #${f.colour[i]!.toString(16)}`);
  return out.join(' ');
}

describe('SubrectFinder.findInMasks', () => {
  it('finds exactly the rectangles find() finds, and gives up where it gives up', () => {
    const rand = rng(21);
    const byPixels = new SubrectFinder();
    const byMasks = new SubrectFinder();
    const scan = new TwoColourScan();
    let tiles = 0;
    for (let h = 1; h <= 16; h++) {
      for (let w = 1; w <= 16; w++) {
        for (const density of [0.1, 0.5, 0.9]) {
          const stride = w + 3;
          const px = twoColourTile(rand, w, h, stride, density);
          if (scan.scan(px, 0, stride, w, h) !== 2) continue;
          for (const bgIsFirst of [true, false]) {
            const bg = bgIsFirst ? scan.first : scan.second;
            const fg = bgIsFirst ? scan.second : scan.first;
            const rows = Int32Array.from(scan.rows.subarray(0, h), (m) => (bgIsFirst ? m : ~m & ((1 << w) - 1)));
            const full = byPixels.find(px, 0, stride, w, h, bg, 255) ? byPixels.count : -1;
            for (const maxCount of [255, full, full - 1, 1]) {
              const a = byPixels.find(px, 0, stride, w, h, bg, maxCount);
              const b = byMasks.findInMasks(rows, h, fg, maxCount);
              expect(b, `${w}×${h} max ${maxCount}`).toBe(a);
              if (a) expect(rectsOf(byMasks)).toBe(rectsOf(byPixels));
            }
            tiles++;
          }
        }
      }
    }
    expect(tiles).toBeGreaterThan(1000);
  });
});

describe('needsMoreSubrects', () => {
  it('says more are needed only when find() would give up', () => {
    const rand = rng(33);
    const f = new SubrectFinder();
    let saidMore = 0;
    for (let k = 0; k < 400; k++) {
      const w = 1 + Math.floor(rand() * 40);
      const h = 1 + Math.floor(rand() * 30);
      const stride = w + Math.floor(rand() * 4);
      const colours = 1 + Math.floor(rand() * (k % 2 === 0 ? 4 : 1000));
      const px = Uint32Array.from({ length: stride * h }, () => Math.floor(rand() * colours));
      const bg = px[0]!;
      const needed = f.find(px, 0, stride, w, h, bg, w * h) ? f.count : Infinity;
      for (const limit of [0, 1, needed - 1, needed, Math.floor(needed / 2)]) {
        if (!Number.isFinite(limit) || limit < 0) continue;
        const more = needsMoreSubrects(px, 0, stride, w, h, bg, limit);
        if (more) {
          saidMore++;
          expect(needed, `${w}×${h}, ${colours} colours, limit ${limit}`).toBeGreaterThan(limit);
        }
      }
    }
    expect(saidMore).toBeGreaterThan(100);
  });

  it('counts every pixel of a block of all-different colours but the background', () => {
    const px = Uint32Array.from({ length: 16 * 16 }, (_, i) => i);
    expect(needsMoreSubrects(px, 0, 16, 16, 16, 0, 16 * 16 - 2)).toBe(true);
    expect(needsMoreSubrects(px, 0, 16, 16, 16, 0, 16 * 16 - 1)).toBe(false);
  });
});

describe('manyCorners', () => {
  it('answers whether the corners counted one by one pass the limit', () => {
    const rand = rng(41);
    let many = 0;
    for (let k = 0; k < 300; k++) {
      const w = 1 + Math.floor(rand() * 20);
      const h = 1 + Math.floor(rand() * 20);
      const stride = w + Math.floor(rand() * 3);
      const off = Math.floor(rand() * 3);
      // From flat to all different: few colours, or many with runs of equal pixels.
      const colours = 1 + Math.floor(rand() * (k % 3 === 0 ? 3 : 5000));
      const px = new Uint32Array(off + stride * h);
      let v = 0;
      for (let i = 0; i < px.length; i++) px[i] = rand() < 0.3 ? v : (v = Math.floor(rand() * colours));
      const corners = cornerCount(px, off, stride, w, h);
      for (const limit of [0, corners - 1, corners, corners + 1, Math.floor((w * h) / 2), w * h]) {
        if (limit < 0) continue;
        const got = manyCorners(px, off, stride, w, h, limit);
        expect(got, `${w}×${h}+${stride}, ${corners} corners, limit ${limit}`).toBe(corners > limit);
        if (got) many++;
      }
    }
    expect(many).toBeGreaterThan(100);
  });
});

describe('TwoColourScan', () => {
  it('agrees with TileAnalysis on one, two and more colours', () => {
    const rand = rng(44);
    const scan = new TwoColourScan();
    const a = new TileAnalysis(0);
    const seen = [0, 0, 0];
    for (let k = 0; k < 3000; k++) {
      const w = 1 + Math.floor(rand() * 16);
      const h = 1 + Math.floor(rand() * 16);
      const stride = w + 2;
      const colours = 1 + (k % 4);
      const palette = [0x000000, 0xffffff, 0xff0000, 0x00ff00];
      // Mostly the first colour, so blocks of "two" colours often have just one.
      const px = Uint32Array.from({ length: stride * h }, () => palette[rand() < 0.7 ? 0 : Math.floor(rand() * colours)]!);
      const n = scan.scan(px, 0, stride, w, h);
      a.analyse(px, 0, stride, w, h, MAX_PALETTE, 0, false);
      seen[n]!++;
      if (n === 0) {
        expect(a.paletteSize).toBeGreaterThan(2);
        continue;
      }
      expect(a.paletteSize).toBe(n);
      expect(scan.first).toBe(a.palette[0]);
      if (n === 1) continue;
      expect(scan.second).toBe(a.palette[1]);
      expect(scan.secondCount).toBe(a.counts[1]);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) expect(((scan.rows[y]! >> x) & 1) === 1).toBe(px[y * stride + x] === scan.second);
      }
    }
    expect(Math.min(...seen)).toBeGreaterThan(100);
  });
});

describe('Raw straight into the output', () => {
  // Little-endian 32 bpp clients, whose Raw rectangles are converted straight into the output.
  const direct = FORMATS.filter(([, f]) => f.bitsPerPixel === 32 && !f.bigEndian);

  async function encode(format: PixelFormat, frame: Frame, rects: Rect[], lead: number): Promise<{ bytes: Buffer; stats: RectStats[] }> {
    const m = new EncodeManager(createEncoderState());
    m.setConverter(new PixelConverter(format));
    m.setEncodings([Encoding.Raw]);
    m.overlay = { rect: { x: 20, y: 5, w: 12, h: 9 }, pixels: Uint32Array.from({ length: 12 * 9 }, (_, i) => (i * 0x3f1d27) & 0xffffff) };
    const out = new ByteWriter(16);
    // `lead` bytes before the update: 4 keeps payloads aligned, others misalign them (the general path).
    for (let i = 0; i < lead; i++) out.u8(0xee);
    const stats: RectStats[] = [];
    await m.encodeRects(frame, rects, [], out, (s) => stats.push(s));
    return { bytes: out.toBuffer().subarray(lead), stats };
  }

  it.each(direct)('%s: the same bytes and statistics as through the scratch buffer', async (_name, format) => {
    const frame = paddedFrame(80, 40, 3);
    const rects = [...RECTS, { x: 0, y: 0, w: 80, h: 40 }];
    const aligned = await encode(format, frame, rects, 4);
    for (const lead of [1, 2, 3]) {
      const general = await encode(format, frame, rects, lead);
      expect(aligned.bytes.equals(general.bytes), `lead ${lead}`).toBe(true);
      expect(aligned.stats).toEqual(general.stats);
    }
  });
});

/**
 * Hextile as the plain pieces give it: TileAnalysis for every tile and the
 * pixel-by-pixel subrectangle search (background and foreground carried over
 * as HextileEncoder documents).
 */
/** Pixels of the block that differ from their left neighbour and from the one above (a missing neighbour differs). */
function cornerCount(px: Uint32Array, off: number, stride: number, w: number, h: number): number {
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = off + y * stride + x;
      if ((x === 0 || px[i - 1] !== px[i]) && (y === 0 || px[i - stride] !== px[i])) n++;
    }
  }
  return n;
}

function plainHextile(px: Uint32Array, w: number, h: number, c: PixelConverter): Buffer {
  const { mode, size } = pixelLayout(c, false);
  const a = new TileAnalysis(0);
  const f = new SubrectFinder();
  const out = new ByteWriter();
  let bg = -1;
  let fg = -1;
  const pixel = (v: number): void => {
    const b = new Uint8Array(size);
    writePixel(mode, b, 0, v);
    out.bytes(b);
  };
  for (let ty = 0; ty < h; ty += 16) {
    for (let tx = 0; tx < w; tx += 16) {
      const tw = Math.min(16, w - tx);
      const th = Math.min(16, h - ty);
      const off = ty * w + tx;
      const rawCost = 1 + tw * th * size;
      a.analyse(px, off, w, tw, th, MAX_PALETTE, 0, false);
      if (!a.overflow && a.paletteSize === 1) {
        if (a.palette[0] === bg) {
          out.u8(0);
        } else {
          out.u8(HextileFlag.BackgroundSpecified);
          pixel((bg = a.palette[0]!));
        }
        continue;
      }
      let done = false;
      if (!a.overflow) {
        const tileBg = a.palette[a.mostFrequent()]!;
        const sendBg = tileBg !== bg;
        if (a.paletteSize === 2) {
          const tileFg = a.palette[0] === tileBg ? a.palette[1]! : a.palette[0]!;
          const sendFg = tileFg !== fg;
          const maxCount = Math.min(255, Math.floor((rawCost - 2 - (sendBg ? size : 0) - (sendFg ? size : 0)) / 2));
          if (maxCount > 0 && f.find(px, off, w, tw, th, tileBg, maxCount)) {
            out.u8(HextileFlag.AnySubrects | (sendBg ? HextileFlag.BackgroundSpecified : 0) | (sendFg ? HextileFlag.ForegroundSpecified : 0));
            if (sendBg) pixel(tileBg);
            if (sendFg) pixel(tileFg);
            out.u8(f.count);
            for (let i = 0; i < f.count; i++) out.u8((f.x[i]! << 4) | f.y[i]!).u8(((f.w[i]! - 1) << 4) | (f.h[i]! - 1));
            bg = tileBg;
            fg = tileFg;
            done = true;
          }
        } else if (cornerCount(px, off, w, tw, th) <= Math.floor((rawCost - 2 - size) / (size + 2)) + ((tw * th) >> 3)) {
          // (More corners than that: photo-like, sent raw without a search.)
          const maxCount = Math.min(255, Math.floor((rawCost - 2 - (sendBg ? size : 0)) / (size + 2)));
          if (maxCount > 0 && f.find(px, off, w, tw, th, tileBg, maxCount)) {
            out.u8(HextileFlag.AnySubrects | HextileFlag.SubrectsColoured | (sendBg ? HextileFlag.BackgroundSpecified : 0));
            if (sendBg) pixel(tileBg);
            out.u8(f.count);
            for (let i = 0; i < f.count; i++) {
              pixel(f.colour[i]!);
              out.u8((f.x[i]! << 4) | f.y[i]!).u8(((f.w[i]! - 1) << 4) | (f.h[i]! - 1));
            }
            bg = tileBg;
            fg = -1;
            done = true;
          }
        }
      }
      if (!done) {
        out.u8(HextileFlag.Raw);
        for (let y = 0; y < th; y++) for (let x = 0; x < tw; x++) pixel(px[off + y * w + x]!);
        bg = fg = -1;
      }
    }
  }
  return out.toBuffer();
}

/** RRE/CoRRE as the plain pieces give it (no early count): the payload, or null where it would exceed `limit`. */
function plainRre(px: Uint32Array, w: number, h: number, c: PixelConverter, coordBytes: 1 | 2, limit: number): Buffer | null {
  const { mode, size } = pixelLayout(c, false);
  const per = size + 4 * coordBytes;
  const a = new TileAnalysis(0);
  a.analyse(px, 0, w, w, h, MAX_PALETTE, 0, false);
  const bg = a.palette[a.mostFrequent()]!;
  const f = new SubrectFinder();
  if (limit < 4 + size || !f.find(px, 0, w, w, h, bg, Math.floor((limit - 4 - size) / per))) return null;
  const out = Buffer.alloc(4 + size + f.count * per);
  out.writeUInt32BE(f.count, 0);
  let o = writePixel(mode, out, 4, bg);
  for (let i = 0; i < f.count; i++) {
    o = writePixel(mode, out, o, f.colour[i]!);
    for (const v of [f.x[i]!, f.y[i]!, f.w[i]!, f.h[i]!]) o = coordBytes === 2 ? out.writeUInt16BE(v, o) : out.writeUInt8(v, o);
  }
  return out;
}

/**
 * Rows of 16×16 tiles that make Hextile carry colours over, or not: the same
 * two-colour tile before and after a raw tile, after a tile of three colours
 * (coloured subrectangles), and after itself; with either colour the more frequent.
 */
/**
 * Tiles where nearly every pixel is a corner: noise of a few dozen colours
 * (raw, as the search would find too), and a checkerboard of a background
 * with three other colours, which coloured subrectangles could cover in
 * fewer bytes than raw but which the corner count sends raw.
 */
function cornerFrame(): Frame {
  const f = createFrame(96, 64);
  const rand = rng(77);
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 96; x++) {
      f.pixels[y * 96 + x] = x < 48 ? 0x101010 * Math.floor(rand() * 40) : (x + y) % 2 === 0 ? 0x336699 : [0xff0000, 0x00ff00, 0x0000ff][Math.floor(rand() * 3)]!;
    }
  }
  return f;
}

function carryOverFrame(): Frame {
  const f = createFrame(96, 64);
  const rand = rng(55);
  const A = 0x204060;
  const B = 0xe0c0a0;
  const C = 0x10f010;
  const tiles = ['two', 'noise', 'two', 'three', 'two', 'two', 'inverse', 'two', 'noise', 'inverse', 'three', 'inverse'];
  tiles.forEach((kind, t) => {
    const tx = (t % 6) * 16;
    const ty = Math.floor(t / 6) * 16;
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) {
        const stroke = (x + 2 * y) % 7 === 0;
        const c =
          kind === 'noise' ? Math.floor(rand() * 0x1000000)
          : kind === 'three' ? (stroke ? B : x === y ? C : A)
          : kind === 'inverse' ? (stroke ? A : B)
          : stroke ? B : A;
        f.pixels[(ty + y) * 96 + tx + x] = c;
      }
    }
  });
  return f;
}

describe('Hextile, RRE and CoRRE against the plain pieces', () => {
  const formats = FORMATS.filter(([name]) => /^(native|native big-endian|noVNC|16 rgb565|16 rgb565 big-endian|8 bgr233)/.test(name));
  // Odd sizes, partial tiles, rectangles away from the frame's corner.
  const rects: Rect[] = [
    { x: 0, y: 0, w: 96, h: 64 },
    { x: 5, y: 3, w: 37, h: 29 },
    { x: 17, y: 40, w: 1, h: 20 },
    { x: 60, y: 1, w: 35, h: 1 },
  ];

  it.each(formats)('%s: the same bytes on every kind of content', async (_name, format) => {
    const c = new PixelConverter(format);
    const state = createEncoderState();
    const hextile = new HextileEncoder();
    const encoders: Array<[RreEncoder, 1 | 2]> = [
      [new RreEncoder(), 2],
      [new CorreEncoder(), 1],
    ];
    for (const [kind, frame] of [...FRAME_KINDS.map((k) => [k, makeFrame(96, 64, k, 7)] as const), ['carry-over', carryOverFrame()] as const, ['corners', cornerFrame()] as const]) {
      for (const r of rects) {
        const px = c.convertRect(frame, r);
        const what = `${kind} ${JSON.stringify(r)}`;
        const out = new ByteWriter();
        await encodeInto(hextile, { rect: r, pixels: px, converter: c, state }, out);
        expect(out.toBuffer().equals(plainHextile(px, r.w, r.h, c)), `Hextile, ${what}`).toBe(true);
        // Limits from Raw's size (what the encode manager passes) down to where nothing fits.
        for (const [enc, coordBytes] of encoders) {
          for (const limit of [r.w * r.h * c.bpp, Math.floor((r.w * r.h * c.bpp) / 3), 12, 0]) {
            const got = new ByteWriter();
            const ok = enc.encode({ rect: r, pixels: px, converter: c, state, limit }, got) === 'written';
            const want = plainRre(px, r.w, r.h, c, coordBytes, limit);
            expect(ok, `${enc.name} within ${limit}, ${what}`).toBe(want !== null);
            if (want) expect(got.toBuffer().equals(want), `${enc.name} within ${limit}, ${what}`).toBe(true);
          }
        }
      }
    }
    state.close();
  });
});
