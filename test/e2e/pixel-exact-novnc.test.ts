import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoding, encodingName } from '../../src/main/rfb/constants.js';
import { diffFrames } from '../support/desktop-image.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { NoVncViewer } from '../support/novnc-viewer.js';
import { createFrame } from '../../src/main/framebuffer/frame.js';

/**
 * Pixel-exact end to end with noVNC's decoders (the browser client's own code)
 * on a real X server: first full update and an incremental one after a change.
 */
const WIDTH = 640;
const HEIGHT = 400;

const CASES: Array<{ name: string; encodings: number[]; expect: number; format?: 'rgb888be' }> = [
  { name: 'Raw', encodings: [Encoding.Raw], expect: Encoding.Raw },
  { name: 'RRE', encodings: [Encoding.RRE], expect: Encoding.RRE },
  { name: 'Hextile', encodings: [Encoding.Hextile], expect: Encoding.Hextile },
  { name: 'Zlib', encodings: [Encoding.Zlib], expect: Encoding.Zlib },
  { name: 'ZRLE', encodings: [Encoding.ZRLE], expect: Encoding.ZRLE },
  { name: 'Tight', encodings: [Encoding.Tight], expect: Encoding.Tight },
  // Big-endian 32 bpp Tight: TPIXELs are (R, G, B) bytes whatever the client's byte order.
  { name: 'Tight, 32 bpp big-endian', encodings: [Encoding.Tight], expect: Encoding.Tight, format: 'rgb888be' },
  // Big-endian 32 bpp ZRLE: the CPIXELs are (R, G, B) bytes, exactly what noVNC's decoder reads.
  { name: 'ZRLE, 32 bpp big-endian', encodings: [Encoding.ZRLE], expect: Encoding.ZRLE, format: 'rgb888be' },
  // noVNC's own preference list: everything it decodes, best first.
  { name: "noVNC's list", encodings: [Encoding.CopyRect, Encoding.ZRLE, Encoding.Hextile, Encoding.RRE, Encoding.Zlib, Encoding.Raw], expect: Encoding.ZRLE },
];

function asFrame(pixels: Uint32Array) {
  const f = createFrame(WIDTH, HEIGHT);
  f.pixels.set(pixels);
  return f;
}

describe("pixel-exact updates decoded by noVNC's decoders", () => {
  let desk: DesktopServer;

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 3 });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
  });

  let change = 0;
  for (const c of CASES) {
    it(`${c.name}: full update, then an incremental one after the screen changes`, async () => {
      const viewer = await NoVncViewer.connect({ port: desk.port, encodings: c.encodings, format: c.format ?? 'novnc' });
      try {
        await viewer.settle(1);
        let diff = diffFrames(asFrame(viewer.pixels()), desk.painter.expected);
        expect(diff.count, `first update: ${JSON.stringify(diff.first)}`).toBe(0);

        change++;
        await desk.painter.paintRect({ x: 41 + change * 29, y: 23 + change * 17, w: 157, h: 101 }, change + 10);
        await desk.painter.paintRect({ x: 320, y: 16 * (2 + change), w: 160, h: 64 }, change + 50);
        await viewer.settle(1);
        diff = diffFrames(asFrame(viewer.pixels()), desk.painter.expected);
        expect(diff.count, `after the change: ${JSON.stringify(diff.first)}`).toBe(0);
        expect([...viewer.seen].map(encodingName)).toContain(encodingName(c.expect));
        if (c.format === 'rgb888be') expect([...viewer.seen]).toEqual([c.expect]);
      } finally {
        viewer.close();
      }
    }, 40_000);
  }
});
