import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VncService } from '../../src/main/app/vnc-service.js';
import { parseConfig } from '../../src/main/app/config.js';
import { setScreenSize, startXvfb, type XvfbHandle } from '../support/xvfb.js';
import { DesktopPainter } from '../support/desktop-image.js';
import { startRefClient, type RefClient } from '../support/libvncclient.js';
import { diffReport, expectedFramebuffer } from '../support/pixel-expect.js';

/** A server-side desktop resize reaches a connected viewer with the new size and pixel-exact content. */
async function waitFor(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function quiet(client: RefClient): Promise<void> {
  let seen = client.updateCount;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 300));
    if (client.updateCount === seen) return;
    seen = client.updateCount;
  }
}

describe('desktop resize (RandR on Xvfb)', () => {
  let xvfb: XvfbHandle;
  let painter: DesktopPainter;
  let service: VncService;
  let port: number;

  beforeAll(async () => {
    // Xvfb cannot grow past its start size: start at the largest size used.
    xvfb = await startXvfb({ width: 800, height: 600 });
    painter = await DesktopPainter.open(xvfb.display);
    await painter.paintBackground(7);
    service = await VncService.create(parseConfig({ display: xvfb.display, port: 0, frame_rate: 30, host: '127.0.0.1', always_shared: true }));
    port = (await service.start()).port;
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await painter?.close();
    await xvfb?.stop();
  });

  it('sends the new size (ExtendedDesktopSize) and then exact pixels, shrinking and growing', async () => {
    const client = await startRefClient({ host: '127.0.0.1', port, format: 'rgb565le', encodings: ['zrle'] });
    try {
      await client.waitConnected();
      await client.waitUpdates(1);
      for (const [w, h] of [
        [640, 480],
        [800, 600],
      ] as const) {
        await setScreenSize(xvfb.display, w, h);
        await waitFor(() => client.width === w && client.height === h, `the viewer to learn ${w}x${h}`);
        const expected = await painter.expectBackgroundAt(w, h);
        await quiet(client);
        const dump = await client.dump();
        expect([dump.width, dump.height]).toEqual([w, h]);
        const report = diffReport(expectedFramebuffer(expected.pixels, w, h, 'rgb565le'), dump.data, w, h, dump.bpp, { format: 'rgb565le' });
        expect(report.equal, `at ${w}x${h}: ${report.summary}`).toBe(true);
      }
    } finally {
      await client.close();
    }
  }, 60_000);
});
