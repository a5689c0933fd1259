// A child process that moves things on the benchmark desktop, so the
// benchmark's own process only plays the viewer:
//
//   node bench/x-actor.mjs motion DISPLAY   a 480×320 photo window dragged along a
//                                            Lissajous path, 30 moves a second
//   node bench/x-actor.mjs video DISPLAY    a 480×270 photo-like animation at 25 fps
//
// Options: --fps N, --x, --y (top-left, video) --secs S (stops by itself).
// Prints "ready x y w h" once the window is up. Each move waits for the X
// server to have done it (a round trip, as `xdotool windowmove --sync`);
// moves and frames are scheduled from the start time so late ones do not
// slow the rate. The window's background is the picture (motion) or frames
// are copied from pixmaps made up front (video): the X server does the
// drawing and this process stays light.

import { parseArgs } from 'node:util';
import { openX11 } from '../dist/main/desktop/x11/x11-connection.js';
import { photoFrames, photoPixels } from './photo.mjs';

const ZPIXMAP = 2;
const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: { fps: { type: 'string' }, x: { type: 'string' }, y: { type: 'string' }, secs: { type: 'string', default: '120' }, frames: { type: 'string', default: '25' } },
});
const [mode, display] = positionals;
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A pixmap holding `pixels` (w×h, 0x00RRGGBB), filled by PutImage strips within the request limit. */
function pixmapOf(conn, gc, pixels, w, h) {
  const { client, root, screen } = conn;
  const pix = client.AllocID();
  client.CreatePixmap(pix, root, screen.root_depth, w, h);
  const rows = Math.max(1, Math.floor(Math.min(256 * 1024, conn.maxRequestBytes - 64) / (w * 4)));
  for (let y = 0; y < h; y += rows) {
    const n = Math.min(rows, h - y);
    client.PutImage(ZPIXMAP, pix, gc, w, n, 0, y, 0, screen.root_depth, Buffer.from(pixels.buffer, y * w * 4, w * n * 4));
  }
  return pix;
}

async function main() {
  const conn = await openX11(display, { shm: false });
  const { client, root, screen } = conn;
  const gc = client.AllocID();
  client.CreateGC(gc, root, { graphicsExposures: 0 });
  const secs = Math.min(600, Number(o.secs) || 120);
  const t0 = performance.now();
  let stop = false;
  process.on('SIGTERM', () => {
    stop = true;
  });
  const win = client.AllocID();
  if (mode === 'motion') {
    const w = 480;
    const h = 320;
    const fps = Number(o.fps) || 30;
    const bg = pixmapOf(conn, gc, photoPixels(w, h, { seed: 11, scale: 90 }), w, h);
    // Lissajous over most of the screen: x at 3 cycles, y at 2 cycles per 12 s
    const cx = (screen.pixel_width - w) / 2;
    const cy = (screen.pixel_height - h) / 2;
    const pos = (t) => [Math.round(cx + cx * 0.9 * Math.sin((2 * Math.PI * 3 * t) / 12)), Math.round(cy + cy * 0.9 * Math.sin((2 * Math.PI * 2 * t) / 12 + Math.PI / 4))];
    const [x0, y0] = pos(0);
    client.CreateWindow(win, root, x0, y0, w, h, 0, 0, 1, 0, { backgroundPixmap: bg, overrideRedirect: 1 });
    client.MapWindow(win);
    await conn.sync();
    process.stdout.write(`ready ${x0} ${y0} ${w} ${h}\n`);
    for (let k = 1; !stop && (performance.now() - t0) / 1000 < secs; k++) {
      await sleep(t0 + (k * 1000) / fps - performance.now());
      const [x, y] = pos(k / fps);
      client.MoveWindow(win, x, y);
      await conn.sync();
    }
  } else if (mode === 'video') {
    const w = 480;
    const h = 270;
    const fps = Number(o.fps) || 25;
    const x = Number(o.x ?? 1400);
    const y = Number(o.y ?? 400);
    const frames = photoFrames(w, h, Math.max(2, Math.min(100, Number(o.frames) || 25))).map((px) => pixmapOf(conn, gc, px, w, h));
    client.CreateWindow(win, root, x, y, w, h, 0, 0, 1, 0, { backgroundPixmap: frames[0], overrideRedirect: 1 });
    client.MapWindow(win);
    await conn.sync();
    process.stdout.write(`ready ${x} ${y} ${w} ${h}\n`);
    const start = performance.now();
    for (let k = 1; !stop && (performance.now() - t0) / 1000 < secs; k++) {
      await sleep(start + (k * 1000) / fps - performance.now());
      client.CopyArea(frames[k % frames.length], win, gc, 0, 0, 0, 0, w, h);
      await conn.sync();
    }
  } else {
    throw new Error(`unknown mode ${mode} (motion or video)`);
  }
  client.DestroyWindow(win);
  await conn.close();
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`x-actor: ${e.stack ?? e}\n`);
    process.exit(1);
  },
);
