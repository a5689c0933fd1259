import { describe, expect, it } from 'vitest';
import { ChangeDetector, type ChangesWithCopies } from '../../../src/main/framebuffer/change-detector.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import { inOrder, MoveDetector } from '../../../src/main/framebuffer/move-detector.js';
import { pixelPlane } from '../../../src/main/framebuffer/pixel-plane.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';
import { subtractRect } from '../../../src/main/framebuffer/uncovered.js';

function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x27d4eb2d) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Photo-like: smooth gradients with a little noise, so neighbours are alike but rarely equal. */
function photo(x: number, y: number, seed: number): number {
  const n = mix(x, y, seed) & 7;
  const r = (x * 3 + y + seed * 17 + n) & 0xff;
  const g = ((x ^ y) + seed * 5 + (n << 1)) & 0xff;
  const b = (y * 2 - x + seed + n) & 0xff;
  return (r << 16) | (g << 8) | b;
}

interface Win {
  x: number;
  y: number;
  w: number;
  h: number;
  seed: number;
}

/** A desktop: `background(x, y)` everywhere, then the windows, later ones on top. */
function desktop(W: number, H: number, background: (x: number, y: number) => number, wins: readonly Win[]): Frame {
  const f = createFrame(W, H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) f.pixels[y * W + x] = background(x, y);
  for (const w of wins) paintWindow(f, w);
  return f;
}

/** A window's content depends on its own coordinates only: moving it moves the content. */
function paintWindow(f: Frame, w: Win): void {
  for (let y = Math.max(0, w.y); y < Math.min(f.height, w.y + w.h); y++)
    for (let x = Math.max(0, w.x); x < Math.min(f.width, w.x + w.w); x++) f.pixels[y * f.stride + x] = photo(x - w.x, y - w.y, w.seed);
}

const wallpaper = (x: number, y: number): number => photo(x, y, 99) ^ 0x204010;
const flat = (): number => 0x3a6ea5;

function clone(f: Frame): Frame {
  const c = createFrame(f.width, f.height);
  c.pixels.set(f.pixels);
  return c;
}

const within = (r: Rect, W: number, H: number): boolean => r.x >= 0 && r.y >= 0 && r.w > 0 && r.h > 0 && r.x + r.w <= W && r.y + r.h <= H;

/**
 * What a viewer showing `old` ends up with: the copies applied in order, each
 * reading the viewer's image as it is then (checking that none reads what an
 * earlier one wrote, as the detector promises), then `changed` painted from `cur`.
 */
function applyUpdate(old: Frame, cur: Frame, res: ChangesWithCopies): Frame {
  const W = old.width;
  const H = old.height;
  const out = clone(old);
  const written = new Uint8Array(W * H);
  for (const c of res.copies) {
    const { dst } = c;
    expect(within(dst, W, H), `copy dst ${JSON.stringify(c)}`).toBe(true);
    expect(within({ x: c.srcX, y: c.srcY, w: dst.w, h: dst.h }, W, H), `copy src ${JSON.stringify(c)}`).toBe(true);
    const tmp = new Uint32Array(dst.w * dst.h);
    for (let y = 0; y < dst.h; y++) {
      for (let x = 0; x < dst.w; x++) {
        const i = (c.srcY + y) * W + c.srcX + x;
        if (written[i]) throw new Error(`copy ${JSON.stringify(c)} reads (${c.srcX + x},${c.srcY + y}) written by an earlier copy`);
        tmp[y * dst.w + x] = out.pixels[i]!;
      }
    }
    for (let y = 0; y < dst.h; y++) {
      out.pixels.set(tmp.subarray(y * dst.w, (y + 1) * dst.w), (dst.y + y) * W + dst.x);
      written.fill(1, (dst.y + y) * W + dst.x, (dst.y + y) * W + dst.x + dst.w);
    }
  }
  for (const r of res.changed) {
    expect(within(r, W, H), `changed ${JSON.stringify(r)}`).toBe(true);
    for (let y = r.y; y < r.y + r.h; y++) out.pixels.set(cur.pixels.subarray(y * cur.stride + r.x, y * cur.stride + r.x + r.w), y * W + r.x);
  }
  return out;
}

function mismatches(a: Frame, b: Frame): number {
  let n = 0;
  for (let i = 0; i < a.pixels.length; i++) if (a.pixels[i] !== b.pixels[i]) n++;
  return n;
}

const area = (rs: readonly Rect[]): number => rs.reduce((s, r) => s + r.w * r.h, 0);

/**
 * Detect from `before` to `after` (the detector first sees `before` whole),
 * check the update rebuilds `after` exactly and that the detector's kept
 * frame agrees (a second look finds nothing), and return what it found.
 */
function update(before: Frame, after: Frame, hints?: Rect[]): { res: ChangesWithCopies; moves: number } {
  const d = new ChangeDetector();
  d.detectWithCopies(before);
  const res = d.detectWithCopies(after, hints);
  const moves = d.stats.moves;
  expect(mismatches(applyUpdate(before, after, res), after)).toBe(0);
  expect(d.detectWithCopies(after)).toEqual({ copies: [], changed: [] });
  return { res, moves };
}

describe('MoveDetector through ChangeDetector.detectWithCopies', () => {
  const W = 480;
  const H = 360;
  const win = { x: 150, y: 110, w: 160, h: 120, seed: 3 };
  const steps = [
    [7, 0],
    [-7, 0],
    [5, 9],
    [-5, 9],
    [5, -9],
    [-5, -9],
    [40, 23],
    [-33, -50],
    [150, 3], // beside the old place: source and destination apart
    [-140, 120],
  ] as const;
  for (const [dx, dy] of steps) {
    for (const [bgName, bg] of [['wallpaper', wallpaper], ['a flat colour', flat]] as const) {
      it(`copies a window moved by (${dx}, ${dy}) over ${bgName}, and sends only what it uncovers`, () => {
        const before = desktop(W, H, bg, [win]);
        const moved = { ...win, x: win.x + dx, y: win.y + dy };
        const after = desktop(W, H, bg, [moved]);
        const { res, moves } = update(before, after);
        expect(moves).toBe(1);
        const c = res.copies[0]!;
        expect([c.srcX - c.dst.x, c.srcY - c.dst.y]).toEqual([-dx || 0, -dy || 0]);
        if (bg === wallpaper) expect(c.dst).toEqual({ x: moved.x, y: moved.y, w: win.w, h: win.h });
        // over a flat colour the copy may take some of the colour around the window too
        else expect(subtractRect(moved, c.dst)).toEqual([]);
        // the pixels sent: the uncovered part of the old place, as tight boxes
        const uncovered = subtractRect(win, moved).reduce((s, r) => s + r.w * r.h, 0);
        expect(area(res.changed)).toBeGreaterThanOrEqual(bg === flat ? 0 : uncovered);
        expect(area(res.changed)).toBeLessThanOrEqual(uncovered);
      });
    }
  }

  it('copies a window moving out past the screen edge, and in from it', () => {
    for (const [from, to] of [
      [{ x: 380, y: 250 }, { x: 400, y: 270 }],
      [{ x: -60, y: -30 }, { x: -20, y: -10 }],
      [{ x: 400, y: 20 }, { x: 370, y: 30 }],
    ] as const) {
      const a = { ...win, ...from };
      const b = { ...win, ...to };
      const before = desktop(W, H, wallpaper, [a]);
      const after = desktop(W, H, wallpaper, [b]);
      const { res, moves } = update(before, after);
      expect(moves, JSON.stringify(to)).toBe(1);
      const c = res.copies[0]!;
      expect(c.srcX - c.dst.x).toBe(a.x - b.x);
      expect(c.srcY - c.dst.y).toBe(a.y - b.y);
      // everything of the window's new place whose content was on the screen before is copied
      const visibleSrc = { x: Math.max(0, a.x), y: Math.max(0, a.y), w: Math.min(W, a.x + a.w) - Math.max(0, a.x), h: Math.min(H, a.y + a.h) - Math.max(0, a.y) };
      const expected = { x: visibleSrc.x + b.x - a.x, y: visibleSrc.y + b.y - a.y, w: visibleSrc.w, h: visibleSrc.h };
      const onScreen = { x: Math.max(0, expected.x), y: Math.max(0, expected.y), w: Math.min(W, expected.x + expected.w) - Math.max(0, expected.x), h: Math.min(H, expected.y + expected.h) - Math.max(0, expected.y) };
      expect(c.dst).toEqual(onScreen);
    }
  });

  it('copies a moved window while sending other changes, inside and outside it, as pixels', () => {
    const before = desktop(W, H, wallpaper, [win]);
    const moved = { ...win, x: win.x + 12, y: win.y - 8 };
    const after = desktop(W, H, wallpaper, [moved]);
    // a clock elsewhere, and the window's own content changing in a corner as it moves
    for (let y = 10; y < 30; y++) for (let x = 400; x < 470; x++) after.pixels[y * W + x] = 0xffffff;
    for (let y = moved.y + 50; y < moved.y + 60; y++) for (let x = moved.x + 120; x < moved.x + 150; x++) after.pixels[y * W + x] = 0x00ff00;
    const { res, moves } = update(before, after);
    expect(moves).toBeGreaterThanOrEqual(1);
    for (const c of res.copies) expect(c.srcX - c.dst.x).toBe(-12);
    // most of the window is copied
    expect(area(res.copies.map((c) => c.dst))).toBeGreaterThan(0.75 * win.w * win.h);
  });

  it('copies two windows moved in different directions at once', () => {
    const a = { x: 20, y: 20, w: 140, h: 100, seed: 4 };
    const b = { x: 260, y: 200, w: 150, h: 110, seed: 8 };
    const before = desktop(W, H, wallpaper, [a, b]);
    const after = desktop(W, H, wallpaper, [
      { ...a, x: 30, y: 26 },
      { ...b, x: 240, y: 190 },
    ]);
    const { res, moves } = update(before, after);
    expect(moves).toBe(2);
    const offsets = res.copies.map((c) => [c.srcX - c.dst.x, c.srcY - c.dst.y]).sort((p, q) => p[0]! - q[0]!);
    expect(offsets).toEqual([
      [-10, -6],
      [20, 10],
    ]);
  });

  it('copies a window dragged over another one (what it uncovers of the other is sent)', () => {
    const under = { x: 100, y: 80, w: 200, h: 150, seed: 11 };
    const top = { x: 160, y: 120, w: 150, h: 110, seed: 12 };
    const before = desktop(W, H, wallpaper, [under, top]);
    const after = desktop(W, H, wallpaper, [under, { ...top, x: 185, y: 105 }]);
    const { res, moves } = update(before, after);
    expect(moves).toBe(1);
    expect(res.copies[0]).toEqual({ dst: { x: 185, y: 105, w: 150, h: 110 }, srcX: 160, srcY: 120 });
  });

  it('makes no copy of content that merely looks alike, and stays exact with repeating content', () => {
    // the same window with every pixel's low bit flipped: alike to the eye, equal nowhere
    const before = desktop(W, H, wallpaper, [win]);
    const after = desktop(W, H, wallpaper, [{ ...win, x: win.x + 10 }]);
    for (let y = win.y; y < win.y + win.h; y++) for (let x = win.x + 10; x < win.x + 10 + win.w; x++) after.pixels[y * W + x]! ^= 1;
    expect(update(before, after).res.copies).toEqual([]);

    // a texture repeating every 16 pixels, shifted: copies at any period are exact, and the update is too
    const tex = (x: number, y: number): number => photo(x & 15, y & 15, 5);
    const t0 = desktop(W, H, (x, y) => tex(x, y), []);
    const t1 = desktop(W, H, (x, y) => (x >= 100 && x < 300 && y >= 100 && y < 260 ? tex(x + 5, y + 3) : tex(x, y)), []);
    update(t0, t1);
  });

  it('leaves vertical-only moves to the scroll search', () => {
    const before = desktop(W, H, wallpaper, [win]);
    const after = desktop(W, H, wallpaper, [{ ...win, y: win.y + 20 }]);
    const { res, moves } = update(before, after);
    expect(moves).toBe(0);
    expect(res.copies.length).toBeGreaterThan(0);
    for (const c of res.copies) expect(c.srcX).toBe(c.dst.x);
  });

  it('works from damage hints as X DAMAGE reports them (16-pixel cells)', () => {
    const before = desktop(W, H, wallpaper, [win]);
    const moved = { ...win, x: win.x - 21, y: win.y + 13 };
    const after = desktop(W, H, wallpaper, [moved]);
    const cell = (r: Rect): Rect => {
      const x = Math.floor(r.x / 16) * 16;
      const y = Math.floor(r.y / 16) * 16;
      return { x, y, w: Math.ceil((r.x + r.w) / 16) * 16 - x, h: Math.ceil((r.y + r.h) / 16) * 16 - y };
    };
    const { res, moves } = update(before, after, [cell(win), cell(moved)]);
    expect(moves).toBe(1);
    expect(res.copies[0]!.dst).toEqual({ x: moved.x, y: moved.y, w: win.w, h: win.h });
  });

  it('ignores changes too small to be worth a search', () => {
    const d = new MoveDetector();
    const f = desktop(W, H, wallpaper, [win]);
    const plane = pixelPlane(f.pixels, f.stride);
    expect(d.find(plane, plane, W, H, [{ x: 0, y: 0, w: 64, h: 64 }])).toEqual([]);
    expect(() => new MoveDetector({ minArea: 0 })).toThrow(RangeError);
  });
});

describe('subtractRect', () => {
  it('leaves the parts of a rectangle outside the cut, disjoint', () => {
    const r = { x: 0, y: 0, w: 100, h: 80 };
    expect(subtractRect(r, { x: 200, y: 0, w: 10, h: 10 })).toEqual([r]);
    expect(subtractRect(r, { x: -10, y: -10, w: 200, h: 200 })).toEqual([]);
    const parts = subtractRect(r, { x: 20, y: 30, w: 30, h: 10 });
    expect(parts).toEqual([
      { x: 0, y: 0, w: 100, h: 30 },
      { x: 0, y: 30, w: 20, h: 10 },
      { x: 50, y: 30, w: 50, h: 10 },
      { x: 0, y: 40, w: 100, h: 40 },
    ]);
  });
});

describe('inOrder', () => {
  const copy = (x: number, y: number, w: number, h: number, srcX: number, srcY: number) => ({ dst: { x, y, w, h }, srcX, srcY });

  it('puts first the copies whose destination no other copy reads', () => {
    // the top half of a window moved down by 10, then its bottom half: the bottom must go first
    const top = copy(0, 10, 100, 50, 0, 0);
    const bottom = copy(0, 60, 100, 50, 0, 50);
    expect(inOrder([top, bottom])).toEqual([bottom, top]);
    expect(inOrder([bottom, top])).toEqual([bottom, top]);
  });

  it('leaves out the smallest copy of a cycle (two areas swapped)', () => {
    const a = copy(0, 0, 100, 100, 200, 0);
    const b = copy(200, 0, 50, 50, 0, 0);
    expect(inOrder([a, b])).toEqual([a]);
  });
});
