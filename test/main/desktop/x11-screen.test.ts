import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listX11Monitors, X11Screen } from '../../../src/main/desktop/index.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';
import { DesktopPainter, diffFrames, renderPattern, runXterm } from '../../support/desktop-image.js';
import { setScreenSize, startXvfb, type XvfbHandle } from '../../support/xvfb.js';
import { waitFor } from '../../support/wait.js';

const W = 1280;
const H = 800;

function covers(rects: Rect[], r: Rect): boolean {
  // every pixel of r lies in one of the rectangles
  for (let y = r.y; y < r.y + r.h; y++)
    for (let x = r.x; x < r.x + r.w; x++) {
      if (!rects.some((d) => x >= d.x && y >= d.y && x < d.x + d.w && y < d.y + d.h)) return false;
    }
  return true;
}

function expectSame(actual: Frame, expected: Frame, area?: Rect): void {
  const d = diffFrames(actual, expected, area);
  expect(d, `first differences: ${JSON.stringify(d.first)}`).toMatchObject({ count: 0 });
}

describe('X11Screen on Xvfb', () => {
  let xvfb: XvfbHandle;
  let painter: DesktopPainter;

  beforeAll(async () => {
    xvfb = await startXvfb({ width: W, height: H });
    painter = await DesktopPainter.open(xvfb.display);
    await painter.paintBackground(1);
  });

  afterAll(async () => {
    await painter?.close();
    await xvfb?.stop();
  });

  for (const capture of ['shm', 'core'] as const) {
    it(`grabs the whole screen pixel-exact (${capture})`, async () => {
      const screen = new X11Screen({ display: xvfb.display, capture });
      await screen.start();
      try {
        expect(screen.captureMethod).toBe(capture);
        expect([screen.width, screen.height]).toEqual([W, H]);
        const frame = createFrame(W, H);
        frame.pixels.fill(0xffffffff); // byte 3 must come back cleared
        expect(await screen.grab(frame)).toEqual([{ x: 0, y: 0, w: W, h: H }]);
        expectSame(frame, renderPattern(W, H, 1));
        // a second grab into the same frame (reused buffers) is as exact
        frame.pixels.fill(0);
        await screen.grab(frame);
        expectSame(frame, renderPattern(W, H, 1));
      } finally {
        await screen.stop();
      }
    });

    it(`copies only the given areas (${capture})`, async () => {
      const screen = new X11Screen({ display: xvfb.display, capture });
      await screen.start();
      try {
        const frame = createFrame(W, H);
        frame.pixels.fill(0xabcdef);
        const areas = [
          { x: 0, y: 10, w: W, h: 30 }, // full rows (the direct SHM read)
          { x: 5, y: 100, w: 256, h: 256 },
          { x: 1200, y: 700, w: 500, h: 500 }, // clipped to the screen
          { x: 300, y: 120, w: 1, h: 1 },
        ];
        const done = await screen.grab(frame, areas);
        expect(done).toEqual([areas[0], areas[1], { x: 1200, y: 700, w: 80, h: 100 }, areas[3]]);
        const expected = renderPattern(W, H, 1);
        for (const r of done) expectSame(frame, expected, r);
        // outside the areas the frame is untouched
        const untouched = createFrame(W, H);
        untouched.pixels.fill(0xabcdef);
        for (const r of [
          { x: 0, y: 0, w: W, h: 10 },
          { x: 300, y: 400, w: 600, h: 200 },
          { x: 261, y: 100, w: 30, h: 19 },
        ])
          expectSame(frame, untouched, r);
      } finally {
        await screen.stop();
      }
    });
  }

  it('grabs into a core strip budget smaller than one row per strip', async () => {
    const screen = new X11Screen({ display: xvfb.display, capture: 'core', coreStripBytes: 1 });
    await screen.start();
    try {
      const frame = createFrame(W, H);
      await screen.grab(frame, [{ x: 0, y: 0, w: W, h: 64 }]);
      expectSame(frame, renderPattern(W, H, 1), { x: 0, y: 0, w: W, h: 64 });
    } finally {
      await screen.stop();
    }
  });

  it('reports drawing through DAMAGE, and the damaged areas grab the new pixels', async () => {
    const screen = new X11Screen({ display: xvfb.display });
    await screen.start();
    try {
      expect(screen.hasDamage).toBe(true);
      // a new DAMAGE object starts with its whole window damaged
      expect(screen.takeDamage()).toEqual([{ x: 0, y: 0, w: W, h: H }]);
      const frame = createFrame(W, H);
      await screen.grab(frame);
      await new Promise((r) => setTimeout(r, 50));
      expect(screen.takeDamage()).toEqual([]);

      let notified = 0;
      screen.onDamage(() => notified++);
      const r1 = { x: 100, y: 120, w: 40, h: 30 };
      const r2 = { x: 700, y: 500, w: 200, h: 90 };
      await painter.paintRect(r1, 3);
      await painter.paintRect(r2, 4);
      await waitFor('a damage notification', () => notified > 0);
      const damage: Rect[] = [];
      await waitFor('damage covering both rectangles', () => {
        damage.push(...(screen.takeDamage() ?? []));
        return covers(damage, r1) && covers(damage, r2);
      });
      expect(notified).toBeGreaterThanOrEqual(1); // once per batch: one or two here, depending on event timing
      // nothing far away was reported
      const area = damage.reduce((n, d) => n + d.w * d.h, 0);
      expect(area).toBeLessThan(40_000);
      await screen.grab(frame, damage);
      expectSame(frame, painter.expected);

      // drawing again into the same place after a take is reported again
      await painter.paintRect(r1, 5);
      const again = await waitFor('damage after the second drawing', () => {
        const d = screen.takeDamage();
        return d && d.length > 0 ? d : null;
      });
      expect(covers(again, r1)).toBe(true);
      await screen.grab(frame, again);
      expectSame(frame, painter.expected);
    } finally {
      await screen.stop();
      await painter.paintBackground(1);
    }
  });

  it('sees an xterm appear through DAMAGE', async () => {
    const screen = new X11Screen({ display: xvfb.display, capture: 'core' });
    await screen.start();
    const term = await runXterm(xvfb.display, { text: 'hello from TrayVNC', geometry: '60x10+50+60' });
    try {
      const damage: Rect[] = [];
      await waitFor('damage covering the xterm', () => {
        damage.push(...(screen.takeDamage() ?? []));
        return covers(damage, { x: 60, y: 70, w: 50, h: 20 });
      });
      const frame = createFrame(W, H);
      await screen.grab(frame, [{ x: 50, y: 60, w: 200, h: 100 }]);
      // the terminal covers the pattern there
      expect(diffFrames(frame, renderPattern(W, H, 1), { x: 50, y: 60, w: 200, h: 100 }).count).toBeGreaterThan(1000);
    } finally {
      await term.stop();
      await screen.stop();
    }
  });

  it('returns null from takeDamage when DAMAGE is not used', async () => {
    const screen = new X11Screen({ display: xvfb.display, damage: false });
    await screen.start();
    try {
      expect(screen.hasDamage).toBe(false);
      expect(screen.takeDamage()).toBeNull();
    } finally {
      await screen.stop();
    }
  });

  it('lists the RandR monitors', async () => {
    const monitors = await listX11Monitors(xvfb.display);
    expect(monitors).toHaveLength(1);
    expect(monitors[0]).toMatchObject({ x: 0, y: 0, w: W, h: H });
    expect(typeof monitors[0]?.name).toBe('string');
  });

  it('fails to start, in bounded time, on a display with no server', async () => {
    const screen = new X11Screen({ display: ':3999', connectTimeoutMs: 2000 });
    const t0 = Date.now();
    await expect(screen.start()).rejects.toThrow(/:3999/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('X11Screen and RandR resizes', () => {
  let xvfb: XvfbHandle;
  let painter: DesktopPainter;

  beforeAll(async () => {
    xvfb = await startXvfb({ width: W, height: H });
    painter = await DesktopPainter.open(xvfb.display);
    await painter.paintBackground(7);
  });

  afterAll(async () => {
    await painter?.close();
    await xvfb?.stop();
  });

  for (const capture of ['shm', 'core'] as const) {
    it(`follows the screen size (${capture})`, async () => {
      const screen = new X11Screen({ display: xvfb.display, capture });
      await screen.start();
      const sizes: Array<[number, number]> = [];
      screen.onResize((w, h) => sizes.push([w, h]));
      try {
        await setScreenSize(xvfb.display, 1024, 768);
        await waitFor('the shrink to reach onResize', () => sizes.length >= 1, 10_000);
        expect(sizes[0]).toEqual([1024, 768]);
        expect([screen.width, screen.height]).toEqual([1024, 768]);
        expect(screen.takeDamage()).toEqual([{ x: 0, y: 0, w: 1024, h: 768 }]);
        let frame = createFrame(screen.width, screen.height);
        expect(await screen.grab(frame)).toEqual([{ x: 0, y: 0, w: 1024, h: 768 }]);
        expectSame(frame, renderPattern(1024, 768, 7));

        // a stale, larger frame is clipped to the screen, not an X error
        const stale = createFrame(W, H);
        expect(await screen.grab(stale)).toEqual([{ x: 0, y: 0, w: 1024, h: 768 }]);

        await setScreenSize(xvfb.display, W, H);
        await waitFor('the growth to reach onResize', () => sizes.length >= 2, 10_000);
        expect(sizes[1]).toEqual([W, H]);
        frame = createFrame(screen.width, screen.height);
        await screen.grab(frame);
        expectSame(frame, renderPattern(W, H, 7)); // the segment grew with the screen
      } finally {
        await screen.stop();
        await setScreenSize(xvfb.display, W, H);
      }
    });
  }
});

describe('X11Screen on a server without MIT-SHM and DAMAGE', () => {
  let xvfb: XvfbHandle;

  beforeAll(async () => {
    // later arguments win: these switch off what startXvfb switches on
    xvfb = await startXvfb({ width: 640, height: 480, args: ['-extension', 'DAMAGE', '-extension', 'MIT-SHM'] });
    const painter = await DesktopPainter.open(xvfb.display);
    await painter.paintBackground(3);
    await painter.close();
  });

  afterAll(async () => {
    await xvfb?.stop();
  });

  it('falls back to core GetImage and reports no damage knowledge', async () => {
    const screen = new X11Screen({ display: xvfb.display });
    await screen.start();
    try {
      expect(screen.captureMethod).toBe('core');
      expect(screen.hasDamage).toBe(false);
      expect(screen.takeDamage()).toBeNull();
      const frame = createFrame(640, 480);
      await screen.grab(frame);
      expectSame(frame, renderPattern(640, 480, 3));
    } finally {
      await screen.stop();
    }
  });

  it('refuses to start when MIT-SHM is demanded', async () => {
    const screen = new X11Screen({ display: xvfb.display, capture: 'shm' });
    await expect(screen.start()).rejects.toThrow(/MIT-SHM/);
    await screen.stop();
  });
});
