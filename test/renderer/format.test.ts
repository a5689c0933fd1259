import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatEncodingUsage,
  formatEndpoint,
  formatFps,
  formatMs,
  formatPixelFormatShort,
  formatRate,
  formatRatio,
} from '../../src/renderer/format.js';
import type { PixelFormatInfo } from '../../src/shared/control-contract.js';

describe('renderer formatting', () => {
  it('formats bytes in binary units without four-digit values', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(20 * 1024)).toBe('20 KB');
    expect(formatBytes(1023 * 1024)).toBe('1.0 MB');
    expect(formatBytes(5.25 * 1024 ** 3)).toBe('5.3 GB');
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('describes what each encoding carried, in the order given', () => {
    expect(
      formatEncodingUsage([
        { encoding: 'ZRLE', rectangles: 340, bytes: 1.2 * 1024 * 1024 },
        { encoding: 'CopyRect', rectangles: 1, bytes: 16 },
      ]),
    ).toBe('ZRLE: 1.2 MB in 340 rectangles; CopyRect: 16 B in 1 rectangle');
    expect(formatEncodingUsage([])).toBe('');
  });

  it('formats rates, frame rates, durations and ratios', () => {
    expect(formatRate(1.2 * 1024 * 1024)).toBe('1.2 MB/s');
    expect(formatRate(null)).toBe('—');
    expect(formatFps(29.84)).toBe('29.8 fps');
    expect(formatFps(null)).toBe('—');
    expect(formatMs(0.4213)).toBe('0.42 ms');
    expect(formatMs(3.14)).toBe('3.1 ms');
    expect(formatMs(120.4)).toBe('120 ms');
    expect(formatMs(null)).toBe('—');
    expect(formatRatio(12.34)).toBe('12.3:1');
    expect(formatRatio(250.6)).toBe('251:1');
    expect(formatRatio(null)).toBe('—');
    expect(formatRatio(0)).toBe('—');
  });

  it('says how long ago, never in the future', () => {
    const now = 1_700_000_000_000;
    expect(formatAgo(now, now)).toBe('just now');
    expect(formatAgo(now + 3000, now)).toBe('just now');
    expect(formatAgo(now - 45_000, now)).toBe('45 s ago');
    expect(formatAgo(now - 125_000, now)).toBe('2 min ago');
    expect(formatAgo(now - 3 * 3600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - (3 * 3600_000 + 5 * 60_000), now)).toBe('3 h 5 min ago');
    expect(formatAgo(now - 50 * 3600_000, now)).toBe('2 d ago');
  });

  it('writes endpoints with IPv6 hosts in brackets', () => {
    expect(formatEndpoint({ host: '127.0.0.1', port: 5900 })).toBe('127.0.0.1:5900');
    expect(formatEndpoint({ host: '::1', port: 5900 })).toBe('[::1]:5900');
  });

  it('shortens pixel formats', () => {
    const pf: PixelFormatInfo = {
      bitsPerPixel: 16,
      depth: 16,
      bigEndian: false,
      trueColour: true,
      redMax: 31,
      greenMax: 63,
      blueMax: 31,
      redShift: 11,
      greenShift: 5,
      blueShift: 0,
      summary: '16 bpp, depth 16, RGB565 little-endian',
    };
    expect(formatPixelFormatShort(pf)).toEqual(['RGB565', '16 bpp']);
    expect(formatPixelFormatShort({ ...pf, bitsPerPixel: 8, trueColour: false })).toEqual(['Palette', '8 bpp']);
  });
});
