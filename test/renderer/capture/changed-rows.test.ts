import { describe, expect, it } from 'vitest';
import { changedRows, rowsOf } from '../../../src/renderer/capture/changed-rows.js';
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

describe('changedRows / rowsOf', () => {
  it('finds no change, a band on even rows, or the whole frame', () => {
    const a = i420(64, 48);
    expect(changedRows(a, i420(64, 48))).toEqual({ kind: 'none' });
    expect(changedRows(a, i420(64, 48, { plane: 0, row: 21, col: 5 }))).toEqual({ kind: 'rows', top: 20, bottom: 22 });
    // A chroma row stands for two luma rows.
    expect(changedRows(a, i420(64, 48, { plane: 2, row: 7, col: 3 }))).toEqual({ kind: 'rows', top: 14, bottom: 16 });
    expect(changedRows(null, a)).toEqual({ kind: 'all' });
    expect(changedRows(a, i420(64, 50))).toEqual({ kind: 'all' });
  });

  it('sends a band main lays over the frame it has, giving the same picture as the whole frame would', () => {
    const a = i420(64, 48);
    const b = i420(64, 48, { plane: 1, row: 12, col: 9 });
    const change = changedRows(a, b);
    expect(change.kind).toBe('rows');
    if (change.kind !== 'rows') return;
    const band = rowsOf(b, change.top, change.bottom);
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
    const band = rowsOf(i420(64, 48), 20, 24);
    expect(parseRawFrame({ ...band, top: 21 })).toMatch(/bad band/);
    expect(parseRawFrame({ ...band, top: 46 })).toMatch(/bad band/);
    expect(parseRawFrame({ ...band, rows: 30 })).toMatch(/bad band/);
    expect(parseRawFrame({ ...band, rows: 8 })).toMatch(/too short/);
  });
});
