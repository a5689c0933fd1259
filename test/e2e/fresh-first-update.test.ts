import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoding } from '../../src/main/rfb/constants.js';
import { createFrame } from '../../src/main/framebuffer/frame.js';
import { diffFrames } from '../support/desktop-image.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { NoVncViewer } from '../support/novnc-viewer.js';
import { waitFor } from '../support/wait.js';

/**
 * Capture pauses while nobody watches. A viewer that connects after the
 * desktop changed meanwhile must get the desktop as it is now in its very
 * first update — not the picture from before the pause, corrected later.
 * Judged by noVNC's decoders against what the X server shows.
 */
const WIDTH = 480;
const HEIGHT = 320;

function asFrame(pixels: Uint32Array) {
  const f = createFrame(WIDTH, HEIGHT);
  f.pixels.set(pixels);
  return f;
}

describe('the first update after a pause in capturing', () => {
  let desk: DesktopServer;

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 7 });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
  });

  it('shows the desktop as changed while no viewer was connected, and the screen is sent once', async () => {
    // A first viewer watches for a while (capturing runs), then leaves.
    const first = await NoVncViewer.connect({ port: desk.port, encodings: [Encoding.ZRLE] });
    await first.settle(1);
    first.close();
    await waitFor('the first viewer to be gone', () => !desk.service.server.hasClients);

    // Nobody watching: the whole desktop changes (a new wallpaper), and the server notices only the damage.
    await desk.painter.paintBackground(8);
    await new Promise((r) => setTimeout(r, 300));

    const second = await NoVncViewer.connect({ port: desk.port, encodings: [Encoding.ZRLE] });
    // Ask for nothing after the first update, so what it shows is that update alone.
    second.paused = true;
    try {
      await waitFor('the first update', () => second.updates >= 1 || second.error !== null);
      if (second.error) throw second.error;
      const diff = diffFrames(asFrame(second.pixels()), desk.painter.expected);
      expect(diff.count, `first update: ${JSON.stringify(diff.first)}`).toBe(0);

      // Nothing more changes: going on watching brings no second copy of the screen.
      second.resume();
      await second.settle(0, 3000, 500);
      const sentPixels = [...second.tally.values()].reduce((n, t) => n + t.pixels, 0);
      expect(sentPixels).toBe(WIDTH * HEIGHT);
    } finally {
      second.close();
    }
  }, 40_000);
});
