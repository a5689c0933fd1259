// The benchmark desktop: a 1920×1080 Xvfb with a generated photo-like
// wallpaper (bench/photo.mjs, from a seed) carrying a panel of text, a text
// terminal with fixed text and a small terminal that echoes keys. Everything
// is computed here, nothing is downloaded, so every run sees the same pixels.

import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openX11 } from '../dist/main/desktop/x11/x11-connection.js';
import { startProcess, sleep } from './procs.mjs';
import { photoPixels } from './photo.mjs';

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

/** Lines for the panel drawn on the wallpaper: a status board with fixed figures. */
function panelLines(rows) {
  const out = [];
  for (let i = 0; i < rows; i++) {
    const n = (i * 7919 + 13) % 10007;
    out.push(`${String(i + 1).padStart(2, '0')}  node-${(n % 97).toString(36).padStart(2, '0')}  load ${((n % 400) / 100).toFixed(2)}  mem ${n % 64} GiB  up ${n % 365} days  ${i % 3 ? 'ok' : 'degraded'}`);
  }
  return out;
}

/** Where the text panel sits on the wallpaper. */
export const PANEL = { x: 1280, y: 790, w: 600, h: 260 };

/**
 * Put a photo-like picture (a pixmap filled by PutImage strips) with a panel
 * of text on it as the root background and repaint the root.
 */
export async function paintWallpaper(display, seed = 1) {
  const conn = await openX11(display, { shm: false });
  try {
    const { client, root, screen } = conn;
    const width = screen.pixel_width;
    const height = screen.pixel_height;
    const pixels = photoPixels(width, height, { seed });
    const gc = client.AllocID();
    client.CreateGC(gc, root, { graphicsExposures: 0 });
    const pixmap = client.AllocID();
    client.CreatePixmap(pixmap, root, screen.root_depth, width, height);
    const budget = Math.min(256 * 1024, conn.maxRequestBytes - 64);
    const rows = Math.max(1, Math.floor(budget / (width * 4)));
    for (let y = 0; y < height; y += rows) {
      const h = Math.min(rows, height - y);
      const strip = Buffer.from(pixels.buffer, y * width * 4, width * h * 4);
      client.PutImage(ZPIXMAP, pixmap, gc, width, h, 0, y, 0, screen.root_depth, strip);
    }
    // the panel: a dark box with lines of text in the server's built-in "fixed" font
    const font = client.AllocID();
    client.OpenFont(font, 'fixed');
    const textGc = client.AllocID();
    client.CreateGC(textGc, root, { graphicsExposures: 0, foreground: 0x1c2430, background: 0x1c2430, font });
    client.PolyFillRectangle(pixmap, textGc, [PANEL.x, PANEL.y, PANEL.w, PANEL.h]);
    client.ChangeGC(textGc, { foreground: 0xe8e4d8 });
    panelLines(Math.floor((PANEL.h - 16) / 15)).forEach((line, i) => client.PolyText8(pixmap, textGc, PANEL.x + 12, PANEL.y + 22 + i * 15, [line]));
    client.ChangeWindowAttributes(root, { backgroundPixmap: pixmap });
    client.ClearArea(root, 0, 0, 0, 0, 0);
    client.FreePixmap(pixmap);
    client.FreeGC(gc);
    client.FreeGC(textGc);
    client.CloseFont(font);
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
      proc.windowId = id;
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
 * A terminal that scrolls at a fixed pace: `linesPerSec` lines of log-like
 * text, printed `tickMs` apart in batches (so 250 lines/s in 20 ms ticks is 5
 * lines a tick), forever (until stopped). Perl keeps the pace without forking
 * per line; ticks are scheduled from the start time, so a late tick does not
 * slow the rate down.
 */
export function scrollingXterm(display, geometry, linesPerSec, tickMs = 1000 / linesPerSec) {
  const perTick = Math.max(1, Math.round((linesPerSec * tickMs) / 1000));
  const tick = (perTick * 1000) / linesPerSec / 1000; // seconds between batches
  const script = `exec perl -MTime::HiRes=time,sleep -e '$|=1; my $i=0; my $t0=time; my $k=0; while (1) { for (1..${perTick}) { $i++; printf("%08d 2026-01-01T00:%02d:%02d.%03d INFO  worker-%d: request %d served in %d ms from lib%s  %s\n", $i, ($i/60000)%60, ($i/1000)%60, $i%1000, $i%7, ($i*7919)%1000000, $i%97, "x" x ($i%13), "=" x ($i%17)); } $k++; my $d = $t0 + $k*${tick} - time; sleep($d) if $d > 0; }'`;
  return startXterm(display, geometry, script);
}

/** Where the workloads' windows go (1920×1080). */
export const LAYOUT = {
  textTerm: '100x40+40+60',
  keyTerm: '40x5+1500+60',
  scrollTerm: '120x50+680+120',
};

/**
 * The benchmark desktop's terminals: one with fixed text (a long log) and a
 * small one running `cat`, whose echo shows each typed key. Returns
 * { text, keys, stop() }; `keys.window` is the small one's geometry.
 */
export async function startBenchTerminals(display) {
  const text = await startXterm(display, LAYOUT.textTerm, 'printf "%s\\n" "$BENCH_TEXT"; exec sleep 3600', { BENCH_TEXT: staticText(3, 38, 100) });
  const keys = await startXterm(display, LAYOUT.keyTerm, 'stty -ixon 2>/dev/null; exec cat');
  return {
    text,
    keys,
    async stop() {
      await keys.stop();
      await text.stop();
    },
  };
}
