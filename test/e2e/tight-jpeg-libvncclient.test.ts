import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoding } from '../../src/main/rfb/constants.js';
import { settle, startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { startRefClient } from '../support/libvncclient.js';

/**
 * Tight with JPEG end to end: a real X server showing the test pattern (noisy
 * gradients, the worst case for JPEG, and 128×64 blocks of two-colour "text"),
 * our server capturing it, and libvncclient (built with libjpeg) asking for a
 * JPEG quality level and decoding. The noisy areas come back within a stated
 * error; the text blocks, sent through the palette, exactly.
 */
const WIDTH = 640;
const HEIGHT = 384;
const PAPER = 0xf8f8f0;
const INK = 0x101018;

describe('Tight JPEG decoded by libvncclient', () => {
  let desk: DesktopServer;
  const used = new Set<number>();

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 1 });
    desk.service.server.on('update', (_s, stats) => {
      for (const r of stats.rects) used.add(r.encoding);
    });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
  });

  for (const [quality, maxMae, minPsnr] of [
    [8, 6, 30],
    [2, 12, 22],
  ] as const) {
    it(`quality ${quality}: mean error ≤ ${maxMae} and PSNR ≥ ${minPsnr} dB on the noisy areas, text blocks exact, then all exact after the lossless refresh`, async () => {
      const client = await startRefClient({ host: '127.0.0.1', port: desk.port, format: 'rgb888le', encodings: ['tight'], quality });
      try {
        await client.waitConnected();
        // The first update, the whole screen: photo-like areas as JPEG. (Once the screen has
        // been still for a moment they are sent again exactly, checked below.)
        await client.waitUpdates(1, 10_000);
        const dump = await client.dump();
        expect(dump.bpp).toBe(4);
        const want = desk.painter.expected.pixels;
        let abs = 0;
        let sq = 0;
        let lossyPixels = 0;
        let textWrong = 0;
        let textPixels = 0;
        for (let by = 0; by < HEIGHT; by += 64) {
          for (let bx = 0; bx < WIDTH; bx += 128) {
            let text = true;
            for (let y = by; y < by + 64 && text; y++) for (let x = bx; x < bx + 128 && text; x++) text = want[y * WIDTH + x] === PAPER || want[y * WIDTH + x] === INK;
            for (let y = by; y < by + 64; y++) {
              for (let x = bx; x < bx + 128; x++) {
                const i = y * WIDTH + x;
                // rgb888le: the pixel 0x00RRGGBB stored little-endian, as the source.
                const got = dump.data.readUInt32LE(i * 4) & 0xffffff;
                const exp = want[i]!;
                if (text) {
                  textPixels++;
                  if (got !== exp) textWrong++;
                  continue;
                }
                lossyPixels++;
                for (const s of [16, 8, 0]) {
                  const d = ((got >>> s) & 0xff) - ((exp >>> s) & 0xff);
                  abs += Math.abs(d);
                  sq += d * d;
                }
              }
            }
          }
        }
        expect(textPixels).toBeGreaterThan(0);
        expect(lossyPixels).toBeGreaterThan(0);
        expect(textWrong).toBe(0);
        const mae = abs / (lossyPixels * 3);
        const psnr = 10 * Math.log10((255 * 255) / (sq / (lossyPixels * 3)));
        expect(mae).toBeGreaterThan(0); // JPEG was used
        expect(mae).toBeLessThanOrEqual(maxMae);
        expect(psnr).toBeGreaterThanOrEqual(minPsnr);
        console.log(`libvncclient, Tight JPEG quality ${quality}: mean abs error ${mae.toFixed(2)}, PSNR ${psnr.toFixed(1)} dB over ${lossyPixels} pixels`);
        // The lossless refresh: with nothing changing, the JPEG areas come again exactly.
        await settle(client, client.updateCount, 10_000);
        const after = await client.dump();
        let wrong = 0;
        for (let i = 0; i < WIDTH * HEIGHT; i++) if ((after.data.readUInt32LE(i * 4) & 0xffffff) !== want[i]) wrong++;
        expect(wrong, 'pixels still differing after the lossless refresh').toBe(0);
      } finally {
        await client.close();
      }
      expect([...used]).toEqual([Encoding.Tight]);
    });
  }
});
