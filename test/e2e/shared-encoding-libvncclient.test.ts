import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { startRefClient, type RefClient } from '../support/libvncclient.js';
import { diffReport, expectedFramebuffer } from '../support/pixel-expect.js';

/**
 * One encode for many viewers, end to end: several libvncclient viewers with
 * the same settings watch a real X desktop that keeps changing. The server
 * encodes each changed rectangle once and sends the bytes to all, zlib
 * payloads as independent chunks in each viewer's own stream; every viewer's
 * picture must still equal the X screen, also one that joined late and one
 * that leaves the others to carry on alone.
 */
const WIDTH = 640;
const HEIGHT = 400;

describe('viewers with the same settings share encoded rectangles', () => {
  let desk: DesktopServer;

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 11 });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
  });

  async function expectExact(clients: RefClient[], label: string): Promise<void> {
    for (const [i, c] of clients.entries()) {
      const dump = await c.dump();
      const report = diffReport(expectedFramebuffer(desk.painter.expected.pixels, WIDTH, HEIGHT, 'rgb888le'), dump.data, WIDTH, HEIGHT, dump.bpp, { format: 'rgb888le' });
      expect(report.equal, `viewer ${i} ${label}: ${report.summary}`).toBe(true);
    }
  }

  for (const encodings of [['zrle'], ['tight'], ['hextile']] as const) {
    it(`libvncclient viewers (${encodings[0]}) all show the desktop pixel-exact`, async () => {
      const shared = desk.service.server.sharedEncodes;
      const hitsBefore = shared.hits;
      const open = (): Promise<RefClient> => startRefClient({ host: '127.0.0.1', port: desk.port, format: 'rgb888le', encodings: [...encodings] });
      const clients: RefClient[] = [];
      try {
        for (let i = 0; i < 3; i++) clients.push(await open());
        for (const c of clients) await c.waitConnected();
        for (const c of clients) await settle(c, 0);
        for (let step = 0; step < 6; step++) {
          if (step === 3) {
            // A late viewer, then one of the first leaves: the rest go on, sharing or not.
            const late = await open();
            await late.waitConnected();
            await settle(late, 0);
            clients.push(late);
            await clients.shift()!.close();
          }
          const before = clients.map((c) => c.updateCount);
          await desk.painter.paintRect({ x: 20 + step * 70, y: 15 + step * 40, w: 180 + step * 10, h: 120 }, 40 + step);
          if (step % 2 === 1) await desk.painter.scroll({ x: 30, y: 30, w: 560, h: 300 }, step === 1 ? -40 : 24);
          for (const [i, c] of clients.entries()) await settle(c, before[i]!);
          await expectExact(clients, `after step ${step}`);
        }
        expect(shared.hits - hitsBefore, 'rectangles taken from another viewer').toBeGreaterThan(0);
      } finally {
        for (const c of clients) await c.close();
      }
    }, 90_000);
  }
});
