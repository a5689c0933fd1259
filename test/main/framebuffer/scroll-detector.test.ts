import { describe, expect, it } from 'vitest';
import { ChangeDetector, type ChangesWithCopies } from '../../../src/main/framebuffer/change-detector.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';
import { pixelPlane, ScrollDetector } from '../../../src/main/framebuffer/scroll-detector.js';
import { fillRect, patternPixel, renderPattern, scrollFrame } from '../../support/desktop-image.js';

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % Math.max(1, Math.floor(n));
  };
}

function mix(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0x27d4eb2d) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Textured "wallpaper": every pixel different. */
function wallpaper(width: number, height: number, seed = 1): Frame {
  const f = createFrame(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) f.pixels[y * width + x] = mix(x, y, seed) & 0xffffff;
  return f;
}

/**
 * A long "document" as a terminal or browser shows it: 16-pixel text lines of
 * 8×16 glyph cells (ink on a plain background, blank rows between glyphs,
 * some lines empty or short), so many rows are alike, as in real text.
 */
function docPixel(x: number, docY: number, seed: number): number {
  const line = docY >> 4;
  const gy = docY & 15;
  const lineLen = mix(line, 7, seed) % 90; // glyphs on this line (0: empty line)
  const col = x >> 3;
  if (gy < 3 || gy >= 13 || col >= lineLen) return 0x202428;
  const glyph = mix(col, line, seed ^ 0x51ed) & 0x3ff;
  const gx = x & 7;
  return gx < 6 && (mix(glyph, gy, gx) & 3) === 0 ? 0xd0d0c8 : 0x202428;
}

/** Paint `area` of `f` with the document scrolled so that `top` is its first row. */
function showDoc(f: Frame, area: Rect, top: number, seed = 5): void {
  for (let y = 0; y < area.h; y++) {
    const row = (area.y + y) * f.stride;
    for (let x = 0; x < area.w; x++) f.pixels[row + area.x + x] = docPixel(x, top + y, seed);
  }
}

function fill(f: Frame, r: Rect, v: number): void {
  for (let y = r.y; y < r.y + r.h; y++) f.pixels.fill(v, y * f.stride + r.x, y * f.stride + r.x + r.w);
}

function clone(f: Frame): Frame {
  const c = createFrame(f.width, f.height);
  for (let y = 0; y < f.height; y++) c.pixels.set(f.pixels.subarray(y * f.stride, y * f.stride + f.width), y * f.width);
  return c;
}

const within = (r: Rect, W: number, H: number): boolean => r.x >= 0 && r.y >= 0 && r.w > 0 && r.h > 0 && r.x + r.w <= W && r.y + r.h <= H;

/**
 * What a viewer showing `old` ends up with: the copies applied in order (each
 * from the viewer's current image, checking none reads what an earlier one
 * wrote), then `changed` painted from `cur`.
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

/** Count pixels of `a` and `b` that differ inside `areas` (everything by default). */
function mismatches(a: Frame, b: Frame, areas?: Rect[]): number {
  const W = a.width;
  let n = 0;
  for (let y = 0; y < a.height; y++)
    for (let x = 0; x < W; x++) {
      if (areas && !areas.some((r) => x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h)) continue;
      if (a.pixels[y * a.stride + x] !== b.pixels[y * b.stride + x]) n++;
    }
  return n;
}

const area = (rs: readonly Rect[]): number => rs.reduce((s, r) => s + r.w * r.h, 0);

describe('ChangeDetector.detectWithCopies', () => {
  it('behaves like detect on the first call and without a scroll', () => {
    const d = new ChangeDetector();
    const twin = new ChangeDetector();
    const f = wallpaper(320, 240);
    expect(d.detectWithCopies(f)).toEqual({ copies: [], changed: [{ x: 0, y: 0, w: 320, h: 240 }] });
    twin.detect(f);
    fill(f, { x: 10, y: 20, w: 100, h: 150 }, 0x123456);
    fill(f, { x: 200, y: 100, w: 90, h: 90 }, 0xffffff);
    const res = d.detectWithCopies(f);
    expect(res.copies).toEqual([]);
    expect(res.changed).toEqual(twin.detect(f));
    expect(d.detectWithCopies(f)).toEqual({ copies: [], changed: [] });
  });

  for (const dy of [1, 3, 16, 17, 64, 100, 200, 400]) {
    for (const dir of [1, -1]) {
      it(`finds a full-frame scroll by ${dir * dy}`, () => {
        const W = 640;
        const H = 480;
        const d = new ChangeDetector();
        const f = createFrame(W, H);
        const top = 1000;
        showDoc(f, { x: 0, y: 0, w: W, h: H }, top);
        d.detectWithCopies(f);
        const old = clone(f);
        showDoc(f, { x: 0, y: 0, w: W, h: H }, top + dir * dy); // dir 1: content moves up
        const res = d.detectWithCopies(f);
        expect(mismatches(applyUpdate(old, f, res), f)).toBe(0);
        if (H - dy >= 64) {
          expect(res.copies).toHaveLength(1);
          const c = res.copies[0]!;
          expect(c.srcY - c.dst.y).toBe(dir * dy);
          expect(c.dst.h).toBeGreaterThanOrEqual(H - dy - 16); // rows alike at the edges may be left out
          // what is left to send is about the uncovered strip
          expect(area(res.changed)).toBeLessThanOrEqual((dy + 16) * W);
        }
        expect(d.detectWithCopies(f)).toEqual({ copies: [], changed: [] });
      });
    }
  }

  it('finds a scroll of a window that is not tile-aligned, on a textured desktop', () => {
    const W = 800;
    const H = 600;
    const d = new ChangeDetector();
    const f = wallpaper(W, H);
    const win = { x: 37, y: 45, w: 403, h: 301 };
    showDoc(f, win, 0);
    d.detectWithCopies(f);
    const old = clone(f);
    showDoc(f, win, 48); // three lines up
    const res = d.detectWithCopies(f);
    expect(mismatches(applyUpdate(old, f, res), f)).toBe(0);
    expect(res.copies).toHaveLength(1);
    const c = res.copies[0]!;
    expect(c.srcY - c.dst.y).toBe(48);
    expect(c.dst.x).toBeGreaterThanOrEqual(win.x);
    expect(c.dst.x + c.dst.w).toBeLessThanOrEqual(win.x + win.w);
    expect(c.dst.y).toBeGreaterThanOrEqual(win.y);
    expect(c.dst.y + c.dst.h).toBeLessThanOrEqual(win.y + win.h - 48);
    expect(c.dst.h).toBeGreaterThan(win.h - 48 - 32);
    // nothing outside the window is sent
    for (const r of [...res.changed, c.dst]) {
      expect(r.x >= win.x && r.y >= win.y && r.x + r.w <= win.x + win.w && r.y + r.h <= win.y + win.h).toBe(true);
    }
    expect(area(res.changed)).toBeLessThan(win.w * 80);
  });

  it('copies a column of line numbers too, cut off from the text by columns that stay put', () => {
    // A log scrolling in a terminal: a narrow column of counters, then a prefix that is the same on
    // every line (so those columns do not change and the tiles there stay clean), then the text.
    const W = 640;
    const H = 480;
    const term = { x: 64, y: 32, w: 512, h: 416 };
    const numbers = { x: term.x + 4, w: 20 };
    const text = { x: term.x + 160, w: term.w - 160 };
    const paint = (f: Frame, top: number): void => {
      fill(f, term, 0x202428);
      for (let y = 0; y < term.h; y++) {
        const line = (top + y) >> 4;
        const row = (term.y + y) * f.stride;
        for (let x = 0; x < numbers.w; x++) f.pixels[row + numbers.x + x] = (y & 15) > 2 && (y & 15) < 13 && (mix(line, x >> 2, 9) & 1) ? 0xd0d0c8 : 0x202428;
        for (let x = 0; x < text.w; x++) f.pixels[row + text.x + x] = docPixel(x, top + y, 7);
      }
    };
    const d = new ChangeDetector();
    const f = wallpaper(W, H);
    paint(f, 0);
    d.detectWithCopies(f);
    const old = clone(f);
    paint(f, 80); // five lines up
    const res = d.detectWithCopies(f);
    expect(mismatches(applyUpdate(old, f, res), f)).toBe(0);
    const numbersCopied = res.copies.some((c) => c.srcY - c.dst.y === 80 && c.dst.x <= numbers.x + 8 && c.dst.x + c.dst.w >= numbers.x + numbers.w - 8);
    expect(numbersCopied, `copies ${JSON.stringify(res.copies)}`).toBe(true);
    // only the five new lines (and no more than a little around them) go as pixels
    expect(area(res.changed)).toBeLessThan((numbers.w + text.w) * 80 * 1.5);
  });

  it('handles two windows scrolling apart, plus other changes', () => {
    const W = 1024;
    const H = 768;
    const d = new ChangeDetector();
    const f = wallpaper(W, H, 9);
    const a = { x: 10, y: 20, w: 400, h: 300 };
    const b = { x: 600, y: 330, w: 380, h: 400 };
    showDoc(f, a, 0, 1);
    showDoc(f, b, 500, 2);
    d.detectWithCopies(f);
    const old = clone(f);
    showDoc(f, a, 32, 1); // up
    showDoc(f, b, 500 - 80, 2); // down
    fill(f, { x: 700, y: 10, w: 40, h: 20 }, 0xff00ff); // a clock
    fill(f, { x: 20, y: 600, w: 300, h: 100 }, 0x00ff00); // something else
    const res = d.detectWithCopies(f);
    expect(mismatches(applyUpdate(old, f, res), f)).toBe(0);
    const offsets = res.copies.map((c) => c.srcY - c.dst.y).sort((p, q) => p - q);
    expect(offsets).toEqual([-80, 32]);
    expect(d.stats.copies).toBe(2);
  });

  it('splits a scroll around a line that stays put, copying in a safe order', () => {
    for (const dir of [1, -1]) {
      const W = 500;
      const H = 640;
      const d = new ChangeDetector();
      const f = createFrame(W, H);
      const line = { x: 0, y: 300, w: W, h: 4 };
      showDoc(f, { x: 0, y: 0, w: W, h: H }, 800);
      fill(f, line, 0xffff00);
      d.detectWithCopies(f);
      const old = clone(f);
      showDoc(f, { x: 0, y: 0, w: W, h: H }, 800 + dir * 64);
      fill(f, line, 0xffff00);
      const res = d.detectWithCopies(f);
      // three runs: around the line, and around where the line's old rows land
      expect(res.copies).toHaveLength(3);
      for (const c of res.copies) expect(c.srcY - c.dst.y).toBe(dir * 64);
      // the middle copy reads rows the first one... no: the first reads rows the middle one writes
      expect(mismatches(applyUpdate(old, f, res), f)).toBe(0);
      expect(area(res.changed)).toBeLessThan(W * (64 + 20));
    }
  });

  it('copies beside a strip that does not scroll (a scrollbar with a moving thumb)', () => {
    for (const dir of [1, -1]) {
      const W = 400;
      const H = 600;
      const d = new ChangeDetector();
      const f = createFrame(W, H);
      const content = { x: 0, y: 0, w: W - 16, h: H };
      const bar = { x: W - 16, y: 0, w: 16, h: H };
      showDoc(f, content, 400);
      fill(f, bar, 0xcccccc);
      fill(f, { x: bar.x + 2, y: 200, w: 12, h: 100 }, 0x555555); // thumb
      d.detectWithCopies(f);
      const old = clone(f);
      showDoc(f, content, 400 + dir * 64);
      fill(f, bar, 0xcccccc);
      fill(f, { x: bar.x + 2, y: 200 + dir * 8, w: 12, h: 100 }, 0x555555);
      const res = d.detectWithCopies(f);
      expect(mismatches(applyUpdate(old, f, res), f)).toBe(0);
      expect(res.copies).toHaveLength(1);
      const c = res.copies[0]!;
      expect(c.srcY - c.dst.y).toBe(dir * 64);
      expect(c.dst.x + c.dst.w).toBeLessThanOrEqual(bar.x + 2); // the track's edge scrolls too
      expect(c.dst.h).toBeGreaterThan(H - 64 - 16);
      expect(area(res.changed)).toBeLessThan(W * (64 + 16));
    }
  });

  it('finds a scroll inside hints and is exact there', () => {
    const W = 640;
    const H = 480;
    const d = new ChangeDetector();
    const f = wallpaper(W, H, 4);
    const win = { x: 100, y: 50, w: 300, h: 400 };
    showDoc(f, win, 0);
    d.detectWithCopies(f);
    const old = clone(f);
    showDoc(f, win, 40);
    fill(f, { x: 500, y: 400, w: 20, h: 20 }, 0); // outside the hints: not seen now
    const hints = [
      { x: 96, y: 48, w: 160, h: 404 },
      { x: 256, y: 48, w: 150, h: 404 },
    ];
    const res = d.detectWithCopies(f, hints);
    expect(res.copies).toHaveLength(1);
    expect(mismatches(applyUpdate(old, f, res), f, hints)).toBe(0);
    // the change outside is found by the next full compare
    expect(d.detectWithCopies(f)).toEqual({ copies: [], changed: [{ x: 448, y: 384, w: 128, h: 64 }] });
  });

  it('keeps finding scrolls of an area scrolled back and forth many times (rows repeated all over it)', () => {
    // As the CopyRect end-to-end test does on Xvfb: the desktop pattern, then
    // one area scrolled by -48, 32, -100 again and again, each exposed strip
    // painted with a second pattern at its place on the screen. The same
    // strips come back at the same rows while older copies of them are still
    // shown, moved, so after a few rounds nearly every row of the area is
    // found two or more times in the old image.
    const W = 640;
    const H = 400;
    const win = { x: 40, y: 30, w: 500, h: 320 };
    const hint = { x: 32, y: 16, w: 512, h: 336 }; // the damage, widened to a 16-pixel grid
    const f = renderPattern(W, H, 5);
    const d = new ChangeDetector();
    d.detectWithCopies(f);
    let scrolls = 0;
    for (let round = 0; round < 5; round++) {
      for (const dy of [-48, 32, -100]) {
        scrolls++;
        const old = clone(f);
        const n = Math.abs(dy);
        const keep = win.h - n;
        const srcY = dy < 0 ? win.y + n : win.y;
        scrollFrame(f, { x: win.x, y: dy < 0 ? win.y : win.y + n, w: win.w, h: keep }, srcY);
        fillRect(f, { x: win.x, y: dy < 0 ? win.y + keep : win.y, w: win.w, h: n }, (x, y) => patternPixel(x, y, 3));
        const res = d.detectWithCopies(f, [hint]);
        const what = `scroll ${scrolls} by ${dy}: ${JSON.stringify(res)}`;
        expect(res.copies.length, what).toBeGreaterThan(0);
        // no more sent as pixels than the strip the scroll exposed
        expect(area(res.changed), what).toBeLessThanOrEqual(win.w * n);
        expect(mismatches(applyUpdate(old, f, res), f), what).toBe(0);
      }
    }
  });

  it('makes no copies for changes that are not scrolls', () => {
    const W = 640;
    const H = 480;
    const rand = rng(77);
    const d = new ChangeDetector();
    const f = createFrame(W, H);
    showDoc(f, { x: 0, y: 0, w: W, h: H }, 0);
    d.detectWithCopies(f);
    for (let round = 0; round < 30; round++) {
      const old = clone(f);
      const kind = round % 3;
      if (kind === 0) {
        // new text in place (a different document)
        const r = { x: rand(W / 2), y: rand(H / 2), w: 64 + rand(W / 2), h: 64 + rand(H / 2) };
        showDoc(f, r, rand(1000), 100 + round);
      } else if (kind === 1) {
        fill(f, { x: rand(W - 200), y: rand(H - 200), w: 200, h: 200 }, rand(0xffffff));
      } else {
        // sparse pixel noise
        for (let i = 0; i < 500; i++) f.pixels[rand(W * H)] = rand(0xffffff);
      }
      const res = d.detectWithCopies(f);
      expect(res.copies).toEqual([]);
      expect(mismatches(applyUpdate(old, f, res), f)).toBe(0);
    }
  });

  it('is exact on random scrolls, edits and hints (property test)', () => {
    const rand = rng(4242);
    const scrollRect = (f: Frame, r: Rect, dy: number): void => {
      // move the content of r by dy (negative: up), new document rows in the uncovered strip
      const W = f.width;
      const n = Math.min(r.h, Math.abs(dy));
      const keep = r.h - n;
      const srcY = dy < 0 ? r.y + n : r.y;
      const dstY = dy < 0 ? r.y : r.y + n;
      const tmp = new Uint32Array(r.w * keep);
      for (let y = 0; y < keep; y++) tmp.set(f.pixels.subarray((srcY + y) * W + r.x, (srcY + y) * W + r.x + r.w), y * r.w);
      for (let y = 0; y < keep; y++) f.pixels.set(tmp.subarray(y * r.w, (y + 1) * r.w), (dstY + y) * W + r.x);
      showDoc(f, { x: r.x, y: dy < 0 ? r.y + keep : r.y, w: r.w, h: n }, rand(5000), rand(50));
    };
    for (const [W, H, tile] of [
      [333, 271, 64],
      [517, 389, 32],
      [256, 700, 16],
    ] as const) {
      const minRows = 8 + rand(40);
      const d = new ChangeDetector({ tileSize: tile, scroll: { minRows, minWidth: 16 + rand(64) } });
      const f = wallpaper(W, H, rand(1000));
      showDoc(f, { x: 0, y: 0, w: W, h: H }, 0, rand(1000));
      d.detectWithCopies(f);
      let plainScrolls = 0;
      let found = 0;
      for (let round = 0; round < 60; round++) {
        const old = clone(f);
        const plain = round % 2 === 0; // one clear scroll, seen whole
        const edits = plain ? 1 : 1 + rand(3);
        for (let i = 0; i < edits; i++) {
          const r = plain
            ? { x: rand(W / 3), y: rand(H / 4), w: 80 + rand(W / 2), h: 2 * minRows + 20 + rand(H / 2) }
            : { x: rand(W - 20), y: rand(H - 20), w: 20 + rand(W), h: 20 + rand(H) };
          r.w = Math.min(r.w, W - r.x);
          r.h = Math.min(r.h, H - r.y);
          const what = plain ? 0 : rand(5);
          if (what <= 1) {
            const span = plain ? r.h - minRows - 8 : r.h + 10; // sometimes everything is new
            scrollRect(f, r, (1 + rand(Math.max(1, span))) * (rand(2) ? 1 : -1));
          } else if (what === 2) {
            showDoc(f, r, rand(5000), rand(50));
          } else if (what === 3) {
            fill(f, r, rand(0xffffff));
          } else {
            for (let k = 0; k < 50; k++) f.pixels[rand(W * H)] = rand(0xffffff);
          }
        }
        let hints: Rect[] | undefined;
        if (!plain && rand(2) === 0) {
          hints = [];
          for (let i = 0; i < 1 + rand(4); i++) hints.push({ x: rand(W) - 10, y: rand(H) - 10, w: 1 + rand(W), h: 1 + rand(H) });
        }
        const res = d.detectWithCopies(f, hints);
        if (plain) {
          plainScrolls++;
          if (res.copies.length > 0) found++;
        }
        const seen = applyUpdate(old, f, res);
        expect(mismatches(seen, f, hints)).toBe(0);
        if (hints) {
          // what was outside the hints is found by a full compare
          const rest = d.detectWithCopies(f);
          expect(mismatches(applyUpdate(seen, f, rest), f)).toBe(0);
        }
        // the kept frame equals the frame again
        expect(d.detectWithCopies(f)).toEqual({ copies: [], changed: [] });
      }
      // scrolls were found, not just tolerated (a scroll over rows that are all alike has nothing to find)
      expect(found, `${W}×${H}: ${found} of ${plainScrolls} clear scrolls found`).toBeGreaterThanOrEqual(plainScrolls * 0.7);
    }
  });

  it('respects frame stride', () => {
    const W = 300;
    const H = 400;
    const stride = 320;
    const f: Frame = { width: W, height: H, stride, pixels: new Uint32Array(stride * H) };
    showDoc(f, { x: 0, y: 0, w: W, h: H }, 0);
    const d = new ChangeDetector();
    d.detectWithCopies(f);
    const old = clone(f);
    showDoc(f, { x: 0, y: 0, w: W, h: H }, 80);
    for (let y = 0; y < H; y++) f.pixels.fill(y, y * stride + W, (y + 1) * stride); // padding: ignored
    const res = d.detectWithCopies(f);
    expect(res.copies).toHaveLength(1);
    expect(res.copies[0]!.srcY - res.copies[0]!.dst.y).toBe(80);
    expect(mismatches(applyUpdate(old, f, res), f)).toBe(0);
  });

  it('returns the hints when disabled', () => {
    const d = new ChangeDetector({ enabled: false });
    const f = wallpaper(100, 100);
    expect(d.detectWithCopies(f, [{ x: 90, y: 90, w: 50, h: 50 }])).toEqual({ copies: [], changed: [{ x: 90, y: 90, w: 10, h: 10 }] });
  });

  it('analyses a 1920×1080 full-screen scroll in a few ms', () => {
    const W = 1920;
    const H = 1080;
    const frames = [0, 48, 96, 144, 192, 240, 288, 336].map((top) => {
      const f = createFrame(W, H);
      showDoc(f, { x: 0, y: 0, w: W, h: H }, top);
      return f;
    });
    // a textured page too (every row unique, no blank rows)
    const page = wallpaper(W, H + 400, 3);
    const pages = [0, 40, 80, 120, 160, 200, 240, 280].map((top) => ({ width: W, height: H, stride: W, pixels: page.pixels.subarray(top * W, (top + H) * W) }));
    const timings: Record<string, number> = {};
    for (const [name, seq] of [
      ['text', frames],
      ['texture', pages],
    ] as const) {
      const d = new ChangeDetector();
      const plain = new ChangeDetector();
      d.detectWithCopies(seq[0]!);
      plain.detect(seq[0]!);
      let withCopies = 0;
      let tilesOnly = 0;
      let measured = 0;
      // three passes over the frames (the last one back to the first is a scroll too); the first warms up
      for (let pass = 0; pass < 3; pass++) {
        for (let i = pass === 0 ? 1 : 0; i < seq.length; i++) {
          let t = performance.now();
          const res = d.detectWithCopies(seq[i]!);
          const spent = performance.now() - t;
          expect(res.copies).toHaveLength(1);
          expect(res.copies[0]!.dst.h).toBeGreaterThan(H - 400);
          t = performance.now();
          plain.detect(seq[i]!);
          if (pass > 0) {
            withCopies += spent;
            tilesOnly += performance.now() - t;
            measured++;
          }
        }
      }
      timings[`${name} detectWithCopies`] = withCopies / measured;
      timings[`${name} detect`] = tilesOnly / measured;
    }
    // a full-screen change that is no scroll: the search gives up early
    {
      const x = wallpaper(W, H, 11);
      const y = wallpaper(W, H, 12);
      const d = new ChangeDetector();
      const plain = new ChangeDetector();
      d.detectWithCopies(x);
      plain.detect(x);
      let withCopies = 0;
      let tilesOnly = 0;
      for (let i = 0; i < 12; i++) {
        const f = i % 2 ? x : y;
        let t = performance.now();
        expect(d.detectWithCopies(f).copies).toEqual([]);
        const spent = performance.now() - t;
        t = performance.now();
        plain.detect(f);
        if (i >= 4) {
          withCopies += spent;
          tilesOnly += performance.now() - t;
        }
      }
      timings['no scroll detectWithCopies'] = withCopies / 8;
      timings['no scroll detect'] = tilesOnly / 8;
    }
    // a plain check of the numbers: printed for the record, bounded loosely against slow machines
    console.info('full-HD scroll, ms per frame:', Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, +v.toFixed(2)])));
    expect(timings['text detectWithCopies']).toBeLessThan(100);
    expect(timings['texture detectWithCopies']).toBeLessThan(100);
  });
});

describe('ScrollDetector', () => {
  it('reports the box of differing pixels and no copy when there is no scroll', () => {
    const a = wallpaper(200, 200);
    const b = clone(a);
    fill(b, { x: 30, y: 40, w: 50, h: 60 }, 7);
    const s = new ScrollDetector();
    const res = s.analyse(pixelPlane(b.pixels, 200), pixelPlane(a.pixels, 200), { x: 0, y: 0, w: 200, h: 200 });
    expect(res).toEqual({ changed: { x: 30, y: 40, w: 50, h: 60 }, dy: 0, copies: [], rest: [{ x: 30, y: 40, w: 50, h: 60 }] });
    expect(s.analyse(pixelPlane(a.pixels, 200), pixelPlane(a.pixels, 200), { x: 0, y: 0, w: 200, h: 200 }).changed).toBeNull();
  });

  it('finds a scroll inside an area, with copy, rest and offset', () => {
    const a = wallpaper(300, 300, 2);
    const b = clone(a);
    const win = { x: 50, y: 20, w: 200, h: 250 };
    showDoc(a, win, 100);
    showDoc(b, win, 100 + 37);
    const s = new ScrollDetector({ minRows: 16 });
    const res = s.analyse(pixelPlane(b.pixels, 300), pixelPlane(a.pixels, 300), { x: 0, y: 0, w: 300, h: 300 });
    expect(res.dy).toBe(37);
    expect(res.copies).toHaveLength(1);
    const c = res.copies[0]!;
    expect(c.srcY - c.dst.y).toBe(37);
    expect(c.srcX).toBe(c.dst.x);
    // changed holds the copies and the rest, which do not overlap
    for (const r of [c.dst, ...res.rest]) {
      const box = res.changed!;
      expect(r.x >= box.x && r.y >= box.y && r.x + r.w <= box.x + box.w && r.y + r.h <= box.y + box.h).toBe(true);
    }
    for (const r of res.rest) expect(r.y + r.h <= c.dst.y || r.y >= c.dst.y + c.dst.h).toBe(true);
  });

  it('finds a scroll when every row of the area is found several times', () => {
    // rows repeat every 100, so each old row's hash occurs 6 times and none
    // is unique; offsets 13 - 100k all match exactly, 13 over the most rows.
    // Taller than the rows that vote, so only some rows vote: the others
    // must not vote for the offsets between copies of the same old row.
    const W = 200;
    const H = 600;
    const paint = (shift: number): Frame => {
      const f = createFrame(W, H);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) f.pixels[y * W + x] = mix(x, (y + shift) % 100, 9) & 0xffffff;
      return f;
    };
    const old = paint(0);
    const cur = paint(13);
    const res = new ScrollDetector().analyse(pixelPlane(cur.pixels, W), pixelPlane(old.pixels, W), { x: 0, y: 0, w: W, h: H });
    expect(res.dy).toBe(13);
    expect(res.copies).toEqual([{ dst: { x: 0, y: 0, w: W, h: H - 13 }, srcX: 0, srcY: 13 }]);
    expect(res.rest).toEqual([{ x: 0, y: H - 13, w: W, h: 13 }]);
  });

  it('tries the offsets found beside an area first, and then also in a box narrower than minWidth', () => {
    const W = 64;
    const H = 200;
    const prev = createFrame(W, H);
    const cur = createFrame(W, H);
    const area = { x: 0, y: 0, w: W, h: H };
    // a 12-pixel column of ever-different rows, scrolled up by 26 rows
    for (let y = 0; y < H; y++)
      for (let x = 20; x < 32; x++) {
        prev.pixels[y * W + x] = mix(x, y, 3) & 0xffffff;
        cur.pixels[y * W + x] = mix(x, y + 26, 3) & 0xffffff;
      }
    const det = new ScrollDetector({ minWidth: 64 });
    const without = det.analyse(pixelPlane(cur.pixels, W), pixelPlane(prev.pixels, W), area);
    expect(without.changed?.w).toBe(12);
    expect(without.copies).toEqual([]);
    const withHint = det.analyse(pixelPlane(cur.pixels, W), pixelPlane(prev.pixels, W), area, [13, 26]);
    expect(withHint.dy).toBe(26);
    expect(withHint.copies).toEqual([{ dst: { x: 20, y: 0, w: 12, h: H - 26 }, srcX: 20, srcY: 26 }]);
    expect(withHint.rest).toEqual([{ x: 20, y: H - 26, w: 12, h: 26 }]);
  });

  it('rejects bad options', () => {
    expect(() => new ScrollDetector({ minRows: 0 })).toThrow(RangeError);
    expect(() => new ScrollDetector({ minWidth: 1.5 })).toThrow(RangeError);
  });
});
