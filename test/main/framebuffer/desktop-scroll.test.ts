import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X11Screen } from '../../../src/main/desktop/x11/x11-screen.js';
import { ChangeDetector } from '../../../src/main/framebuffer/change-detector.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';
import { DesktopPainter, diffFrames, patternPixel } from '../../support/desktop-image.js';
import { startXvfb, type XvfbHandle } from '../../support/xvfb.js';

const W = 640;
const H = 480;

function expectSame(actual: Frame, expected: Frame): void {
  const d = diffFrames(actual, expected);
  expect(d, `first differences: ${JSON.stringify(d.first)}`).toMatchObject({ count: 0 });
}

function copyFrame(f: Frame): Frame {
  const c = createFrame(f.width, f.height);
  c.pixels.set(f.pixels);
  return c;
}

/** `old` with the copies applied in order, then `changed` painted from `cur`. */
function applyUpdate(old: Frame, cur: Frame, copies: Array<{ dst: Rect; srcX: number; srcY: number }>, changed: Rect[]): Frame {
  const out = copyFrame(old);
  for (const c of copies) {
    const tmp: Uint32Array[] = [];
    for (let y = 0; y < c.dst.h; y++) tmp.push(out.pixels.slice((c.srcY + y) * W + c.srcX, (c.srcY + y) * W + c.srcX + c.dst.w));
    tmp.forEach((row, y) => out.pixels.set(row, (c.dst.y + y) * W + c.dst.x));
  }
  for (const r of changed) {
    for (let y = r.y; y < r.y + r.h; y++) out.pixels.set(cur.pixels.subarray(y * W + r.x, y * W + r.x + r.w), y * W + r.x);
  }
  return out;
}

describe('DesktopPainter.scroll on Xvfb', () => {
  let xvfb: XvfbHandle;
  let painter: DesktopPainter;
  let screen: X11Screen;

  beforeAll(async () => {
    xvfb = await startXvfb({ width: W, height: H });
    painter = await DesktopPainter.open(xvfb.display);
    await painter.paintBackground(1);
    screen = new X11Screen({ display: xvfb.display, capture: 'core', damage: false });
    await screen.start();
  });

  afterAll(async () => {
    await screen?.stop();
    await painter?.close();
    await xvfb?.stop();
  });

  async function grab(): Promise<Frame> {
    const f = createFrame(W, H);
    await screen.grab(f);
    return f;
  }

  it('moves the content of a rectangle and paints the uncovered strip, as `expected` says', async () => {
    expectSame(await grab(), painter.expected);
    const r = { x: 37, y: 45, w: 301, h: 203 };
    const before = copyFrame(painter.expected);
    // up by 24: rows 24.. of r now start at r.y, the bottom 24 rows are new
    expect(await painter.scroll(r, -24, 7)).toEqual({ x: r.x, y: r.y + r.h - 24, w: r.w, h: 24 });
    const shot = await grab();
    expectSame(shot, painter.expected);
    expect(shot.pixels[r.y * W + r.x]).toBe(before.pixels[(r.y + 24) * W + r.x]);
    expect(shot.pixels[(r.y + r.h - 1) * W + r.x + 5]).toBe(patternPixel(r.x + 5, r.y + r.h - 1, 7));
    expect(shot.pixels[(r.y + r.h) * W + r.x]).toBe(before.pixels[(r.y + r.h) * W + r.x]); // below r: untouched
    // down by 17: the top 17 rows are new
    expect(await painter.scroll(r, 17)).toEqual({ x: r.x, y: r.y, w: r.w, h: 17 });
    expectSame(await grab(), painter.expected);
    // more than the height: all of r is painted
    expect(await painter.scroll({ x: 0, y: 0, w: 64, h: 32 }, 40)).toBeNull();
    expectSame(await grab(), painter.expected);
    await expect(painter.scroll(r, 0)).rejects.toThrow(RangeError);
  });

  it('gives screens in which detectWithCopies finds the scroll', async () => {
    await painter.paintBackground(1);
    const d = new ChangeDetector();
    let old = await grab();
    d.detectWithCopies(old);
    for (const [r, dy] of [
      [{ x: 0, y: 0, w: W, h: H }, -48],
      [{ x: 100, y: 60, w: 400, h: 300 }, 33],
      [{ x: 13, y: 200, w: 250, h: 270 }, -100],
    ] as const) {
      await painter.scroll(r, dy, 20 + dy);
      const cur = await grab();
      expectSame(cur, painter.expected);
      const res = d.detectWithCopies(cur);
      expect(res.copies.length).toBeGreaterThanOrEqual(1);
      for (const c of res.copies) expect(c.srcY - c.dst.y).toBe(-dy);
      expectSame(applyUpdate(old, cur, res.copies, res.changed), cur);
      // the copies cover most of what moved
      const copied = res.copies.reduce((s, c) => s + c.dst.w * c.dst.h, 0);
      expect(copied).toBeGreaterThan(r.w * (r.h - Math.abs(dy)) * 0.8);
      old = cur;
    }
  });
});
