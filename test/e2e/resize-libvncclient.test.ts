import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setScreenSize } from '../support/xvfb.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
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
  let desk: DesktopServer;

  beforeAll(async () => {
    // Xvfb cannot grow past its start size: start at the largest size used.
    desk = await startDesktopServer({ width: 800, height: 600, seed: 7, frameRate: 30 });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
  });

  it('sends the new size (ExtendedDesktopSize) and then exact pixels, shrinking and growing', async () => {
    const client = await startRefClient({ host: '127.0.0.1', port: desk.port, format: 'rgb565le', encodings: ['zrle'] });
    try {
      await client.waitConnected();
      await client.waitUpdates(1);
      for (const [w, h] of [
        [640, 480],
        [800, 600],
      ] as const) {
        await setScreenSize(desk.xvfb.display, w, h);
        await waitFor(() => client.width === w && client.height === h, `the viewer to learn ${w}x${h}`);
        const expected = await desk.painter.expectBackgroundAt(w, h);
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
