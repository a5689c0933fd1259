import { describe, expect, it } from 'vitest';
import { areaOf, changedArea } from '../../../src/renderer/capture/changed-area.js';
import { parseRawFrame, applyRawFrame, type RawFrame } from '../../../src/main/electron/capture/capture-frame.js';
import type { CaptureFrameMessage } from '../../../src/shared/capture-contract.js';

/** An I420 frame whose every byte is a function of its plane, row and column (a change shows wherever it is). */
function i420(width: number, height: number, mark?: { plane: number; row: number; col: number }): CaptureFrameMessage {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const sizes = [width * height, cw * ch, cw * ch];
  const data = new Uint8Array(sizes[0]! + sizes[1]! + sizes[2]!);
  const planes = [
    { offset: 0, stride: width },
    { offset: sizes[0]!, stride: cw },
    { offset: sizes[0]! + sizes[1]!, stride: cw },
  ];
  planes.forEach((p, i) => {
    const rows = i === 0 ? height : ch;
    const cols = i === 0 ? width : cw;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[p.offset + r * p.stride + c] = (16 + ((r * 7 + c * 3 + i * 50) % 200)) & 0xff;
  });
  if (mark) data[planes[mark.plane]!.offset + mark.row * planes[mark.plane]!.stride + mark.col] ^= 0x55;
  return { width, height, format: 'i420', stride: width, planes, colorSpace: { matrix: 'smpte170m', fullRange: false }, data: data.buffer };
}

describe('changedArea / areaOf', () => {
  it('finds no change, a rectangle on even rows and columns, or the whole frame', () => {
    const a = i420(64, 48);
    expect(changedArea(a, i420(64, 48))).toEqual({ kind: 'none' });
    expect(changedArea(a, i420(64, 48, { plane: 0, row: 21, col: 5 }))).toEqual({ kind: 'area', top: 20, bottom: 22, left: 4, right: 6 });
    // A chroma sample stands for two luma rows and two luma columns.
    expect(changedArea(a, i420(64, 48, { plane: 2, row: 7, col: 3 }))).toEqual({ kind: 'area', top: 14, bottom: 16, left: 6, right: 8 });
    expect(changedArea(null, a)).toEqual({ kind: 'all' });
    expect(changedArea(a, i420(64, 50))).toEqual({ kind: 'all' });
  });

  it('spans every change, in any plane', () => {
    const a = i420(64, 48);
    const b = i420(64, 48, { plane: 0, row: 3, col: 40 });
    new Uint8Array(b.data)[b.planes![1]!.offset + 20 * b.planes![1]!.stride + 2] ^= 0x11;
    expect(changedArea(a, b)).toEqual({ kind: 'area', top: 2, bottom: 42, left: 4, right: 42 });
  });

  it('sends an area main lays over the frame it has, giving the same picture as the whole frame would', () => {
    const a = i420(64, 48);
    const b = i420(64, 48, { plane: 1, row: 12, col: 9 });
    new Uint8Array(b.data)[30 * 64 + 41] ^= 0x22;
    const change = changedArea(a, b);
    expect(change).toEqual({ kind: 'area', top: 24, bottom: 32, left: 18, right: 42 });
    if (change.kind !== 'area') return;
    const band = areaOf(b, change.top, change.bottom, change.left, change.right);
    expect(band.data.byteLength).toBeLessThan(b.data.byteLength / 4);
    const whole = applyRawFrame(parseRawFrame(b) as RawFrame, null).frame;
    const first = applyRawFrame(parseRawFrame(a) as RawFrame, null).frame;
    const parsed = parseRawFrame(band);
    expect(typeof parsed, String(parsed)).toBe('object');
    const { changed } = applyRawFrame(parsed as RawFrame, first);
    expect(Array.from(first.pixels)).toEqual(Array.from(whole.pixels));
    // Reported on the tile grid: every changed tile holds some of the band's rows.
    expect(changed.every((r) => r.y < change.bottom && r.y + r.h > change.top)).toBe(true);
    expect(changed.length).toBeGreaterThan(0);
  });

  it('refuses a band that does not fit its frame', () => {
    const band = areaOf(i420(64, 48), 20, 24, 8, 24);
    expect(parseRawFrame({ ...band, top: 21 })).toMatch(/bad band/);
    expect(parseRawFrame({ ...band, top: 46 })).toMatch(/bad band/);
    expect(parseRawFrame({ ...band, rows: 30 })).toMatch(/bad band/);
    expect(parseRawFrame({ ...band, rows: 8 })).toMatch(/too short/);
    expect(parseRawFrame({ ...band, left: 7 })).toMatch(/bad band of columns/);
    expect(parseRawFrame({ ...band, cols: 60 })).toMatch(/bad band of columns/);
    expect(parseRawFrame({ ...band, cols: 20 })).toMatch(/stride of plane 0/);
  });
});

/** A BGRA frame, 4 bytes a pixel, with one pixel changed where `mark` says. */
function bgra(width: number, height: number, mark?: { x: number; y: number }): CaptureFrameMessage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = (i * 7) & 0xff;
    data[i * 4 + 1] = (i * 13) & 0xff;
    data[i * 4 + 2] = (i * 3) & 0xff;
    data[i * 4 + 3] = 255;
  }
  if (mark) data[(mark.y * width + mark.x) * 4 + 1] ^= 0x40;
  return { width, height, format: 'bgra', stride: width * 4, data: data.buffer };
}

describe('changedArea / areaOf on RGB frames', () => {
  it('cuts a BGRA frame the same way, and main lays the piece over its frame exactly', () => {
    const a = bgra(96, 64);
    const b = bgra(96, 64, { x: 51, y: 33 });
    new Uint8Array(b.data)[(40 * 96 + 70) * 4] ^= 0x01;
    const change = changedArea(a, b);
    expect(change).toEqual({ kind: 'area', top: 32, bottom: 42, left: 50, right: 72 });
    if (change.kind !== 'area') return;
    const piece = areaOf(b, change.top, change.bottom, change.left, change.right);
    expect(piece.data.byteLength).toBe(10 * 22 * 4);
    const whole = applyRawFrame(parseRawFrame(b) as RawFrame, null).frame;
    const frame = applyRawFrame(parseRawFrame(a) as RawFrame, null).frame;
    const parsed = parseRawFrame(piece);
    expect(typeof parsed, String(parsed)).toBe('object');
    const { changed } = applyRawFrame(parsed as RawFrame, frame, 16);
    expect(Array.from(frame.pixels)).toEqual(Array.from(whole.pixels));
    expect(changed).toEqual([{ x: 48, y: 32, w: 32, h: 16 }]);
    expect(changedArea(b, { ...b, data: b.data.slice(0) })).toEqual({ kind: 'none' });
  });
});
