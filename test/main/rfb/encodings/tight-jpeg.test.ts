/**
 * Tight's lossy and image paths decoded by noVNC's own decoders (tight.js,
 * tightpng.js), whose JPEG and PNG images are decoded here by pure-JS
 * decoders independent of the encoder's libraries (jpeg-js, pngjs): JPEG
 * areas within a stated error of the source, everything else exact. The
 * quality table and the choice of TurboJPEG format are checked directly.
 */
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';
import { Encoding, PseudoEncoding } from '../../../../src/main/rfb/constants.js';
import { NATIVE_FORMAT, PixelConverter, type PixelFormat } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { EncodeManager, type RectStats } from '../../../../src/main/rfb/encodings/encode-manager.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { encodeInto } from '../../../../src/main/rfb/encodings/encoder.js';
import { TightEncoder } from '../../../../src/main/rfb/encodings/tight.js';
import { jpegFormatFor, jpegLibrary, jpegQualityOf, jpegQualityRoom, jpegSettingsFrom, loadJpegLibrary, lowerJpegQuality } from '../../../../src/main/rfb/encodings/tight-jpeg.js';
import { createEncoders } from '../../../../src/main/rfb/encodings/registry.js';
import { captureLogs } from '../../../support/log-capture.js';
import { NOVNC_FORMAT, NoVncClient } from '../../../support/novnc-decoder.js';
import { photoFrame, textPanel } from '../../../support/photo-frame.js';
import { expectedRgba } from '../../../support/reference-pixels.js';

const quality = (level: number): number => -32 + level;

describe('JPEG settings from the pseudo-encodings', () => {
  it('maps quality levels like TigerVNC, lets fine quality and subsampling override, first of each kind wins', () => {
    expect(jpegSettingsFrom([Encoding.Tight])).toBeNull();
    expect(jpegSettingsFrom([quality(0)])).toEqual({ quality: 15, subsampling: '4X' });
    expect(jpegSettingsFrom([quality(3)])).toEqual({ quality: 42, subsampling: '2X' });
    expect(jpegSettingsFrom([quality(6)])).toEqual({ quality: 79, subsampling: '1X' });
    expect(jpegSettingsFrom([quality(8), quality(2)])).toEqual({ quality: 92, subsampling: '1X' });
    expect(jpegSettingsFrom([quality(9)])).toEqual({ quality: 100, subsampling: '1X' });
    expect(jpegSettingsFrom([quality(8), -512 + 55])).toEqual({ quality: 55, subsampling: '1X' });
    expect(jpegSettingsFrom([-512 + 70, -768 + 2])).toEqual({ quality: 70, subsampling: '2X' });
    expect(jpegSettingsFrom([quality(1), -768 + 3])).toEqual({ quality: 29, subsampling: 'GRAY' });
    // 8X and 16X have no libjpeg form: 4X, as TigerVNC does.
    expect(jpegSettingsFrom([-512, -768 + 5])).toEqual({ quality: 0, subsampling: '4X' });
    // Subsampling alone asks for no JPEG.
    expect(jpegSettingsFrom([-768])).toBeNull();
  });

  it('reads the client pixels as they lie in memory, and only 32 bpp depth-24 formats', () => {
    const lib = jpegLibrary();
    expect(lib, 'libjpeg-turbo loads').not.toBeNull();
    const fmt = (pf: Partial<PixelFormat>): number | null => jpegFormatFor(new PixelConverter({ ...NATIVE_FORMAT, ...pf }), lib!);
    expect(fmt({})).toBe(lib!.FORMAT_BGRX); // red at 16 on a little-endian host: B, G, R, X in memory
    expect(fmt({ redShift: 0, blueShift: 16 })).toBe(lib!.FORMAT_RGBX); // noVNC
    expect(fmt({ redShift: 24, greenShift: 16, blueShift: 8 })).toBe(lib!.FORMAT_XBGR);
    expect(fmt({ redShift: 8, greenShift: 16, blueShift: 24 })).toBe(lib!.FORMAT_XRGB);
    expect(fmt({ bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 })).toBeNull();
    expect(fmt({ redMax: 127 })).toBeNull();
  });
});

/** Mean absolute error and PSNR (dB) over the lossy pixels' R, G, B; the count of other pixels that differ at all. */
function compare(client: NoVncClient, frame: Frame): { lossy: number; mae: number; psnr: number; wrongExact: number } {
  const W = frame.width;
  const want = expectedRgba(frame, { x: 0, y: 0, w: W, h: frame.height });
  const got = client.display.rgba;
  let lossy = 0;
  let abs = 0;
  let sq = 0;
  let wrongExact = 0;
  for (let i = 0; i < W * frame.height; i++) {
    if (client.display.lossy[i]) {
      lossy++;
      for (let c = 0; c < 3; c++) {
        const d = got[i * 4 + c]! - want[i * 4 + c]!;
        abs += Math.abs(d);
        sq += d * d;
      }
    } else if (got[i * 4] !== want[i * 4] || got[i * 4 + 1] !== want[i * 4 + 1] || got[i * 4 + 2] !== want[i * 4 + 2]) {
      wrongExact++;
    }
  }
  const mse = sq / Math.max(1, lossy * 3);
  return { lossy, mae: abs / Math.max(1, lossy * 3), psnr: 10 * Math.log10((255 * 255) / Math.max(mse, 1e-9)), wrongExact };
}

async function throughManager(list: number[], frame: Frame, pf: PixelFormat = NOVNC_FORMAT): Promise<{ client: NoVncClient; stats: RectStats[] }> {
  const state = createEncoderState();
  const m = new EncodeManager(state);
  m.setConverter(new PixelConverter(pf));
  m.setEncodings(list);
  const out = new ByteWriter();
  const stats: RectStats[] = [];
  const n = await m.encodeRects(frame, [{ x: 0, y: 0, w: frame.width, h: frame.height }], [], out, (s) => stats.push(s));
  const client = await NoVncClient.create(frame.width, frame.height);
  client.decodeRects(out.view(), n, { chunk: 8191 });
  state.close();
  return { client, stats };
}

/** The text panel, but for the 16-pixel blocks its edges share with the photo (those may go either way), never went through JPEG. */
function panelIsExact(client: NoVncClient, frame: Frame): void {
  const edge = textPanel(frame.width, frame.height);
  const p: Rect = { x: edge.x + 15, y: edge.y + 15, w: edge.w - 30, h: edge.h - 30 };
  for (let y = p.y; y < p.y + p.h; y++) {
    expect(client.display.lossy.subarray(y * frame.width + p.x, y * frame.width + p.x + p.w).some((v) => v !== 0), `text panel row ${y} went through JPEG`).toBe(false);
  }
}

describe('Tight JPEG decoded by noVNC', () => {
  const frame = photoFrame(640, 360, 3);

  it('quality 8: the photo as JPEG within mean error 3 and PSNR 36 dB; the text panel and title bar exact', async () => {
    const { client, stats } = await throughManager([Encoding.Tight, quality(8)], frame);
    expect(stats.every((s) => s.encoding === Encoding.Tight)).toBe(true);
    expect(client.display.images.jpeg).toBeGreaterThan(0);
    const r = compare(client, frame);
    expect(r.lossy).toBeGreaterThan(640 * 360 * 0.3);
    expect(r.wrongExact).toBe(0);
    expect(r.mae).toBeLessThanOrEqual(3);
    expect(r.psnr).toBeGreaterThanOrEqual(36);
    panelIsExact(client, frame);
  });

  it('quality 0 costs fewer bytes and more error than quality 9; both stay within their bounds', async () => {
    const low = await throughManager([Encoding.Tight, quality(0)], frame);
    const high = await throughManager([Encoding.Tight, quality(9)], frame);
    const bytes = (s: RectStats[]): number => s.reduce((a, x) => a + x.bytes, 0);
    expect(bytes(low.stats)).toBeLessThan(bytes(high.stats) / 2);
    const lo = compare(low.client, frame);
    const hi = compare(high.client, frame);
    expect(lo.wrongExact + hi.wrongExact).toBe(0);
    expect(lo.psnr).toBeLessThan(hi.psnr);
    expect(lo.psnr).toBeGreaterThanOrEqual(25);
    expect(hi.mae).toBeLessThanOrEqual(1.5);
  });

  it('grey subsampling sends luminance only', async () => {
    const { client } = await throughManager([Encoding.Tight, -512 + 90, -768 + 3], frame);
    expect(client.display.images.jpeg).toBeGreaterThan(0);
    const rgba = client.display.rgba;
    let coloured = 0;
    for (let i = 0; i < frame.width * frame.height; i++) {
      if (client.display.lossy[i] && (rgba[i * 4] !== rgba[i * 4 + 1] || rgba[i * 4 + 1] !== rgba[i * 4 + 2])) coloured++;
    }
    expect(coloured).toBe(0);
  });

  it('every 32 bpp depth-24 byte layout decodes within the bounds (pixels handed to libjpeg as they lie)', async () => {
    const layouts: PixelFormat[] = [
      NOVNC_FORMAT,
      { ...NOVNC_FORMAT, redShift: 16, blueShift: 0 },
      { ...NOVNC_FORMAT, bigEndian: true, redShift: 24, greenShift: 16, blueShift: 8 },
      { ...NOVNC_FORMAT, bigEndian: true, redShift: 8, greenShift: 16, blueShift: 24 },
    ];
    for (const pf of layouts) {
      const { client } = await throughManager([Encoding.Tight, quality(8)], frame, pf);
      const r = compare(client, frame);
      expect(client.display.images.jpeg, JSON.stringify(pf)).toBeGreaterThan(0);
      expect(r.wrongExact, JSON.stringify(pf)).toBe(0);
      expect(r.mae, JSON.stringify(pf)).toBeLessThanOrEqual(3);
    }
  });

  it('sends no JPEG to a 16 bpp client, whatever the quality', async () => {
    const pf: PixelFormat = { ...NATIVE_FORMAT, bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 };
    const enc = new TightEncoder();
    enc.setEncodings([Encoding.Tight, quality(8)]);
    const conv = new PixelConverter(pf);
    const state = createEncoderState();
    const r = { x: 0, y: 100, w: 200, h: 100 };
    const out = new ByteWriter();
    expect(await encodeInto(enc, { rect: r, pixels: conv.convertRect(frame, r), converter: conv, state }, out)).toBe(true);
    expect(out.view()[0]! >> 4).not.toBe(0x9);
    state.close();
  });
});

describe('TightPNG decoded by noVNC', () => {
  const frame = photoFrame(480, 270, 5);

  it('lossless: fills and PNG images only, every pixel exact', async () => {
    const { client, stats } = await throughManager([Encoding.TightPNG], frame);
    expect(stats.every((s) => s.encoding === Encoding.TightPNG)).toBe(true);
    expect(client.display.images.png).toBeGreaterThan(0);
    expect(client.display.images.jpeg).toBe(0);
    expect(compare(client, frame).wrongExact).toBe(0);
  });

  it('with quality 8: JPEG for the photo within the bounds, PNG and fills exact', async () => {
    const { client } = await throughManager([Encoding.TightPNG, quality(8)], frame);
    expect(client.display.images.jpeg).toBeGreaterThan(0);
    expect(client.display.images.png).toBeGreaterThan(0);
    const r = compare(client, frame);
    expect(r.wrongExact).toBe(0);
    expect(r.mae).toBeLessThanOrEqual(3);
    panelIsExact(client, frame);
  });

  it('leaves formats without 8-bit channels to Raw', async () => {
    const pf: PixelFormat = { ...NATIVE_FORMAT, bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 };
    const state = createEncoderState();
    const m = new EncodeManager(state);
    m.setConverter(new PixelConverter(pf));
    m.setEncodings([Encoding.TightPNG]);
    const stats: RectStats[] = [];
    await m.encodeRects(frame, [{ x: 0, y: 0, w: 100, h: 100 }], [], new ByteWriter(), (s) => stats.push(s));
    expect(stats.every((s) => s.encoding === Encoding.Raw || s.encoding === Encoding.TightPNG)).toBe(true);
    expect(stats.some((s) => s.encoding === Encoding.Raw)).toBe(true);
    state.close();
  });
});

describe('without libjpeg-turbo', () => {
  it('a failed load is logged and gives no library', async () => {
    const lines = captureLogs('warn');
    expect(
      loadJpegLibrary(() => {
        throw new Error('no prebuilt binary for this platform');
      }),
    ).toBeNull();
    // The logger is loaded for the warning, so it comes a moment later.
    const logged = () => lines.some((l) => String(l['msg']).includes('libjpeg-turbo could not be loaded'));
    for (let i = 0; i < 100 && !logged(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(logged()).toBe(true);
  });

  it('Tight stays lossless whatever the quality, and noVNC shows every pixel exactly', async () => {
    const frame = photoFrame(320, 180, 9);
    const enc = new TightEncoder({ jpegLibrary: () => null });
    const state = createEncoderState();
    const m = new EncodeManager(state, [...createEncoders().filter((e) => e.encoding !== Encoding.Tight), enc]);
    m.setConverter(new PixelConverter(NOVNC_FORMAT));
    m.setEncodings([Encoding.Tight, quality(8)]);
    const out = new ByteWriter();
    const n = await m.encodeRects(frame, [{ x: 0, y: 0, w: 320, h: 180 }], [], out);
    const client = await NoVncClient.create(320, 180);
    client.decodeRects(out.view(), n);
    expect(client.display.images.jpeg).toBe(0);
    expect(compare(client, frame).wrongExact).toBe(0);
    state.close();
  });
});

const fineQuality = (q: number): number => -512 + q;

describe('lowering the JPEG quality in a SetEncodings list', () => {
  it('lowers the level by one a step, to level 2 or five below what was asked, whichever is higher', () => {
    const list = [Encoding.Tight, quality(8), PseudoEncoding.Fence];
    expect(jpegQualityRoom(list)).toBe(5); // 8 → 3
    expect(lowerJpegQuality(list, 2)).toEqual([Encoding.Tight, quality(6), PseudoEncoding.Fence]);
    expect(lowerJpegQuality(list, 9)).toEqual([Encoding.Tight, quality(3), PseudoEncoding.Fence]);
    expect(lowerJpegQuality(list, 0)).toEqual(list);
    expect(jpegQualityRoom([quality(6)])).toBe(4); // 6 → 2
    expect(jpegQualityRoom([quality(2)])).toBe(0);
    expect(jpegQualityRoom([quality(1)])).toBe(0); // below the floor already: never lower
    expect(lowerJpegQuality([quality(1)], 3)).toEqual([quality(1)]);
    expect(jpegQualityRoom([Encoding.Tight, PseudoEncoding.Fence])).toBe(0); // no JPEG asked
    expect(jpegSettingsFrom(lowerJpegQuality(list, 5))).toEqual(jpegSettingsFrom([quality(3)]));
  });

  it('lowers a fine quality by ten a step and leaves the first entries of each kind the ones that count', () => {
    const list = [Encoding.Tight, fineQuality(85), quality(9), quality(2)];
    expect(jpegQualityRoom(list)).toBe(5); // by the level: 9 → 4
    const lowered = lowerJpegQuality(list, 3);
    expect(lowered).toEqual([Encoding.Tight, fineQuality(55), quality(6), quality(2)]);
    expect(jpegSettingsFrom(lowered)!.quality).toBe(55);
    expect(jpegQualityRoom([fineQuality(85)])).toBe(5); // 85 → 35
    expect(lowerJpegQuality([fineQuality(85)], 7)).toEqual([fineQuality(35)]);
    expect(jpegQualityOf([fineQuality(85)])).toEqual({ scale: 'fine', value: 85 });
    expect(jpegQualityOf(lowered)).toEqual({ scale: 'level', value: 6 });
    expect(jpegQualityOf([Encoding.Tight])).toBeNull();
  });
});
