import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoding } from '../../src/main/rfb/constants.js';
import { settle, startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { startRefClient } from '../support/libvncclient.js';
import { diffReport, expectedFramebuffer, type PixelFormatName } from '../support/pixel-expect.js';
import { NoVncViewer } from '../support/novnc-viewer.js';
import { createFrame } from '../../src/main/framebuffer/frame.js';
import { diffFrames } from '../support/desktop-image.js';

/**
 * CopyRect end to end: content scrolled on a real X server reaches the
 * viewer as CopyRect rectangles (plus the newly exposed strip), pixel-exact.
 */
const WIDTH = 640;
const HEIGHT = 400;

describe('CopyRect for scrolled content', () => {
  let desk: DesktopServer;
  const copyRects: number[] = [];

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 5 });
    desk.service.server.on('update', (_s, stats) => {
      copyRects.push(stats.rects.filter((r) => r.encoding === Encoding.CopyRect).length);
    });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
  });

  for (const format of ['rgb888le', 'rgb888be', 'rgb565le', 'rgb565be', 'bgr233'] as PixelFormatName[]) {
    it(`libvncclient (${format}, CopyRect + Raw) shows scrolled content pixel-exact`, async () => {
      const client = await startRefClient({ host: '127.0.0.1', port: desk.port, format, encodings: ['copyrect', 'raw'] });
      try {
        await client.waitConnected();
        await settle(client, 0);
        copyRects.length = 0;
        for (const dy of [-48, 32, -100]) {
          const before = client.updateCount;
          await desk.painter.scroll({ x: 40, y: 30, w: 500, h: 320 }, dy);
          await settle(client, before);
          const dump = await client.dump();
          const report = diffReport(expectedFramebuffer(desk.painter.expected.pixels, WIDTH, HEIGHT, format), dump.data, WIDTH, HEIGHT, dump.bpp, { format });
          expect(report.equal, `after scrolling by ${dy}: ${report.summary}`).toBe(true);
        }
        expect(copyRects.reduce((a, b) => a + b, 0), 'CopyRect rectangles sent').toBeGreaterThan(0);
      } finally {
        await client.close();
      }
    }, 40_000);
  }

  it("noVNC's CopyRect decoder shows scrolled content pixel-exact", async () => {
    const viewer = await NoVncViewer.connect({ port: desk.port, encodings: [Encoding.CopyRect, Encoding.ZRLE] });
    try {
      await viewer.settle(1);
      for (const dy of [-64, 17]) {
        await desk.painter.scroll({ x: 10, y: 60, w: 600, h: 300 }, dy);
        await viewer.settle(1);
        const f = createFrame(WIDTH, HEIGHT);
        f.pixels.set(viewer.pixels());
        const diff = diffFrames(f, desk.painter.expected);
        expect(diff.count, `after scrolling by ${dy}: ${JSON.stringify(diff.first)}`).toBe(0);
      }
      expect(viewer.seen.has(Encoding.CopyRect)).toBe(true);
    } finally {
      viewer.close();
    }
  }, 40_000);
});
