import { describe, expect, it } from 'vitest';
import { describeYuvColor, YuvTables, yuvColorOf, yuvPixel, type YuvColor } from '../../../src/main/framebuffer/yuv-to-rgb.js';

/**
 * Checked against the code values the standards publish for 100 % colour
 * bars (ITU-R BT.601 and BT.709 in 8-bit limited range, as in SMPTE RP 219
 * and EBU Tech 3325; JFIF's full-range BT.601), not against our own forward
 * conversion.
 */
type Bar = { rgb: number; yuv: [number, number, number] };
const BT601_LIMITED: Bar[] = [
  { rgb: 0xffffff, yuv: [235, 128, 128] },
  { rgb: 0x000000, yuv: [16, 128, 128] },
  { rgb: 0xff0000, yuv: [81, 90, 240] },
  { rgb: 0x00ff00, yuv: [145, 54, 34] },
  { rgb: 0x0000ff, yuv: [41, 240, 110] },
  { rgb: 0xffff00, yuv: [210, 16, 146] },
  { rgb: 0x00ffff, yuv: [170, 166, 16] },
  { rgb: 0xff00ff, yuv: [106, 202, 222] },
];
const BT709_LIMITED: Bar[] = [
  { rgb: 0xffffff, yuv: [235, 128, 128] },
  { rgb: 0xff0000, yuv: [63, 102, 240] },
  { rgb: 0x00ff00, yuv: [173, 42, 26] },
  { rgb: 0x0000ff, yuv: [32, 240, 118] },
  { rgb: 0xffff00, yuv: [219, 16, 138] },
  { rgb: 0x00ffff, yuv: [188, 154, 16] },
  { rgb: 0xff00ff, yuv: [78, 214, 230] },
];
const BT601_FULL: Bar[] = [
  { rgb: 0xffffff, yuv: [255, 128, 128] },
  { rgb: 0x000000, yuv: [0, 128, 128] },
  { rgb: 0xff0000, yuv: [76, 85, 255] },
  { rgb: 0x00ff00, yuv: [150, 44, 21] },
  { rgb: 0x0000ff, yuv: [29, 255, 107] },
];

function worst(color: YuvColor, bars: Bar[]): number {
  const t = new YuvTables(color);
  let w = 0;
  for (const { rgb, yuv } of bars) {
    const p = yuvPixel(t, ...yuv);
    for (const s of [16, 8, 0]) w = Math.max(w, Math.abs(((p >> s) & 0xff) - ((rgb >> s) & 0xff)));
  }
  return w;
}

describe('YUV → RGB', () => {
  it('gives the colour bars back within 2 steps for each matrix and range', () => {
    expect(worst({ matrix: 'bt601', fullRange: false }, BT601_LIMITED)).toBeLessThanOrEqual(2);
    expect(worst({ matrix: 'bt709', fullRange: false }, BT709_LIMITED)).toBeLessThanOrEqual(2);
    expect(worst({ matrix: 'bt601', fullRange: true }, BT601_FULL)).toBeLessThanOrEqual(2);
  });

  it('misses by far more with the wrong matrix or range', () => {
    expect(worst({ matrix: 'bt601', fullRange: false }, BT709_LIMITED)).toBeGreaterThan(15);
    expect(worst({ matrix: 'bt709', fullRange: false }, BT601_LIMITED)).toBeGreaterThan(15);
    expect(worst({ matrix: 'bt601', fullRange: true }, BT601_LIMITED)).toBeGreaterThan(15);
  });

  it('reads the matrix and range from a WebCodecs colour space, and says when it had to assume', () => {
    expect(yuvColorOf({ matrix: 'smpte170m', fullRange: false })).toEqual({ color: { matrix: 'bt601', fullRange: false }, known: true });
    expect(yuvColorOf({ matrix: 'bt709', fullRange: true })).toEqual({ color: { matrix: 'bt709', fullRange: true }, known: true });
    expect(yuvColorOf({ matrix: 'bt2020-ncl', fullRange: false }).color.matrix).toBe('bt2020');
    expect(yuvColorOf({ matrix: 'rgb', fullRange: true })).toEqual({ color: { matrix: 'bt601', fullRange: true }, known: false });
    expect(yuvColorOf(null)).toEqual({ color: { matrix: 'bt601', fullRange: false }, known: false });
    expect(describeYuvColor({ matrix: 'bt709', fullRange: false })).toBe('BT.709, limited range');
  });

  it('clamps what falls outside the RGB cube', () => {
    const t = new YuvTables({ matrix: 'bt601', fullRange: false });
    // Limited-range luma above 235 and below 16 is whiter than white and blacker than black.
    expect(yuvPixel(t, 255, 128, 128)).toBe(0xffffff);
    expect(yuvPixel(t, 0, 0, 0) >>> 24).toBe(0);
    expect((yuvPixel(t, 255, 128, 255) >> 16) & 0xff).toBe(255);
    expect(yuvPixel(t, 0, 128, 128)).toBe(0);
  });
});
