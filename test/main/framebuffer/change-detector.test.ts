import { describe, expect, it } from 'vitest';
import { ChangeDetector } from '../../../src/main/framebuffer/change-detector.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';

function patterned(width: number, height: number, seed = 0): Frame {
  const f = createFrame(width, height);
  for (let i = 0; i < f.pixels.length; i++) f.pixels[i] = (Math.imul(i + seed, 2654435761) >>> 8) & 0xffffff;
  return f;
}

function poke(f: Frame, x: number, y: number, v = 0x123456): void {
  f.pixels[y * f.stride + x] = (f.pixels[y * f.stride + x]! ^ v) & 0xffffff;
}

function fill(f: Frame, r: Rect, v: number): void {
  for (let y = r.y; y < r.y + r.h; y++) f.pixels.fill(v, y * f.stride + r.x, y * f.stride + r.x + r.w);
}

const sortRects = (rs: Rect[]): Rect[] => [...rs].sort((a, b) => a.y - b.y || a.x - b.x);

describe('ChangeDetector', () => {
  it('reports the whole frame on the first call, then nothing while unchanged', () => {
    const d = new ChangeDetector();
    const f = patterned(300, 200);
    expect(d.detect(f)).toEqual([{ x: 0, y: 0, w: 300, h: 200 }]);
    expect(d.detect(f)).toEqual([]);
    expect(d.stats.tilesCompared).toBe(5 * 4);
    expect(d.stats.tilesChanged).toBe(0);
  });

  it('finds a single changed pixel as its (clipped) tile', () => {
    const d = new ChangeDetector();
    const f = patterned(300, 200);
    d.detect(f);
    poke(f, 130, 70);
    expect(d.detect(f)).toEqual([{ x: 128, y: 64, w: 64, h: 64 }]);
    // edge tiles are clipped to the frame
    poke(f, 299, 199);
    expect(d.detect(f)).toEqual([{ x: 256, y: 192, w: 44, h: 8 }]);
    // and the kept copy was updated: no change any more
    expect(d.detect(f)).toEqual([]);
  });

  it('merges horizontally adjacent tiles, then rows with matching spans', () => {
    const d = new ChangeDetector();
    const f = patterned(512, 512);
    d.detect(f);
    // a 3×2-tile block (tiles 1..3, rows 1..2) plus an isolated tile
    fill(f, { x: 70, y: 70, w: 180, h: 100 }, 0xff0000);
    poke(f, 5, 400);
    expect(sortRects(d.detect(f))).toEqual([
      { x: 64, y: 64, w: 192, h: 128 },
      { x: 0, y: 384, w: 64, h: 64 },
    ]);
  });

  it('keeps rows apart when their spans differ', () => {
    const d = new ChangeDetector();
    const f = patterned(256, 256);
    d.detect(f);
    poke(f, 10, 10);
    poke(f, 70, 10);
    poke(f, 10, 70);
    expect(sortRects(d.detect(f))).toEqual([
      { x: 0, y: 0, w: 128, h: 64 },
      { x: 0, y: 64, w: 64, h: 64 },
    ]);
  });

  it('only looks inside the hints and clips answers to them', () => {
    const d = new ChangeDetector();
    const f = patterned(256, 256);
    d.detect(f);
    poke(f, 10, 10); // outside the hint: not seen
    poke(f, 100, 100);
    expect(d.detect(f, [{ x: 96, y: 96, w: 8, h: 8 }])).toEqual([{ x: 96, y: 96, w: 8, h: 8 }]);
    // the unseen change is still there for a full compare
    expect(sortRects(d.detect(f))).toEqual([{ x: 0, y: 0, w: 64, h: 64 }]);
  });

  it('handles hints spanning tiles and overlapping hints in one tile', () => {
    const d = new ChangeDetector();
    const f = patterned(256, 128);
    d.detect(f);
    fill(f, { x: 60, y: 10, w: 10, h: 5 }, 0xabcdef);
    const out = d.detect(f, [
      { x: 50, y: 0, w: 30, h: 20 },
      { x: 55, y: 5, w: 5, h: 40 },
    ]);
    // tile 0 sees both hints (bbox 50..64 × 0..45), tile 1 the first (64..80 × 0..20)
    expect(sortRects(out)).toEqual([
      { x: 50, y: 0, w: 14, h: 45 },
      { x: 64, y: 0, w: 16, h: 20 },
    ]);
    expect(d.detect(f)).toEqual([]);
  });

  it('is exact against a brute-force reference on random frames', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const W = 333;
    const H = 211;
    const d = new ChangeDetector({ tileSize: 32 });
    const f = patterned(W, H, 7);
    const shadow = createFrame(W, H);
    shadow.pixels.set(f.pixels);
    d.detect(f);
    for (let round = 0; round < 40; round++) {
      const changes = rand(6);
      for (let i = 0; i < changes; i++) {
        const r = { x: rand(W), y: rand(H), w: 1 + rand(60), h: 1 + rand(60) };
        r.w = Math.min(r.w, W - r.x);
        r.h = Math.min(r.h, H - r.y);
        fill(f, r, rand(0xffffff));
      }
      const out = d.detect(f);
      // every changed pixel is covered, nothing overlaps, everything lies in the frame
      const covered = new Uint8Array(W * H);
      let overlaps = 0;
      let missed = 0;
      for (const r of out) {
        expect(r.x >= 0 && r.y >= 0 && r.x + r.w <= W && r.y + r.h <= H).toBe(true);
        for (let y = r.y; y < r.y + r.h; y++)
          for (let x = r.x; x < r.x + r.w; x++) {
            if (covered[y * W + x]) overlaps++;
            covered[y * W + x] = 1;
          }
      }
      for (let i = 0; i < W * H; i++) {
        if (f.pixels[i] !== shadow.pixels[i] && !covered[i]) missed++;
      }
      expect({ overlaps, missed }).toEqual({ overlaps: 0, missed: 0 });
      shadow.pixels.set(f.pixels);
      expect(d.detect(f)).toEqual([]);
    }
  });

  it('with hints covering the changes, finds them all and keeps its copy exact', () => {
    let seed = 987;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const W = 257;
    const H = 190;
    const d = new ChangeDetector({ tileSize: 16 });
    const f = patterned(W, H, 3);
    const shadow = createFrame(W, H);
    shadow.pixels.set(f.pixels);
    d.detect(f);
    for (let round = 0; round < 40; round++) {
      const hints: Rect[] = [];
      for (let i = 0; i < 1 + rand(4); i++) {
        const r = { x: rand(W), y: rand(H), w: 1 + rand(40), h: 1 + rand(40) };
        r.w = Math.min(r.w, W - r.x);
        r.h = Math.min(r.h, H - r.y);
        if (rand(3) > 0) fill(f, r, rand(0xffffff)); // some hints are false alarms
        // hints are a little larger than the change, and overlap sometimes
        const dx = rand(5);
        const dy = rand(5);
        hints.push({ x: r.x - dx, y: r.y - dy, w: r.w + dx + rand(6), h: r.h + dy + rand(6) });
      }
      const out = d.detect(f, hints);
      let missed = 0;
      for (let i = 0; i < W * H; i++) {
        if (f.pixels[i] === shadow.pixels[i]) continue;
        const x = i % W;
        const y = Math.floor(i / W);
        if (!out.some((r) => x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h)) missed++;
      }
      expect(missed).toBe(0);
      shadow.pixels.set(f.pixels);
      // the kept copy now equals the frame everywhere
      expect(d.detect(f)).toEqual([]);
    }
  });

  it('respects frame stride', () => {
    const base = patterned(100, 50);
    const stride = 128;
    const pixels = new Uint32Array(stride * 50);
    for (let y = 0; y < 50; y++) pixels.set(base.pixels.subarray(y * 100, y * 100 + 100), y * stride);
    const f: Frame = { width: 100, height: 50, stride, pixels };
    const d = new ChangeDetector();
    d.detect(f);
    pixels[10 * stride + 110] = 0x1; // padding beyond width: ignored
    expect(d.detect(f)).toEqual([]);
    pixels[10 * stride + 90] ^= 0x1;
    expect(d.detect(f)).toEqual([{ x: 64, y: 0, w: 36, h: 50 }]);
  });

  it('starts over after a size change or reset()', () => {
    const d = new ChangeDetector();
    d.detect(patterned(128, 128));
    expect(d.detect(patterned(64, 64))).toEqual([{ x: 0, y: 0, w: 64, h: 64 }]);
    d.reset();
    expect(d.detect(patterned(64, 64))).toEqual([{ x: 0, y: 0, w: 64, h: 64 }]);
    expect(d.detect(patterned(64, 64))).toEqual([]);
  });

  it('returns the hints unchanged (clipped) when disabled', () => {
    const d = new ChangeDetector({ enabled: false });
    const f = patterned(100, 100);
    expect(d.detect(f)).toEqual([{ x: 0, y: 0, w: 100, h: 100 }]);
    expect(d.detect(f, [{ x: 10, y: 10, w: 5, h: 5 }, { x: 90, y: 90, w: 50, h: 50 }])).toEqual([
      { x: 10, y: 10, w: 5, h: 5 },
      { x: 90, y: 90, w: 10, h: 10 },
    ]);
    d.enabled = true;
    expect(d.detect(f)).toEqual([{ x: 0, y: 0, w: 100, h: 100 }]);
    expect(d.detect(f)).toEqual([]);
  });

  it('compares a 1920×1080 frame quickly', () => {
    const d = new ChangeDetector();
    const f = patterned(1920, 1080);
    d.detect(f);
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) d.detect(f);
    const perFrame = (performance.now() - t0) / 5;
    // not a benchmark, just a guard against something pathological (about 2 ms here)
    expect(perFrame).toBeLessThan(200);
  });
});
