import { describe, expect, it } from 'vitest';
import { FrameBuffer } from '../../src/renderer/player/frame-buffer.js';
import { ReceiveQueue } from '../../src/renderer/player/receive-queue.js';
import { applyKeyframe, applyUpdate, type DecoderTable } from '../../src/renderer/player/update-decoder.js';

// noVNC's logging module reads window.console as it loads; in Node the global object stands in.
(globalThis as { window?: unknown }).window ??= globalThis;
const { createNoVncDecoders } = await import('../../src/renderer/player/novnc-decoders.js');

/**
 * The player's two adapters (receive queue, picture) under noVNC's real
 * decoders, fed updates built here byte by byte from RFC 6143, and compared
 * with pictures worked out here independently.
 */

type Rgb = [number, number, number];

/** A FramebufferUpdate from rectangles (header fields + payload). */
function update(rects: Array<{ x: number; y: number; w: number; h: number; enc: number; body?: number[] }>): Uint8Array {
  const out: number[] = [0, 0, rects.length >> 8, rects.length & 255];
  const u16 = (v: number) => out.push((v >> 8) & 255, v & 255);
  for (const r of rects) {
    u16(r.x);
    u16(r.y);
    u16(r.w);
    u16(r.h);
    const e = r.enc >>> 0;
    out.push(e >>> 24, (e >>> 16) & 255, (e >>> 8) & 255, e & 255);
    out.push(...(r.body ?? []));
  }
  return Uint8Array.from(out);
}

/** Raw pixels in the recording's format: R, G, B, X (X deliberately not 255). */
const raw = (w: number, h: number, px: (x: number, y: number) => Rgb) =>
  Array.from({ length: w * h }, (_, i) => [...px(i % w, Math.floor(i / w)), 0x5a]).flat();

function pixel(fb: FrameBuffer, x: number, y: number): number[] {
  const o = (y * fb.width + x) * 4;
  return [...fb.data.subarray(o, o + 4)];
}

/** Every pixel against `expect`, reporting the first few differences. */
function expectPicture(fb: FrameBuffer, expectPx: (x: number, y: number) => Rgb): void {
  const bad: string[] = [];
  for (let y = 0; y < fb.height; y++) {
    for (let x = 0; x < fb.width; x++) {
      const want = [...expectPx(x, y), 255];
      const got = pixel(fb, x, y);
      if (want.some((v, i) => v !== got[i]) && bad.length < 5) bad.push(`${x},${y}: ${got} ≠ ${want}`);
    }
  }
  expect(bad).toEqual([]);
}

const gradient = (x: number, y: number): Rgb => [(x * 16) & 255, (y * 16) & 255, (x * 7 + y * 3) & 255];

describe("noVNC's decoders drawing the player's picture", () => {
  let decoders: DecoderTable;
  const fresh = () => (decoders = createNoVncDecoders());

  it('Raw: the bytes as they are, made opaque', () => {
    fresh();
    const fb = new FrameBuffer(8, 6);
    applyUpdate(update([{ x: 0, y: 0, w: 8, h: 6, enc: 0, body: raw(8, 6, gradient) }]), fb, decoders);
    expectPicture(fb, gradient);
  });

  it('CopyRect: copies as from the picture before the copy, overlapping downwards and to the right', () => {
    fresh();
    const fb = new FrameBuffer(8, 6);
    applyUpdate(update([{ x: 0, y: 0, w: 8, h: 6, enc: 0, body: raw(8, 6, gradient) }]), fb, decoders);
    // Move the 5×4 block at (1,1) by (+2, +1): source and destination overlap.
    applyUpdate(update([{ x: 3, y: 2, w: 5, h: 4, enc: 1, body: [0, 1, 0, 1] }]), fb, decoders);
    expectPicture(fb, (x, y) => (x >= 3 && y >= 2 ? gradient(x - 2, y - 1) : gradient(x, y)));
    // And back up-left, overlapping the other way.
    const before = Uint8ClampedArray.from(fb.data);
    applyUpdate(update([{ x: 0, y: 0, w: 6, h: 5, enc: 1, body: [0, 2, 0, 1] }]), fb, decoders);
    const was = (x: number, y: number): Rgb => {
      const o = (y * 8 + x) * 4;
      return [before[o]!, before[o + 1]!, before[o + 2]!];
    };
    expectPicture(fb, (x, y) => (x < 6 && y < 5 ? was(x + 2, y + 1) : was(x, y)));
  });

  it('Hextile: background, foreground, coloured subrectangles and raw tiles, across a tile edge', () => {
    fresh();
    const fb = new FrameBuffer(20, 18);
    const red: Rgb = [200, 10, 20];
    const blue: Rgb = [5, 6, 220];
    const green: Rgb = [0, 180, 0];
    // 20×18 is 2×2 tiles: 16×16, 4×16, 16×2, 4×2.
    const body = [
      // tile 1: background red (2) | foreground blue (4) | subrects (8): one 3×2 at (1,1), one 1×1 at (15,15)
      0x02 | 0x04 | 0x08, ...red, 0, ...blue, 0, 2, 0x11, 0x21, 0xff, 0x00,
      // tile 2: background carried over (0 = nothing but the background)
      0x00,
      // tile 3: coloured subrectangle (0x10|0x08) on the carried background: green 2×1 at (4,0)
      0x08 | 0x10, 1, ...green, 0, 0x40, 0x10,
      // tile 4: raw 4×2
      0x01, ...raw(4, 2, (x, y) => gradient(16 + x, 16 + y)),
    ];
    applyUpdate(update([{ x: 0, y: 0, w: 20, h: 18, enc: 5, body }]), fb, decoders);
    expectPicture(fb, (x, y) => {
      if (x >= 16 && y >= 16) return gradient(x, y);
      if (x < 16 && y < 16) {
        if ((x >= 1 && x < 4 && y >= 1 && y < 3) || (x === 15 && y === 15)) return blue;
        return red;
      }
      if (y >= 16 && x >= 4 && x < 6 && y === 16) return green;
      return red;
    });
  });

  it('DesktopSize resizes, keeping the top-left; a keyframe of another size takes its size', () => {
    fresh();
    const fb = new FrameBuffer(8, 6);
    applyUpdate(update([{ x: 0, y: 0, w: 8, h: 6, enc: 0, body: raw(8, 6, gradient) }]), fb, decoders);
    applyUpdate(update([{ x: 0, y: 0, w: 10, h: 4, enc: -223 }]), fb, decoders);
    expect([fb.width, fb.height]).toEqual([10, 4]);
    expectPicture(fb, (x, y) => (x < 8 ? gradient(x, y) : [0, 0, 0]));
    applyKeyframe(3, 2, update([{ x: 0, y: 0, w: 3, h: 2, enc: 0, body: raw(3, 2, gradient) }]), fb, decoders);
    expect([fb.width, fb.height]).toEqual([3, 2]);
    expectPicture(fb, gradient);
  });

  it('refuses damaged updates rather than drawing wrongly', () => {
    fresh();
    const fb = new FrameBuffer(8, 6);
    const full = update([{ x: 0, y: 0, w: 8, h: 6, enc: 0, body: raw(8, 6, gradient) }]);
    expect(() => applyUpdate(full.subarray(0, full.length - 3), fb, createNoVncDecoders())).toThrow(/ends inside rectangle 1 of 1/);
    expect(() => applyUpdate(update([{ x: 0, y: 0, w: 8, h: 6, enc: 16 }]), fb, decoders)).toThrow(/encoding 16/);
    expect(() => applyUpdate(update([{ x: 4, y: 4, w: 8, h: 6, enc: 0, body: raw(8, 6, gradient) }]), fb, decoders)).toThrow(/outside the 8×6 picture/);
    expect(() => applyUpdate(Uint8Array.of(2, 0, 0, 0), fb, decoders)).toThrow(/not a FramebufferUpdate/);
  });
});

describe("the receive queue noVNC's decoders read", () => {
  it('reads big-endian numbers, peeks, waits and steps back as Websock does', () => {
    const q = new ReceiveQueue(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
    expect(q.rQpeek8()).toBe(1);
    expect(q.rQshift8()).toBe(1);
    expect(q.rQshift16()).toBe(0x0203);
    expect(q.rQshift32()).toBe(0x04050607);
    expect(q.rQwait('x', 2)).toBe(false);
    expect(q.rQwait('x', 3, 2)).toBe(true); // not enough: steps back 2
    expect(q.offset).toBe(5);
    expect([...q.rQpeekBytes(2)]).toEqual([6, 7]);
    const view = q.rQshiftBytes(4, false);
    view[0] = 99; // a view writes through, as the decoders rely on
    expect(q.remaining).toBe(0);
    expect(() => q.rQshift8()).toThrow(RangeError);
  });
});
