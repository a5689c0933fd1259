/**
 * A terminal scrolling without pause, as a log tails, watched by libvncclient
 * with CopyRect and ZRLE: scrolls are copies, cut around the lines the viewer
 * has not got yet when the next scroll comes (rfb/session/copy-split.ts), and
 * once the output stops the viewer's picture is the X screen, pixel for pixel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Encoding } from '../../src/main/rfb/constants.js';
import { dumpPixels, xScreenPicture } from '../support/capture-compare.js';
import { settle, startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { xrun } from '../support/xvfb.js';
import { startRefClient } from '../support/libvncclient.js';
import { waitFor } from '../support/wait.js';

const WIDTH = 640;
const HEIGHT = 480;
const LINES = 500;

describe('a terminal scrolling continuously, through libvncclient', () => {
  let desk: DesktopServer;
  let term: ChildProcess | null = null;
  let copies = 0;
  let updates = 0;

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 8, frameRate: 60 });
    desk.service.server.on('update', (_s, stats) => {
      updates++;
      copies += stats.rects.filter((r) => r.encoding === Encoding.CopyRect).length;
    });
  }, 60_000);

  afterAll(async () => {
    if (term?.pid && term.exitCode === null) term.kill();
    await desk?.stop();
  });

  it('sends the scrolls as copies and ends pixel-exact', async () => {
    const client = await startRefClient({ host: '127.0.0.1', port: desk.port, format: 'rgb888le', encodings: ['copyrect', 'zrle'] });
    try {
      await client.waitConnected();
      await settle(client, 0);
      // The pointer off the terminal, over the root window's blank cursor: the server paints the
      // pointer into this viewer's picture (no Cursor pseudo-encoding), the X screen's image has none.
      await xrun(desk.xvfb.display, 'xdotool', ['mousemove', String(WIDTH - 4), String(HEIGHT - 4)]);
      // Lines with a counter, a prefix the same on every line and text that varies, 5 every 20 ms; then still.
      const script = `$|=1; for my $i (1..${LINES}) { printf("%06d 2026-01-01 INFO worker-%d: request %d %s\\n", $i, $i % 7, ($i * 7919) % 100000, "x" x ($i % 23)); select(undef, undef, undef, 0.02) if $i % 5 == 0; } print "done\\n"; sleep 3600;`;
      term = spawn('xterm', ['-display', desk.xvfb.display, '-geometry', '80x28+12+10', '-e', 'perl', '-e', script], { stdio: 'ignore' });
      await waitFor('copies while it scrolls', () => (copies >= 20 ? copies : undefined), 20_000, 50);
      // The output lasts about 2 s; wait until the viewer has seen the end and nothing more comes.
      await new Promise((r) => setTimeout(r, 3000));
      await settle(client, client.updateCount - 1);
      const dump = await client.dump();
      const got = dumpPixels(dump.data, WIDTH, HEIGHT);
      const want = await xScreenPicture(desk.xvfb.display, WIDTH, HEIGHT);
      let wrong = 0;
      let first = -1;
      for (let i = 0; i < got.length; i++) {
        if (got[i] === want.pixels[i]) continue;
        wrong++;
        if (first < 0) first = i;
      }
      expect(wrong, `${wrong} pixels differ, the first at (${first % WIDTH}, ${Math.floor(first / WIDTH)})`).toBe(0);
      expect(copies, `CopyRect rectangles in ${updates} updates`).toBeGreaterThan(20);
    } finally {
      await client.close();
    }
  }, 60_000);
});
