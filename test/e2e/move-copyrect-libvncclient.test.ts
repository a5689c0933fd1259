import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GetImageReply } from 'x11';
import { openX11, type X11Connection } from '../../src/main/desktop/x11/x11-connection.js';
import { Encoding } from '../../src/main/rfb/constants.js';
import { settle, startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { startRefClient } from '../support/libvncclient.js';
import { diffReport, expectedFramebuffer, type PixelFormatName } from '../support/pixel-expect.js';
import { NoVncViewer } from '../support/novnc-viewer.js';
import { xrun } from '../support/xvfb.js';

/**
 * Moved windows end to end: a real X window dragged with xdotool reaches
 * libvncclient (and noVNC's decoders) as a CopyRect (plus what it
 * uncovers), and the viewer's picture is the X server's own screen
 * afterwards, pixel for pixel.
 */
const WIDTH = 640;
const HEIGHT = 400;
const WIN_W = 200;
const WIN_H = 140;
const ZPIXMAP = 2;

/** ConfigureWindow with x and y (core request 12), as node-x11 names it; not in the project's x11 typings. */
interface CoreMoveWindow {
  MoveWindow(win: number, x: number, y: number): void;
}

/** Photo-like content: smooth gradients with a little noise. */
function photo(x: number, y: number): number {
  let n = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1);
  n = (n ^ (n >>> 15)) & 7;
  return (((x * 3 + y + n) & 0xff) << 16) | ((((x ^ y) + 2 * n) & 0xff) << 8) | ((y * 2 - x + n) & 0xff);
}

/** A top-level window whose background pixmap is the photo: the X server paints it itself. */
async function photoWindow(conn: X11Connection, x: number, y: number): Promise<number> {
  const { client, root, screen } = conn;
  const pixmap = client.AllocID();
  client.CreatePixmap(pixmap, root, screen.root_depth, WIN_W, WIN_H);
  const gc = client.AllocID();
  client.CreateGC(gc, pixmap, {});
  const img = new Uint32Array(WIN_W * WIN_H);
  for (let j = 0; j < WIN_H; j++) for (let i = 0; i < WIN_W; i++) img[j * WIN_W + i] = photo(i, j);
  for (let j = 0; j < WIN_H; j += 20) {
    const rows = img.subarray(j * WIN_W, (j + 20) * WIN_W);
    client.PutImage(ZPIXMAP, pixmap, gc, WIN_W, 20, 0, j, 0, screen.root_depth, Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength));
  }
  const win = client.AllocID();
  client.CreateWindow(win, root, x, y, WIN_W, WIN_H, 0, screen.root_depth, 1, 0, { backgroundPixmap: pixmap, overrideRedirect: 1 });
  client.MapWindow(win);
  client.FreeGC(gc);
  client.FreePixmap(pixmap);
  await conn.sync();
  return win;
}

/** The X server's screen as 0x00RRGGBB pixels. */
async function screenPixels(conn: X11Connection): Promise<Uint32Array> {
  const rep = await conn.request<GetImageReply>((cb) => conn.client.GetImage(ZPIXMAP, conn.root, 0, 0, WIDTH, HEIGHT, 0xffffffff, cb));
  const px = new Uint32Array(rep.data.buffer.slice(rep.data.byteOffset, rep.data.byteOffset + WIDTH * HEIGHT * 4));
  for (let i = 0; i < px.length; i++) px[i]! &= 0xffffff;
  return px;
}

describe('CopyRect for a moved window', () => {
  let desk: DesktopServer;
  let conn: X11Connection;
  let win = 0;
  const copyRects: number[] = [];

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 7 });
    conn = await openX11(desk.xvfb.display, { shm: false });
    win = await photoWindow(conn, 120, 90);
    desk.service.server.on('update', (_s, stats) => {
      copyRects.push(stats.rects.filter((r) => r.encoding === Encoding.CopyRect).length);
    });
  }, 60_000);

  afterAll(async () => {
    await conn?.close();
    await desk?.stop();
  });

  for (const [format, encodings] of [
    ['rgb888le', ['copyrect', 'zrle']],
    ['rgb565be', ['copyrect', 'raw']],
  ] as Array<[PixelFormatName, string[]]>) {
    it(`libvncclient (${format}, ${encodings.join(' + ')}) shows the dragged window pixel-exact`, async () => {
      const client = await startRefClient({ host: '127.0.0.1', port: desk.port, format, encodings: encodings.join(' ') });
      try {
        await client.waitConnected();
        await settle(client, 0);
        copyRects.length = 0;
        // every direction, overlapping and apart, and out past the right and bottom edges and back
        for (const [x, y] of [
          [150, 110],
          [131, 80],
          [90, 120],
          [330, 200],
          [500, 320],
          [470, 300],
          [40, 20],
        ] as const) {
          const before = client.updateCount;
          await xrun(desk.xvfb.display, 'xdotool', ['windowmove', '--sync', String(win), String(x), String(y)]);
          await settle(client, before);
          const dump = await client.dump();
          const screen = await screenPixels(conn);
          const report = diffReport(expectedFramebuffer(screen, WIDTH, HEIGHT, format), dump.data, WIDTH, HEIGHT, dump.bpp, { format });
          expect(report.equal, `after moving the window to (${x}, ${y}): ${report.summary}`).toBe(true);
        }
        expect(copyRects.reduce((a, b) => a + b, 0), 'CopyRect rectangles sent').toBeGreaterThanOrEqual(5);
      } finally {
        await client.close();
      }
    }, 60_000);
  }

  it("noVNC's CopyRect decoder shows the dragged window pixel-exact", async () => {
    const viewer = await NoVncViewer.connect({ port: desk.port, encodings: [Encoding.CopyRect, Encoding.ZRLE] });
    try {
      await viewer.settle(1);
      for (const [x, y] of [
        [60, 50],
        [85, 41],
        [300, 230],
      ] as const) {
        await xrun(desk.xvfb.display, 'xdotool', ['windowmove', '--sync', String(win), String(x), String(y)]);
        await viewer.settle(1);
        const screen = await screenPixels(conn);
        const seen = viewer.pixels();
        let differ = 0;
        for (let i = 0; i < screen.length; i++) if ((seen[i]! & 0xffffff) !== screen[i]) differ++;
        expect(differ, `pixels that differ after moving the window to (${x}, ${y})`).toBe(0);
      }
      expect(viewer.seen.has(Encoding.CopyRect)).toBe(true);
    } finally {
      viewer.close();
    }
  }, 40_000);

  it('libvncclient (rgb888le, copyrect + zrle) shows the window pixel-exact after a fast drag (moves while updates are in flight)', async () => {
    const client = await startRefClient({ host: '127.0.0.1', port: desk.port, format: 'rgb888le', encodings: 'copyrect zrle' });
    try {
      await client.waitConnected();
      await settle(client, 0);
      copyRects.length = 0;
      const before = client.updateCount;
      // 90 moves along a Lissajous figure, one every 10 ms, each waiting for the X server
      for (let i = 0; i < 90; i++) {
        const x = Math.round(220 + 200 * Math.sin(i * 0.11));
        const y = Math.round(130 + 120 * Math.sin(i * 0.17 + 0.5));
        (conn.client as unknown as CoreMoveWindow).MoveWindow(win, x, y);
        await conn.sync();
        await new Promise((r) => setTimeout(r, 10));
      }
      await settle(client, before);
      const dump = await client.dump();
      const screen = await screenPixels(conn);
      const report = diffReport(expectedFramebuffer(screen, WIDTH, HEIGHT, 'rgb888le'), dump.data, WIDTH, HEIGHT, dump.bpp, { format: 'rgb888le' });
      expect(report.equal, `after the drag: ${report.summary}`).toBe(true);
      expect(copyRects.reduce((a, b) => a + b, 0), 'CopyRect rectangles sent').toBeGreaterThanOrEqual(10);
    } finally {
      await client.close();
    }
  }, 60_000);
});
