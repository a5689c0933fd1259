import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VncService } from '../../src/main/app/vnc-service.js';
import { parseConfig } from '../../src/main/app/config.js';
import { listX11Monitors } from '../../src/main/desktop/x11/x11-randr.js';
import { DesktopPainter, renderPattern } from '../support/desktop-image.js';
import { hideCursor } from '../support/desktop-server.js';
import { startRefClient } from '../support/libvncclient.js';
import { diffReport, expectedFramebuffer } from '../support/pixel-expect.js';
import { startXvfb, xrun, type XvfbHandle } from '../support/xvfb.js';
import { settle } from '../support/desktop-server.js';

/** Sharing part of the desktop: a rectangle (--clip) or one RandR output (--monitor). */
describe('monitor and clip choice', () => {
  let xvfb: XvfbHandle;
  let painter: DesktopPainter;

  beforeAll(async () => {
    xvfb = await startXvfb({ width: 800, height: 600 });
    painter = await DesktopPainter.open(xvfb.display);
    await painter.paintBackground(13);
    await hideCursor(xvfb.display);
  }, 60_000);

  afterAll(async () => {
    await painter?.close();
    await xvfb?.stop();
  });

  async function serve(extra: Record<string, unknown>): Promise<VncService> {
    const s = await VncService.create(parseConfig({ display: xvfb.display, port: 0, host: '127.0.0.1', frame_rate: 30, ...extra }));
    await s.start();
    return s;
  }

  it('--clip shares exactly that rectangle, and pointer input lands inside it', async () => {
    const service = await serve({ clip: '300x200+150+100' });
    const client = await startRefClient({ host: '127.0.0.1', port: service.listening!.port, format: 'rgb888le', encodings: ['zrle'] });
    try {
      const conn = await client.waitConnected();
      expect([conn.width, conn.height]).toEqual([300, 200]);
      await settle(client, 0);
      const full = renderPattern(800, 600, 13);
      const want = new Uint32Array(300 * 200);
      for (let y = 0; y < 200; y++) want.set(full.pixels.subarray((y + 100) * 800 + 150, (y + 100) * 800 + 450), y * 300);
      const dump = await client.dump();
      const report = diffReport(expectedFramebuffer(want, 300, 200, 'rgb888le'), dump.data, 300, 200, dump.bpp, { format: 'rgb888le' });
      expect(report.equal, report.summary).toBe(true);

      // A change inside the clip arrives; the pointer is offset by the clip's origin.
      const before = client.updateCount;
      await painter.paintRect({ x: 200, y: 150, w: 40, h: 30 }, 77);
      await settle(client, before);
      const after = await client.dump();
      const px = after.data.readUInt32LE(((150 - 100) * 300 + (200 - 150)) * 4) & 0xffffff;
      expect(px).toBe(painter.expected.pixels[150 * 800 + 200]);
      await client.pointer(10, 20, 0);
      const deadline = Date.now() + 5000;
      let where = '';
      while (Date.now() < deadline && !where.startsWith('x:160 y:120')) {
        where = await xrun(xvfb.display, 'xdotool', ['getmouselocation']);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(where).toMatch(/^x:160 y:120 /);
    } finally {
      await client.close();
      await service.stop();
    }
  }, 40_000);

  it('--monitor shares one RandR output by name or index, and refuses an unknown one clearly', async () => {
    const [first] = await listX11Monitors(xvfb.display);
    expect(first).toBeDefined();
    for (const monitor of [first!.name, '0']) {
      const service = await serve({ monitor });
      expect([service.source.width, service.source.height]).toEqual([first!.w, first!.h]);
      await service.stop();
    }
    await expect(serve({ monitor: 'NOPE-9' })).rejects.toThrow(/no monitor "NOPE-9".*there are: 0: /);
  }, 40_000);
});
