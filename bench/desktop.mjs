// The benchmark desktop: a 1920×1080 Xvfb with a deterministic busy wallpaper
// (the same pattern the tests paint) and a few static xterms with fixed text.

import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openX11 } from '../dist/main/desktop/x11/x11-connection.js';
import { startProcess, sleep } from './procs.mjs';

const execFileAsync = promisify(execFile);
const ZPIXMAP = 2;

function displayInUse(n) {
  return existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`);
}

async function socketReady(n) {
  const path = `/tmp/.X11-unix/X${n}`;
  if (!existsSync(path)) return false;
  return new Promise((resolve) => {
    const s = connect(path);
    const done = (v) => {
      clearTimeout(t);
      s.destroy();
      resolve(v);
    };
    const t = setTimeout(() => done(false), 500);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Start Xvfb on a free display from :first; returns { display, proc }. */
export async function startXvfb(width, height, first = 140, attempts = 30) {
  for (let n = first; n < first + attempts; n++) {
    if (displayInUse(n)) continue;
    const proc = startProcess('Xvfb', [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-ac', '-noreset', '+extension', 'DAMAGE', '+extension', 'RANDR']);
    const deadline = Date.now() + 10000;
    for (let i = 0; i < 400 && Date.now() < deadline; i++) {
      if (proc.exited()) break;
      if (await socketReady(n)) return { display: `:${n}`, proc };
      await sleep(25);
    }
    await proc.stop();
  }
  throw new Error(`could not start Xvfb on :${first}..:${first + attempts - 1}`);
}

function hash(x, y, seed) {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Same pattern as test/support/desktop-image.ts: gradients, noise texture, blocks of glyph-like text. */
function patternPixel(x, y, seed) {
  const block = hash(x >> 7, y >> 6, seed);
  if ((block & 3) === 0) {
    const gx = x & 7;
    const gy = y & 15;
    const cell = hash(x >> 3, y >> 4, seed ^ 0x51ed270b);
    const ink = gx < 6 && gy >= 3 && gy < 13 && ((cell >>> ((gy - 3) * 3 + (gx % 3))) & 1) === 1;
    return ink ? 0x101018 : 0xf8f8f0;
  }
  const n = hash(x, y, seed);
  const r = ((x >> 2) + (n & 0x1f)) & 0xff;
  const g = ((y >> 2) + ((n >>> 5) & 0x1f)) & 0xff;
  const b = (((x + y) >> 3) ^ ((n >>> 10) & 0x3f)) & 0xff;
  return (r << 16) | (g << 8) | b;
}

/** Make the pattern the root background (a pixmap filled by PutImage strips) and repaint the root. */
export async function paintWallpaper(display, seed = 1) {
  const conn = await openX11(display, { shm: false });
  try {
    const { client, root, screen } = conn;
    const width = screen.pixel_width;
    const height = screen.pixel_height;
    const gc = client.AllocID();
    client.CreateGC(gc, root, { graphicsExposures: 0 });
    const pixmap = client.AllocID();
    client.CreatePixmap(pixmap, root, screen.root_depth, width, height);
    const budget = Math.min(256 * 1024, conn.maxRequestBytes - 64);
    const rows = Math.max(1, Math.floor(budget / (width * 4)));
    for (let y = 0; y < height; y += rows) {
      const h = Math.min(rows, height - y);
      const strip = new Uint32Array(width * h);
      for (let i = 0; i < h; i++) for (let x = 0; x < width; x++) strip[i * width + x] = patternPixel(x, y + i, seed);
      client.PutImage(ZPIXMAP, pixmap, gc, width, h, 0, y, 0, screen.root_depth, Buffer.from(strip.buffer));
    }
    client.ChangeWindowAttributes(root, { backgroundPixmap: pixmap });
    client.ClearArea(root, 0, 0, 0, 0, 0);
    client.FreePixmap(pixmap);
    client.FreeGC(gc);
    await conn.sync();
  } finally {
    await conn.close();
  }
}

async function windowMapped(display, title) {
  try {
    const { stdout } = await execFileAsync('xdotool', ['search', '--onlyvisible', '--name', `^${title}$`], {
      env: { ...process.env, DISPLAY: display },
      timeout: 3000,
    });
    return stdout.trim().split('\n')[0] || null;
  } catch {
    return null; // xdotool exits 1 when nothing matches
  }
}

/** Absolute geometry of an X window, with its border: { x, y, w, h } or null. */
async function windowGeometry(display, id) {
  try {
    const { stdout } = await execFileAsync('xwininfo', ['-id', id], { env: { ...process.env, DISPLAY: display }, timeout: 3000 });
    const num = (re) => Number(re.exec(stdout)?.[1]);
    const b = num(/Border width:\s+(\d+)/) || 0;
    return { x: num(/Absolute upper-left X:\s+(-?\d+)/) - b, y: num(/Absolute upper-left Y:\s+(-?\d+)/) - b, w: num(/Width:\s+(\d+)/) + 2 * b, h: num(/Height:\s+(\d+)/) + 2 * b };
  } catch {
    return null;
  }
}

let xtermSeq = 0;

/**
 * Run an xterm at `geometry` running `sh -c script` and wait (bounded) until
 * its window is mapped. Returns the tracked process handle.
 */
export async function startXterm(display, geometry, script, env = {}) {
  const title = `trayvnc-bench-${process.pid}-${++xtermSeq}`;
  const proc = startProcess('xterm', ['-display', display, '-geometry', geometry, '-T', title, '+sb', '-e', 'sh', '-c', script], {
    env: { ...process.env, DISPLAY: display, ...env },
  });
  const deadline = Date.now() + 10000;
  for (let i = 0; i < 200 && Date.now() < deadline; i++) {
    if (proc.exited()) break;
    const id = await windowMapped(display, title);
    if (id) {
      proc.window = await windowGeometry(display, id);
      return proc;
    }
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`xterm ${geometry} did not appear: ${proc.stderrText().slice(-400)}`);
}

/** Deterministic text for the static terminals. */
function staticText(seed, lines, cols) {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango', '0x1f3a', '42', 'src/main/rfb', '-rw-r--r--', 'drwxr-xr-x', '1920x1080'];
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 8;
  };
  const out = [];
  for (let l = 0; l < lines; l++) {
    let line = '';
    while (line.length < cols - 12) line += (line ? ' ' : '') + words[next() % words.length];
    out.push(line);
  }
  return out.join('\n');
}

/** Three static terminals with fixed text; returns their handles. */
export async function startStaticXterms(display) {
  const geoms = [
    ['100x40+30+40', 40, 100],
    ['90x30+700+120', 30, 90],
    ['80x20+1200+600', 20, 80],
  ];
  const procs = [];
  for (let i = 0; i < geoms.length; i++) {
    const [g, lines, cols] = geoms[i];
    procs.push(await startXterm(display, g, 'printf "%s\\n" "$BENCH_TEXT"; exec sleep 3600', { BENCH_TEXT: staticText(i + 1, lines - 2, cols) }));
  }
  return procs;
}

/**
 * A terminal that scrolls at a fixed pace: `linesPerSec` lines of `ls -la`-like
 * text, forever (until stopped). Perl keeps the pace without forking per line.
 */
export function scrollingXterm(display, geometry, linesPerSec) {
  const script = `exec perl -e '$|=1; my $i=0; my $d=1/${linesPerSec}; while (1) { $i++; printf("%08d -rw-r--r-- 1 root root %9d Jan  1 00:00 lib%s.so.%d  %s\\n", $i, ($i*7919)%1000000, "x" x ($i%23), $i%7, "=" x ($i%41)); select(undef,undef,undef,$d); }'`;
  return startXterm(display, geometry, script);
}
