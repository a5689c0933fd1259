import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';
import { Encoding, PseudoEncoding } from '../../../../src/main/rfb/constants.js';
import { NATIVE_FORMAT, PixelConverter, type PixelFormat } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import type { CopyOp } from '../../../../src/main/framebuffer/region.js';
import { EncodeManager, type RectStats } from '../../../../src/main/rfb/encodings/encode-manager.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { NOVNC_FORMAT, NoVncClient } from '../../../support/novnc-decoder.js';
import { busyDesktop, cropRgba, expectedRgba, firstDiff, makeFrame, paint, referencePixel, rng } from '../../../support/reference-pixels.js';

/** What noVNC 1.x sends in SetEncodings (minus what we do not implement, which must be ignored anyway). */
const NOVNC_ENCODINGS = [
  Encoding.CopyRect,
  Encoding.Tight,
  -260, // TightPNG
  Encoding.ZRLE,
  21, // JPEG
  Encoding.Hextile,
  Encoding.RRE,
  Encoding.Zlib,
  Encoding.Raw,
  -32 + 6, // QualityLevel6
  -256 + 2, // CompressLevel2
  PseudoEncoding.DesktopSize,
  PseudoEncoding.LastRect,
  PseudoEncoding.Cursor,
];

/**
 * noVNC's list without its JPEG quality level: Tight stays lossless, so the
 * pixel-exact checks below hold (JPEG through the manager is checked in
 * tight-jpeg.test.ts).
 */
const NOVNC_LOSSLESS = NOVNC_ENCODINGS.filter((e) => e !== -32 + 6);

function manager(encodings: number[]): { m: EncodeManager; close: () => void; state: ReturnType<typeof createEncoderState> } {
  const state = createEncoderState();
  const m = new EncodeManager(state);
  m.setConverter(new PixelConverter(NOVNC_FORMAT));
  m.setEncodings(encodings);
  return { m, state, close: () => state.close() };
}

async function update(
  m: EncodeManager,
  frame: Frame,
  rects: Rect[],
  copies: CopyOp[] = [],
): Promise<{ count: number; bytes: Buffer; stats: RectStats[] }> {
  const out = new ByteWriter();
  const stats: RectStats[] = [];
  const count = await m.encodeRects(frame, rects, copies, out, (s) => stats.push(s));
  return { count, bytes: out.toBuffer(), stats };
}

function expectShows(client: NoVncClient, frame: Frame, r: Rect): void {
  const d = firstDiff(cropRgba(client.display.rgba, client.display.width, r), expectedRgba(frame, r));
  expect(d, `first wrong pixel of ${JSON.stringify(r)}`).toBe(-1);
}

/** Encodings of the rectangles in order, by walking headers (Raw, RRE and CoRRE payloads only, at 4 bytes per pixel). */
function walkSimple(bytes: Uint8Array, count: number): Array<Rect & { encoding: number }> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<Rect & { encoding: number }> = [];
  let o = 0;
  for (let i = 0; i < count; i++) {
    const r = { x: dv.getUint16(o), y: dv.getUint16(o + 2), w: dv.getUint16(o + 4), h: dv.getUint16(o + 6), encoding: dv.getInt32(o + 8) };
    o += 12;
    if (r.encoding === Encoding.Raw) o += r.w * r.h * 4;
    else if (r.encoding === Encoding.RRE) o += 8 + dv.getUint32(o) * 12;
    else if (r.encoding === Encoding.CoRRE) o += 8 + dv.getUint32(o) * 8;
    else throw new Error(`cannot walk encoding ${r.encoding}`);
    out.push(r);
  }
  expect(o).toBe(bytes.length);
  return out;
}

describe('EncodeManager', () => {
  it('writes exactly as many rectangles as it returns, and noVNC shows the frame', async () => {
    const { m, close } = manager(NOVNC_LOSSLESS);
    const frame = makeFrame(320, 240, 'mixed', 5);
    const client = await NoVncClient.create(320, 240);
    const rects: Rect[] = [
      { x: 0, y: 0, w: 320, h: 240 },
      { x: 10, y: 10, w: 1, h: 1 },
      { x: 300, y: 200, w: 40, h: 80 }, // partly outside: clipped
      { x: 400, y: 0, w: 10, h: 10 }, // wholly outside: dropped
      { x: 5, y: 5, w: 0, h: 9 }, // empty: dropped
    ];
    const { count, bytes, stats } = await update(m, frame, rects);
    expect(count).toBe(stats.length);
    client.decodeRects(bytes, count, { chunk: 4099 });
    expectShows(client, frame, { x: 0, y: 0, w: 320, h: 240 });
    expect(stats.reduce((a, s) => a + s.bytes, 0)).toBe(bytes.length);
    for (const s of stats) expect(s.rawBytes).toBe(s.pixels * 4);
    close();
  });

  it('keeps the zlib streams across updates and splits big rectangles exactly', async () => {
    const { m, close } = manager(NOVNC_LOSSLESS);
    const frame = busyDesktop(1920, 1080);
    const client = await NoVncClient.create(1920, 1080);
    const full = { x: 0, y: 0, w: 1920, h: 1080 };
    let r = await update(m, frame, [full]);
    expect(r.count).toBeGreaterThan(1); // cut into units
    expect(r.stats.reduce((a, s) => a + s.pixels, 0)).toBe(1920 * 1080);
    client.decodeRects(r.bytes, r.count);
    expectShows(client, frame, full);
    for (let u = 0; u < 3; u++) {
      const a = { x: 100 + u * 300, y: 50 + u * 200, w: 333, h: 222 };
      paint(frame, a, u === 1 ? 'noise' : 'text', 70 + u);
      r = await update(m, frame, [a, { x: 1900, y: 1000, w: 20, h: 80 }]);
      client.decodeRects(r.bytes, r.count, { chunk: 1021 });
      expectShows(client, frame, full);
    }
    close();
  });

  it('chooses per class of rectangle among what the client listed', async () => {
    const frame = makeFrame(256, 64, 'solid', 1);
    paint(frame, { x: 64, y: 0, w: 64, h: 64 }, 'text', 2);
    paint(frame, { x: 128, y: 0, w: 64, h: 64 }, 'noise', 3);
    paint(frame, { x: 192, y: 0, w: 64, h: 64 }, 'palette16', 4);
    const solid = { x: 0, y: 0, w: 64, h: 64 };
    const text = { x: 64, y: 0, w: 64, h: 64 };
    const noise = { x: 128, y: 0, w: 64, h: 64 };
    const few = { x: 192, y: 0, w: 64, h: 64 };
    const cases: Array<[string, number[], number, number, number, number]> = [
      // listed, solid, text, noise, 16 colours
      // Tight takes many colours too (as JPEG with a quality level, else lossless).
      ['noVNC', NOVNC_ENCODINGS, Encoding.Tight, Encoding.Tight, Encoding.Tight, Encoding.Tight],
      ['noVNC without a quality level', NOVNC_LOSSLESS, Encoding.Tight, Encoding.Tight, Encoding.Tight, Encoding.Tight],
      // TightPNG without JPEG leaves many colours to ZRLE.
      ['TightPNG, ZRLE', [Encoding.TightPNG, Encoding.ZRLE], Encoding.TightPNG, Encoding.TightPNG, Encoding.ZRLE, Encoding.TightPNG],
      ['Tight only', [Encoding.Tight], Encoding.Tight, Encoding.Tight, Encoding.Tight, Encoding.Tight],
      ['noVNC without Tight', NOVNC_ENCODINGS.filter((e) => e !== Encoding.Tight), Encoding.TightPNG, Encoding.TightPNG, Encoding.TightPNG, Encoding.TightPNG],
      ['noVNC without either Tight', NOVNC_ENCODINGS.filter((e) => e !== Encoding.Tight && e !== Encoding.TightPNG), Encoding.RRE, Encoding.ZRLE, Encoding.ZRLE, Encoding.ZRLE],
      ['Hextile only', [Encoding.Hextile], Encoding.Hextile, Encoding.Hextile, Encoding.Hextile, Encoding.Hextile],
      ['Zlib then RRE', [Encoding.Zlib, Encoding.RRE], Encoding.RRE, Encoding.Zlib, Encoding.Zlib, Encoding.Zlib],
      ['TRLE, ZRLE', [Encoding.TRLE, Encoding.ZRLE], Encoding.ZRLE, Encoding.TRLE, Encoding.TRLE, Encoding.TRLE],
      ['CoRRE, Raw', [Encoding.CoRRE, Encoding.Raw], Encoding.CoRRE, Encoding.CoRRE, Encoding.Raw, Encoding.CoRRE],
      ['RRE only', [Encoding.RRE], Encoding.RRE, Encoding.RRE, Encoding.Raw, Encoding.RRE],
      ['nothing', [], Encoding.Raw, Encoding.Raw, Encoding.Raw, Encoding.Raw],
      ['only unknown and pseudo', [8 /* ZlibHex */, 99, PseudoEncoding.Cursor, -256], Encoding.Raw, Encoding.Raw, Encoding.Raw, Encoding.Raw],
    ];
    for (const [name, list, eSolid, eText, eNoise, eFew] of cases) {
      const { m, close } = manager(list);
      const { count, stats } = await update(m, frame, [solid, text, noise, few]);
      expect(count, name).toBe(4);
      expect(
        stats.map((s) => s.encoding),
        name,
      ).toEqual([eSolid, eText, eNoise, eFew]);
      close();
    }
  });

  it('picks the cheapest solid form the client has', async () => {
    const frame = makeFrame(1024, 768, 'solid', 9);
    const big = { x: 0, y: 0, w: 1024, h: 768 };
    const small = { x: 0, y: 0, w: 100, h: 100 };
    const pick = async (list: number[], r: Rect): Promise<number[]> => {
      const { m, close } = manager(list);
      const { stats } = await update(m, frame, [r]);
      close();
      return [...new Set(stats.map((s) => s.encoding))];
    };
    expect(await pick([Encoding.ZRLE, Encoding.Hextile, Encoding.RRE], big)).toEqual([Encoding.RRE]);
    expect(await pick([Encoding.ZRLE, Encoding.CoRRE], small)).toEqual([Encoding.CoRRE]);
    expect(await pick([Encoding.Hextile, Encoding.ZRLE], big)).toEqual([Encoding.ZRLE]);
    expect(await pick([Encoding.TRLE, Encoding.Hextile], big)).toEqual([Encoding.Hextile]);
  });

  it('splits for CoRRE’s 255×255 limit and counts every piece', async () => {
    const { m, close } = manager([Encoding.CoRRE]);
    const frame = makeFrame(600, 300, 'text', 3);
    const { count, bytes, stats } = await update(m, frame, [{ x: 0, y: 0, w: 600, h: 300 }]);
    const rects = walkSimple(bytes, count);
    expect(rects.length).toBe(stats.length);
    for (const r of rects) {
      expect(r.w).toBeLessThanOrEqual(255);
      expect(r.h).toBeLessThanOrEqual(255);
    }
    expect(rects.reduce((a, r) => a + r.w * r.h, 0)).toBe(600 * 300);
    close();
  });

  it('sends CopyRect first when the client lists it', async () => {
    const { m, close } = manager(NOVNC_LOSSLESS);
    const frame = makeFrame(200, 100, 'mixed', 1);
    const client = await NoVncClient.create(200, 100);
    const first = await update(m, frame, [{ x: 0, y: 0, w: 200, h: 100 }]);
    client.decodeRects(first.bytes, first.count);

    // The left half moves right by 50; the revealed strip changes.
    const moved = makeFrame(200, 100, 'solid', 1);
    moved.pixels.set(frame.pixels);
    for (let y = 0; y < 100; y++) moved.pixels.copyWithin(y * 200 + 50, y * 200, y * 200 + 100);
    paint(moved, { x: 0, y: 0, w: 50, h: 100 }, 'text', 8);
    const copy: CopyOp = { dst: { x: 50, y: 0, w: 100, h: 100 }, srcX: 0, srcY: 0 };
    const r = await update(m, moved, [{ x: 0, y: 0, w: 50, h: 100 }], [copy]);
    expect(r.stats[0]).toEqual({ encoding: Encoding.CopyRect, pixels: 100 * 100, bytes: 16, rawBytes: 100 * 100 * 4 });
    expect(r.count).toBe(2);
    client.decodeRects(r.bytes, r.count, { chunk: 7 });
    expectShows(client, moved, { x: 0, y: 0, w: 200, h: 100 });
    close();
  });

  it('sends copies as pixels when the client has no CopyRect, or the source is off-screen', async () => {
    const frame = makeFrame(200, 100, 'mixed', 1);
    const copy: CopyOp = { dst: { x: 50, y: 0, w: 100, h: 100 }, srcX: 0, srcY: 0 };
    const offscreen: CopyOp = { dst: { x: 0, y: 0, w: 100, h: 50 }, srcX: 150, srcY: 0 };

    const without = manager(NOVNC_LOSSLESS.filter((e) => e !== Encoding.CopyRect));
    let r = await update(without.m, frame, [], [copy]);
    // Tight may cut the area into pieces (solid areas apart); none of them is a copy.
    expect(r.count).toBe(r.stats.length);
    expect(r.stats.map((s) => s.encoding)).not.toContain(Encoding.CopyRect);
    let client = await NoVncClient.create(200, 100);
    client.decodeRects(r.bytes, r.count);
    expectShows(client, frame, copy.dst);
    without.close();

    const withCopy = manager(NOVNC_LOSSLESS);
    r = await update(withCopy.m, frame, [], [offscreen]);
    expect(r.stats.map((s) => s.encoding)).not.toContain(Encoding.CopyRect);
    client = await NoVncClient.create(200, 100);
    client.decodeRects(r.bytes, r.count);
    expectShows(client, frame, offscreen.dst);
    withCopy.close();
  });

  it('uses Raw when the client lists no encoding at all', async () => {
    const { m, close } = manager([]);
    const frame = makeFrame(90, 70, 'mixed', 2);
    const { count, bytes, stats } = await update(m, frame, [{ x: 0, y: 0, w: 90, h: 70 }, { x: 1, y: 2, w: 3, h: 4 }]);
    expect(stats.every((s) => s.encoding === Encoding.Raw)).toBe(true);
    expect(bytes.length).toBe(2 * 12 + (90 * 70 + 12) * 4);
    const client = await NoVncClient.create(90, 70);
    client.decodeRects(bytes, count, { chunk: 1 });
    expectShows(client, frame, { x: 0, y: 0, w: 90, h: 70 });
    close();
  });

  it('falls back to Raw where RRE would be larger', async () => {
    const { m, close } = manager([Encoding.RRE]);
    // 16 colours at random: "few colours", but hardly two neighbours alike.
    const frame = makeFrame(64, 64, 'solid', 2);
    const rand = rng(5);
    for (let i = 0; i < frame.pixels.length; i++) frame.pixels[i] = 0x101010 * Math.floor(rand() * 16);
    const { count, bytes, stats } = await update(m, frame, [{ x: 0, y: 0, w: 64, h: 64 }]);
    expect(stats.map((s) => s.encoding)).toEqual([Encoding.Raw]);
    expect(walkSimple(bytes, count)).toHaveLength(1);
    close();
  });

  it('creates the zlib streams at the CompressLevel the client asked for', async () => {
    const { m, state, close } = manager([Encoding.ZRLE, -256 + 3]);
    expect(m.clientCompressLevel).toBe(3);
    await update(m, makeFrame(64, 64, 'text', 1), [{ x: 0, y: 0, w: 64, h: 64 }]);
    expect(state.zlib('zrle').level).toBe(3);
    close();
  });

  it('refuses a second update while one is being encoded', async () => {
    const { m, close } = manager([Encoding.ZRLE]);
    const frame = makeFrame(256, 256, 'noise', 1);
    const a = update(m, frame, [{ x: 0, y: 0, w: 256, h: 256 }]);
    await expect(update(m, frame, [{ x: 0, y: 0, w: 8, h: 8 }])).rejects.toThrow(/still running/);
    await a;
    close();
  });

  it('converts to the client format (byte shuffles and table conversion alike)', async () => {
    const formats: PixelFormat[] = [
      NATIVE_FORMAT,
      NOVNC_FORMAT,
      { ...NATIVE_FORMAT, bigEndian: true, redShift: 24, greenShift: 16, blueShift: 8 },
      { ...NATIVE_FORMAT, redShift: 8, greenShift: 16, blueShift: 24 },
      { ...NATIVE_FORMAT, bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 },
    ];
    const frame = makeFrame(40, 30, 'mixed', 3);
    for (const format of formats) {
      const m = new EncodeManager(createEncoderState());
      m.setConverter(new PixelConverter(format));
      m.setEncodings([Encoding.Raw]);
      const out = new ByteWriter();
      expect(await m.encodeRects(frame, [{ x: 0, y: 0, w: 40, h: 30 }], [], out)).toBe(1);
      const b = out.view().subarray(12);
      const size = format.bitsPerPixel / 8;
      for (let i = 0; i < 40 * 30; i++) {
        let v = 0;
        for (let k = 0; k < size; k++) v += b[i * size + k]! * 2 ** (8 * (format.bigEndian ? size - 1 - k : k));
        const want = referencePixel(format, frame.pixels[i]! & 0xffffff);
        if (v !== want) expect.fail(`${JSON.stringify(format)} pixel ${i}: 0x${v.toString(16)} ≠ 0x${want.toString(16)}`);
      }
    }
  });
});
