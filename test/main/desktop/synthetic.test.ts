import { describe, expect, it } from 'vitest';
import { createScreenSource, SyntheticScreen } from '../../../src/main/desktop/index.js';
import { ChangeDetector } from '../../../src/main/framebuffer/change-detector.js';
import { createFrame } from '../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../src/main/framebuffer/rect.js';

function contains(outer: Rect, inner: Rect): boolean {
  return outer.x <= inner.x && outer.y <= inner.y && outer.x + outer.w >= inner.x + inner.w && outer.y + outer.h >= inner.y + inner.h;
}

describe('SyntheticScreen', () => {
  it('is deterministic: the same frame number gives the same pixels', async () => {
    const a = new SyntheticScreen({ width: 320, height: 200 });
    const b = new SyntheticScreen({ width: 320, height: 200, frame: 17 });
    await a.start();
    await b.start();
    a.tick(17);
    const fa = createFrame(320, 200);
    const fb = createFrame(320, 200);
    await a.grab(fa);
    await b.grab(fb);
    expect(Buffer.from(fa.pixels.buffer).equals(Buffer.from(fb.pixels.buffer))).toBe(true);
    // and a different frame differs
    a.tick();
    await a.grab(fa);
    expect(Buffer.from(fa.pixels.buffer).equals(Buffer.from(fb.pixels.buffer))).toBe(false);
    // nothing but the 24-bit colour is set
    expect(fa.pixels.every((p) => p <= 0xffffff)).toBe(true);
  });

  it('reports damage exactly: every changed pixel is inside a reported rectangle', async () => {
    const s = new SyntheticScreen({ width: 400, height: 300 });
    await s.start();
    const detector = new ChangeDetector({ tileSize: 1 }); // per-pixel truth
    const frame = createFrame(400, 300);
    await s.grab(frame);
    detector.detect(frame);
    expect(s.takeDamage()).toEqual([]);
    for (let i = 0; i < 30; i++) {
      s.tick(i % 3 === 0 ? 4 : 1);
      const damage = s.takeDamage();
      await s.grab(frame);
      const changed = detector.detect(frame);
      expect(changed.length).toBeGreaterThan(0);
      // each changed pixel lies in one of the damage rectangles
      let outside = 0;
      for (const c of changed)
        for (let x = c.x; x < c.x + c.w; x++)
          for (let y = c.y; y < c.y + c.h; y++) if (!damage.some((d) => contains(d, { x, y, w: 1, h: 1 }))) outside++;
      expect(outside).toBe(0);
      // and the damage is small: box (old + new) and counter, not the screen
      const area = damage.reduce((n, d) => n + d.w * d.h, 0);
      expect(area).toBeLessThan(400 * 300 * 0.25);
    }
  });

  it('grabs only the requested areas', async () => {
    const s = new SyntheticScreen({ width: 200, height: 100 });
    await s.start();
    const full = createFrame(200, 100);
    await s.grab(full);
    const part = createFrame(200, 100);
    part.pixels.fill(0xdeadbe);
    const done = await s.grab(part, [{ x: 10, y: 10, w: 20, h: 5 }, { x: 190, y: 95, w: 50, h: 50 }]);
    expect(done).toEqual([
      { x: 10, y: 10, w: 20, h: 5 },
      { x: 190, y: 95, w: 10, h: 5 },
    ]);
    let wrong = 0;
    for (let y = 0; y < 100; y++)
      for (let x = 0; x < 200; x++) {
        const inside = done.some((d) => contains(d, { x, y, w: 1, h: 1 }));
        if (part.pixels[y * 200 + x] !== (inside ? full.pixels[y * 200 + x] : 0xdeadbe)) wrong++;
      }
    expect(wrong).toBe(0);
  });

  it('notifies damage listeners once per batch and resize listeners on resize', async () => {
    const s = new SyntheticScreen({ width: 200, height: 100 });
    await s.start();
    let damageCalls = 0;
    const sizes: Array<[number, number]> = [];
    s.onDamage(() => damageCalls++);
    s.onResize((w, h) => sizes.push([w, h]));
    s.tick();
    s.tick();
    expect(damageCalls).toBe(1);
    s.takeDamage();
    s.tick();
    expect(damageCalls).toBe(2);
    s.resize(120, 80);
    expect(sizes).toEqual([[120, 80]]);
    expect(s.width).toBe(120);
    expect(s.takeDamage()).toEqual([{ x: 0, y: 0, w: 120, h: 80 }]);
    const f = createFrame(120, 80);
    expect(await s.grab(f)).toEqual([{ x: 0, y: 0, w: 120, h: 80 }]);
  });

  it('animates on its own when given a frame rate', async () => {
    const s = new SyntheticScreen({ width: 100, height: 100, fps: 100 });
    await s.start();
    const deadline = Date.now() + 2000;
    while (s.frameNumber < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await s.stop();
    expect(s.frameNumber).toBeGreaterThanOrEqual(3);
    const n = s.frameNumber;
    await new Promise((r) => setTimeout(r, 50));
    expect(s.frameNumber).toBe(n);
  });
});

describe('createScreenSource', () => {
  it('picks synthetic without a display and x11 with one', () => {
    expect(createScreenSource({}, {}).name).toBe('synthetic');
    expect(createScreenSource({ width: 64, height: 48 }, {}).width).toBe(64);
    expect(createScreenSource({}, { DISPLAY: ':5' }).name).toBe('x11');
    expect(createScreenSource({ display: ':7' }, {}).name).toBe('x11');
    expect(createScreenSource({ display: ':7', source: 'synthetic' }, {}).name).toBe('synthetic');
    expect(() => createScreenSource({ source: 'x11' }, {})).toThrow(/display/);
  });
});
