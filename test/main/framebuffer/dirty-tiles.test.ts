import { describe, expect, it } from 'vitest';
import { DirtyTiles } from '../../../src/main/framebuffer/dirty-tiles.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';
import { prng } from '../../support/prng.js';

function cover(w: number, h: number, rects: Rect[]): Uint8Array {
  const m = new Uint8Array(w * h);
  for (const r of rects) {
    for (let y = r.y; y < Math.min(h, r.y + r.h); y++) for (let x = r.x; x < Math.min(w, r.x + r.w); x++) m[y * w + x]++;
  }
  return m;
}

describe('DirtyTiles', () => {
  it('returns a full-screen change as one rectangle', () => {
    const d = new DirtyTiles(1920, 1080);
    d.markAll();
    expect(d.take({ x: 0, y: 0, w: 1920, h: 1080 })).toEqual([{ x: 0, y: 0, w: 1920, h: 1080 }]);
    expect(d.empty).toBe(true);
  });

  it('keeps a small change small', () => {
    const d = new DirtyTiles(640, 480);
    d.mark({ x: 100, y: 50, w: 8, h: 16 });
    expect(d.take({ x: 0, y: 0, w: 640, h: 480 })).toEqual([{ x: 100, y: 50, w: 8, h: 16 }]);
  });

  it('covers every marked pixel exactly once, without overlaps, for random marks', () => {
    const rand = prng(7);
    for (let round = 0; round < 50; round++) {
      const w = 100 + Math.floor(rand() * 300);
      const h = 100 + Math.floor(rand() * 300);
      const d = new DirtyTiles(w, h);
      const marked: Rect[] = [];
      for (let i = 0; i < 1 + rand() * 6; i++) {
        const r = { x: Math.floor(rand() * w), y: Math.floor(rand() * h), w: 1 + Math.floor(rand() * 150), h: 1 + Math.floor(rand() * 150) };
        d.mark(r);
        marked.push(r);
      }
      const out = d.take({ x: 0, y: 0, w, h });
      const got = cover(w, h, out);
      const want = cover(w, h, marked);
      let twice = 0;
      let missed = 0;
      for (let i = 0; i < got.length; i++) {
        if (got[i]! > 1) twice++;
        if (want[i] && got[i] !== 1) missed++;
      }
      expect({ twice, missed }).toEqual({ twice: 0, missed: 0 });
      expect(d.empty).toBe(true);
    }
  });

  it('clips to the requested area', () => {
    const d = new DirtyTiles(256, 256);
    d.markAll();
    expect(d.take({ x: 10, y: 20, w: 30, h: 40 })).toEqual([{ x: 10, y: 20, w: 30, h: 40 }]);
  });
});

describe('DirtyTiles.overlapping', () => {
  it('gives the pending boxes that overlap a rectangle, clipped to it, one a tile', () => {
    const d = new DirtyTiles(256, 128);
    expect(d.overlapping({ x: 0, y: 0, w: 256, h: 128 })).toEqual([]);
    d.mark({ x: 10, y: 60, w: 100, h: 10 }); // rows 60..70: across tile rows 0 and 1, tile columns 0 and 1
    d.mark({ x: 200, y: 100, w: 20, h: 20 }); // far away
    const got = d.overlapping({ x: 0, y: 64, w: 128, h: 64 });
    expect(got).toEqual([
      { x: 10, y: 64, w: 54, h: 6 },
      { x: 64, y: 64, w: 46, h: 6 },
    ]);
    expect(d.overlapping({ x: 120, y: 0, w: 70, h: 128 })).toEqual([]);
    // nothing is taken: the boxes are still pending
    expect(d.empty).toBe(false);
  });
});
