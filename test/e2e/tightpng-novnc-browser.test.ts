import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoding } from '../../src/main/rfb/constants.js';
import type { Frame } from '../../src/main/framebuffer/frame.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { openNoVnc } from '../support/novnc-browser.js';

/**
 * Tight's JPEG and TightPNG (−260) through noVNC itself in Chromium, on a
 * real X desktop: the browser decodes the JPEG and PNG images. First noVNC as
 * shipped (Tight, JPEG quality 6). noVNC lists Tight before TightPNG,
 * so the page sends its own SetEncodings with TightPNG alone (through noVNC's
 * RFB.messages) and asks for a full update. Lossless, every pixel must match;
 * with a JPEG quality, the test pattern's noisy areas within a stated error
 * and its text blocks (palette PNGs) exactly.
 */
const WIDTH = 640;
const HEIGHT = 384;
const PAPER = 0xf8f8f0;
const INK = 0x101018;

/** Mean absolute error over the non-text 128×64 blocks, and the wrong pixels in the text blocks. */
function measure(got: Frame, want: Frame): { mae: number; textWrong: number } {
  let abs = 0;
  let n = 0;
  let textWrong = 0;
  for (let by = 0; by < HEIGHT; by += 64) {
    for (let bx = 0; bx < WIDTH; bx += 128) {
      let text = true;
      for (let y = by; y < by + 64 && text; y++) for (let x = bx; x < bx + 128 && text; x++) text = want.pixels[y * WIDTH + x] === PAPER || want.pixels[y * WIDTH + x] === INK;
      for (let y = by; y < by + 64; y++) {
        for (let x = bx; x < bx + 128; x++) {
          const g = got.pixels[y * got.stride + x]! & 0xffffff;
          const e = want.pixels[y * WIDTH + x]!;
          if (text) {
            if (g !== e) textWrong++;
            continue;
          }
          for (const s of [16, 8, 0]) abs += Math.abs(((g >>> s) & 0xff) - ((e >>> s) & 0xff));
          n += 3;
        }
      }
    }
  }
  return { mae: abs / n, textWrong };
}

describe('TightPNG decoded by noVNC in Chromium', () => {
  let desk: DesktopServer;
  const used = new Set<number>();

  const refreshBefore = process.env['TRAYVNC_LOSSLESS_REFRESH_MS'];
  beforeAll(async () => {
    // This test looks at JPEG's loss in the browser's canvas: the lossless refresh, which would
    // redraw those areas exactly 400 ms later, is off for its sessions (the refresh itself is
    // tested in lossless-refresh.test.ts and tight-jpeg-libvncclient.test.ts).
    process.env['TRAYVNC_LOSSLESS_REFRESH_MS'] = '0';
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 1 });
    desk.service.server.on('update', (_s, stats) => {
      for (const r of stats.rects) used.add(r.encoding);
    });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
    if (refreshBefore === undefined) delete process.env['TRAYVNC_LOSSLESS_REFRESH_MS'];
    else process.env['TRAYVNC_LOSSLESS_REFRESH_MS'] = refreshBefore;
  });

  /** Send SetEncodings with `list` through noVNC's own message writer, then ask for a full update. */
  const switchTo = (list: number[]): ((rfb: unknown) => void) =>
    new Function(
      'rfb',
      `rfb.constructor.messages.clientEncodings(rfb._sock, ${JSON.stringify(list)});
       rfb.constructor.messages.fbUpdateRequest(rfb._sock, false, 0, 0, ${WIDTH}, ${HEIGHT});`,
    ) as (rfb: unknown) => void;

  it("noVNC as shipped gets Tight JPEG (quality 6) within mean error 10; TightPNG lossless is exact; TightPNG at quality 8 within 6, text blocks exact", async () => {
    used.clear();
    const b = await openNoVnc({ wsPort: desk.port, viewport: { width: 900, height: 700 }, jpeg: true });
    try {
      // noVNC as shipped lists Tight first with JPEG quality 6: JPEG for the noisy areas, the text blocks exact.
      let last = { mae: 0, textWrong: -1 };
      for (let i = 0; i < 75 && !(last.mae > 0 && last.textWrong === 0); i++) {
        await new Promise((r) => setTimeout(r, 200));
        last = measure(await b.canvasFrame(), desk.painter.expected);
      }
      expect(last.textWrong).toBe(0);
      expect(last.mae).toBeGreaterThan(0);
      expect(last.mae).toBeLessThanOrEqual(10);
      expect([...used]).toEqual([Encoding.Tight]);

      // TightPNG alone, lossless, must then redraw every pixel exactly.
      used.clear();
      await b.withRfb(switchTo([Encoding.TightPNG]));
      const diff = await b.waitForCanvas(desk.painter.expected, 15_000);
      expect(diff.count, JSON.stringify(diff.first)).toBe(0);
      expect([...used]).toEqual([Encoding.TightPNG]);

      // From an exact canvas, any loss now comes from TightPNG's JPEG. Poll (bounded) until the update is drawn.
      used.clear();
      await b.withRfb(switchTo([Encoding.TightPNG, -32 + 8]));
      last = { mae: 0, textWrong: -1 };
      for (let i = 0; i < 75 && !(last.mae > 0); i++) {
        await new Promise((r) => setTimeout(r, 200));
        last = measure(await b.canvasFrame(), desk.painter.expected);
      }
      expect(last.textWrong).toBe(0);
      expect(last.mae).toBeGreaterThan(0);
      expect(last.mae).toBeLessThanOrEqual(6);
      expect([...used]).toEqual([Encoding.TightPNG]);
      expect(b.console.filter((l) => /error/i.test(l))).toEqual([]);
    } finally {
      await b.close();
    }
  }, 60_000);
});
