// Window-move benchmark: a 480×320 photo-like window dragged along a
// Lissajous path over a photo-like wallpaper on a 1920×1080 Xvfb, with
// TrayVNC and TigerVNC's X0tigervnc (when installed) serving the same desktop.
//
//   npm run build && node bench/motion.mjs [--secs S] [--rounds N] [--rate MOVES_PER_SEC] [--servers trayvnc,x0tigervnc] [--before DIR]
//
// --before DIR adds "trayvnc-before": DIR/dist/main/cli.js, another build of
// TrayVNC (say, of the commit before a change), measured in the same rounds.
//
// Per server and round: one viewer (CopyRect + ZRLE, 32 bpp) asks for the
// whole screen, then asks again as soon as each update has arrived, while
// `xdotool windowmove --sync` moves the window `--rate` times a second for
// `--secs` seconds. Measured: updates/s, bytes/s, CopyRect rectangles, and
// the server's CPU (% of one core, from /proc). Rounds go server by server
// (A, B, A, B, …) so changes in the machine's load hit both alike; the
// figures are medians over the rounds. Figures only, no pass or fail.

import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { openRfb, ENC } from './rfb-client.mjs';
import { startProcess, measureCpu, sleep, which, stopAll } from './procs.mjs';
import { startXvfb, paintWallpaper } from './desktop.mjs';
import { openX11 } from '../dist/main/desktop/x11/x11-connection.js';
import { startServer } from './servers.mjs';

const execFileAsync = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WIDTH = 1920;
const HEIGHT = 1080;
const WIN_W = 480;
const WIN_H = 320;

const { values: opts } = parseArgs({
  options: {
    secs: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    rate: { type: 'string', default: '30' },
    servers: { type: 'string', default: 'trayvnc,x0tigervnc' },
    before: { type: 'string' },
  },
});
const SECS = Math.max(2, Math.min(60, Number(opts.secs) || 10));
const ROUNDS = Math.max(1, Math.min(15, Number(opts.rounds) || 3));
const RATE = Math.max(1, Math.min(120, Number(opts.rate) || 30));
const WANTED = new Set(opts.servers.split(',').map((s) => s.trim().toLowerCase()));

const T0 = performance.now();
const log = (msg) => process.stderr.write(`[motion +${((performance.now() - T0) / 1000).toFixed(1)}s] ${msg}\n`);

function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function trayvnc(id, label, root, display) {
  return {
    id,
    label,
    bin: process.execPath,
    args: (port) => [join(root, 'dist', 'main', 'cli.js'), 'serve', '--display', display, '--port', String(port), '--host', '127.0.0.1', '--frame-rate', '60', '--log-level', 'warn'],
    env: { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'trayvnc-motion-config-')) },
    ready: (proc) => proc.stdoutText().includes('TrayVNC listening'),
  };
}

function serverDefs(display) {
  if (opts.before) WANTED.add('trayvnc-before');
  return [
    trayvnc('trayvnc', 'TrayVNC', ROOT, display),
    ...(opts.before ? [trayvnc('trayvnc-before', 'TrayVNC (before)', opts.before, display)] : []),
    {
      id: 'x0tigervnc',
      label: 'X0tigervnc',
      bin: which('X0tigervnc'),
      args: (port) => ['-display', display, '-rfbport', String(port), '-SecurityTypes', 'None', '-localhost', '-AlwaysShared', '-FrameRate', '60'],
    },
  ].filter((d) => WANTED.has(d.id) && d.bin);
}

/** A photo-like wallpaper (ImageMagick's fractal plasma, fixed seed) as the root background; the bench pattern without ImageMagick. */
async function photoWallpaper(display, dir) {
  const env = { ...process.env, DISPLAY: display };
  if (!which('convert') || !which('display')) {
    await paintWallpaper(display);
    return 'bench pattern (no ImageMagick)';
  }
  const file = join(dir, 'wallpaper.png');
  execFileSync('convert', ['-seed', '1', '-size', `${WIDTH}x${HEIGHT}`, 'plasma:fractal', file], { timeout: 60000 });
  // display sets the root's background and leaves; ImageMagick 6 exits 1 after it even so
  spawnSync('display', ['-window', 'root', file], { env, timeout: 60000 });
  return 'plasma:fractal, seed 1';
}

/** The 480×320 photo window (`display` of a fractal plasma), mapped at (x, y); returns { proc, id }. */
async function photoWindow(display, dir, x, y) {
  const file = join(dir, 'photo.png');
  execFileSync('convert', ['-seed', '2', '-size', `${WIN_W}x${WIN_H}`, 'plasma:fractal', file], { timeout: 60000 });
  const title = `trayvnc-motion-${process.pid}`;
  const env = { ...process.env, DISPLAY: display };
  const proc = startProcess('display', ['-title', title, '-geometry', `+${x}+${y}`, file], { env });
  for (let i = 0; i < 200; i++) {
    try {
      const { stdout } = await execFileAsync('xdotool', ['search', '--onlyvisible', '--name', `^${title}$`], { env, timeout: 3000 });
      const id = stdout.trim().split('\n')[0];
      if (id) return { proc, id };
    } catch {
      /* not mapped yet */
    }
    if (proc.exited()) break;
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`the photo window did not appear: ${proc.stderrText().slice(-400)}`);
}

/** Where the window is at move i: a Lissajous figure over most of the screen. */
function pathAt(i) {
  const t = i / RATE;
  return {
    x: Math.round((WIDTH - WIN_W) / 2 + 620 * Math.sin(2 * Math.PI * 0.11 * t)),
    y: Math.round((HEIGHT - WIN_H) / 2 + 300 * Math.sin(2 * Math.PI * 0.17 * t + 0.5)),
  };
}

/**
 * Move the window RATE times a second until stop(), each move waiting for the
 * X server as `xdotool windowmove --sync` does, but over one X connection:
 * starting xdotool 30 times a second costs more than the servers measured,
 * and on a busy machine it could not keep the pace.
 */
async function startMover(display, id) {
  const conn = await openX11(display, { shm: false });
  let running = true;
  let moves = 0;
  const done = (async () => {
    const start = performance.now();
    for (let i = 0; running && i < 100000; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const { x, y } = pathAt(i);
      conn.client.MoveWindow(Number(id), x, y);
      await conn.sync();
      moves++;
    }
    await conn.close();
  })();
  return {
    async stop() {
      running = false;
      await done;
      return moves;
    },
  };
}

async function measure(def, server, display, win, xvfbPid) {
  const c = await openRfb(server.port);
  try {
    c.setEncodings([ENC.CopyRect, ENC.ZRLE]);
    c.request(false);
    await c.nextUpdate(20000);
    let recording = [];
    let loop = true;
    c.onUpdate = (u) => {
      if (recording && recording.length < 100000) recording.push(u);
      if (loop) c.request(true);
    };
    c.request(true);
    await sleep(500);
    recording = [];
    const mover = await startMover(display, win.id);
    const t0 = performance.now();
    const [cpuServer, cpuXvfb] = await measureCpu([server.proc.pid, xvfbPid], SECS * 1000);
    const t1 = performance.now();
    const ups = recording.filter((u) => u.doneAt <= t1);
    recording = null;
    const moves = await mover.stop();
    loop = false;
    if (c.failed()) throw c.failed();
    const secs = (t1 - t0) / 1000;
    const bytes = ups.reduce((a, u) => a + u.bytes, 0);
    const encodings = {};
    for (const u of ups) for (const [k, v] of Object.entries(u.encodings)) encodings[k] = (encodings[k] ?? 0) + v;
    return {
      movesPerSec: moves / ((performance.now() - t0) / 1000),
      updatesPerSec: ups.length / secs,
      bytesPerSec: bytes / secs,
      pixelsPerUpdate: ups.length ? ups.reduce((a, u) => a + u.pixels, 0) / ups.length : 0,
      copyRectsPerSec: (encodings.CopyRect ?? 0) / secs,
      encodings,
      cpuServer,
      cpuXvfb,
    };
  } finally {
    c.close();
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'trayvnc-motion-'));
  const { display, proc: xvfb } = await startXvfb(WIDTH, HEIGHT, 160);
  log(`Xvfb ${display}`);
  const wallpaper = await photoWallpaper(display, dir);
  const start = pathAt(0);
  const win = await photoWindow(display, dir, start.x, start.y);
  const running = [];
  for (const def of serverDefs(display)) {
    try {
      running.push({ def, server: await startServer(ROOT, def), runs: [] });
      log(`${def.label} up`);
    } catch (e) {
      log(`${def.label}: ${e.message}`);
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of running) {
      try {
        const m = await measure(r.def, r.server, display, win, xvfb.pid);
        r.runs.push(m);
        log(`${r.def.label} round ${round + 1}: ${m.updatesPerSec.toFixed(1)} updates/s, ${(m.bytesPerSec / 1048576).toFixed(2)} MiB/s, ${m.copyRectsPerSec.toFixed(1)} CopyRect/s, server CPU ${m.cpuServer?.toFixed(1)} %, ${m.movesPerSec.toFixed(1)} moves/s`);
      } catch (e) {
        log(`${r.def.label} round ${round + 1}: ERROR ${e.message}`);
      }
      await sleep(500);
    }
  }
  const results = {
    date: new Date().toISOString(),
    setup: { screen: `${WIDTH}x${HEIGHT}`, window: `${WIN_W}x${WIN_H}`, wallpaper, movesPerSec: RATE, secs: SECS, rounds: ROUNDS, encodings: 'CopyRect, ZRLE' },
    servers: running.map((r) => ({
      id: r.def.id,
      updatesPerSec: median(r.runs.map((m) => m.updatesPerSec)),
      bytesPerSec: median(r.runs.map((m) => m.bytesPerSec)),
      copyRectsPerSec: median(r.runs.map((m) => m.copyRectsPerSec)),
      pixelsPerUpdate: median(r.runs.map((m) => m.pixelsPerUpdate)),
      cpuServer: median(r.runs.map((m) => m.cpuServer)),
      movesPerSec: median(r.runs.map((m) => m.movesPerSec)),
      runs: r.runs,
    })),
  };
  const p = (s) => process.stdout.write(`${s}\n`);
  p(`window ${WIN_W}×${WIN_H} dragged at ${RATE} moves/s on ${WIDTH}×${HEIGHT} (${wallpaper}), CopyRect + ZRLE, medians of ${ROUNDS} × ${SECS} s`);
  p('server        updates/s    MiB/s  CopyRect/s  px/update  server CPU');
  for (const s of results.servers) {
    p(`${s.id.padEnd(12)} ${s.updatesPerSec?.toFixed(1).padStart(10)} ${(s.bytesPerSec / 1048576).toFixed(2).padStart(8)} ${s.copyRectsPerSec?.toFixed(1).padStart(11)} ${Math.round(s.pixelsPerUpdate).toString().padStart(10)} ${s.cpuServer?.toFixed(1).padStart(9)} %`);
  }
  const t = results.servers.find((s) => s.id === 'trayvnc');
  const x = results.servers.find((s) => s.id === 'x0tigervnc');
  if (t && x) {
    results.ratios = { bytes: t.bytesPerSec / x.bytesPerSec, updates: t.updatesPerSec / x.updatesPerSec, cpu: t.cpuServer / x.cpuServer };
    p(`TrayVNC / X0tigervnc: bytes/s ${results.ratios.bytes.toFixed(2)}×, updates/s ${results.ratios.updates.toFixed(2)}×, server CPU ${results.ratios.cpu.toFixed(2)}×`);
  }
  mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'out', 'motion.json'), `${JSON.stringify(results, null, 2)}\n`);
  await win.proc.stop();
  for (const r of running) await r.server.proc.stop();
  await xvfb.stop();
}

main()
  .catch((e) => {
    log(`failed: ${e.stack ?? e.message}`);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
