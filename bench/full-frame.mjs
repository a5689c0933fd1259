// Full-frame benchmark on a photo-like desktop: TrayVNC next to X0tigervnc
// (when installed), one encoding at a time, interleaved run by run.
//
//   npm run build && node bench/full-frame.mjs [--runs N] [--encodings ZRLE,Hextile]
//        [--servers trayvnc,x0tigervnc] [--also-dist DIR] [--compress-level L]
//        [--dump-frame FILE] [--hold]
//
// The desktop is 1920×1080: a wallpaper of fractal plasma noise blended over a
// smooth gradient with a panel of text (made by ImageMagick from a fixed seed,
// so every run paints the same pixels), a text xterm and a small xterm. That
// is the kind of screen where most 64×64 tiles have hundreds of colours.
//
// Each run opens a fresh connection, lists one encoding, asks for the whole
// screen (non-incremental) and times the request to the last byte of the
// update; then a second full request on the same connection ("warm"). Server
// CPU is the process's utime+stime over the run (clock ticks, summed over all
// runs, divided by the frames). Servers take turns run by run so that load
// from elsewhere on the machine hits each alike; medians are printed, and the
// fastest cold run (on a busy machine the nearest to an idle one's figure).
//
// --compress-level L lists the CompressLevel pseudo-encoding as noVNC and
// TigerVNC's viewer do (both ask for 2 by default). Without it each server
// uses its own default: TrayVNC 2, X0tigervnc zlib's default 6.
// --also-dist DIR runs a second TrayVNC from another build (e.g. a copy of
// dist/ from before a change) as server "trayvnc-alt", for before/after
// figures from the same run. --dump-frame FILE writes the screen as packed
// 0x00RRGGBB values (little-endian u32, 1920×1080) for encoder-only profiling.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { openRfb, ENC } from './rfb-client.mjs';
import { startProcess, freePort, waitRfbBanner, sleep, which, stopAll, cpuTicks, CLK_TCK } from './procs.mjs';
import { startXvfb, startXterm } from './desktop.mjs';
import { openX11 } from '../dist/main/desktop/x11/x11-connection.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'bench', 'out');
const WIDTH = 1920;
const HEIGHT = 1080;

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    encodings: { type: 'string', default: 'ZRLE,Hextile' },
    servers: { type: 'string', default: 'trayvnc,x0tigervnc' },
    'also-dist': { type: 'string' },
    'dump-frame': { type: 'string' },
    'compress-level': { type: 'string' },
    hold: { type: 'boolean', default: false },
  },
});
const RUNS = Math.max(1, Math.min(31, Number(opts.runs) || 9));
const ENCODINGS = opts.encodings.split(',').map((s) => s.trim());
const COMPRESS = opts['compress-level'] === undefined ? [] : [-256 + Math.max(0, Math.min(9, Number(opts['compress-level'])))];
const WANTED = new Set(opts.servers.split(',').map((s) => s.trim().toLowerCase()));
if (opts['also-dist']) WANTED.add('trayvnc-alt');

const T0 = performance.now();
const log = (msg) => process.stderr.write(`[full-frame +${((performance.now() - T0) / 1000).toFixed(1)}s] ${msg}\n`);

function median(xs) {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// ---------------------------------------------------------------- desktop

/** The wallpaper as BGRA bytes (what a 24-bit ZPixmap holds), made once and cached under bench/out. */
function photoWallpaper() {
  const cache = join(OUT_DIR, `photo-wallpaper-${WIDTH}x${HEIGHT}.bgra`);
  if (existsSync(cache)) return readFileSync(cache);
  log('making the wallpaper with ImageMagick (once; cached in bench/out)');
  const lines = [
    'System monitor',
    'CPU  23%   Memory 4.1 GiB / 15.5 GiB',
    'Disk /     61% used   /home 38% used',
    'Network  eth0  12.4 KiB/s in  3.1 KiB/s out',
    'Uptime 8 days, 3:12   Load 0.42 0.51 0.48',
    'Processes 312   Threads 1204',
    'Battery 87%  (charging)   Temp 48 C',
    'Kernel 6.1.0-13-amd64 x86_64',
    'Mon Dec  7 06:55:12 UTC 2026',
    'Wallpaper: plasma over gradient',
  ];
  const annotate = lines.flatMap((l, i) => ['-annotate', `+1320+${90 + 30 * i}`, l]);
  const png = join(OUT_DIR, 'photo-wallpaper.png');
  execFileSync(
    'convert',
    [
      '-size', `${WIDTH}x${HEIGHT}`, '-seed', '13', 'plasma:fractal', '-blur', '0x1',
      '(', '-size', `${WIDTH}x${HEIGHT}`, 'gradient:#203050-#c09060', ')',
      '-compose', 'blend', '-define', 'compose:args=50', '-composite',
      '-fill', '#202830e0', '-draw', 'rectangle 1300 60 1880 420',
      '-fill', '#e8e8e8', '-font', 'DejaVu-Sans', '-pointsize', '15', ...annotate,
      png,
    ],
    { timeout: 180000 },
  );
  execFileSync('convert', [png, '-depth', '8', `bgra:${cache}`], { timeout: 60000 });
  return readFileSync(cache);
}

/** Make `bgra` the root window's background. */
async function paintRoot(display, bgra) {
  const conn = await openX11(display, { shm: false });
  try {
    const { client, root, screen } = conn;
    const gc = client.AllocID();
    client.CreateGC(gc, root, { graphicsExposures: 0 });
    const pixmap = client.AllocID();
    client.CreatePixmap(pixmap, root, screen.root_depth, WIDTH, HEIGHT);
    const rows = Math.max(1, Math.floor(Math.min(256 * 1024, conn.maxRequestBytes - 64) / (WIDTH * 4)));
    for (let y = 0; y < HEIGHT; y += rows) {
      const h = Math.min(rows, HEIGHT - y);
      client.PutImage(2, pixmap, gc, WIDTH, h, 0, y, 0, screen.root_depth, bgra.subarray(y * WIDTH * 4, (y + h) * WIDTH * 4));
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

/** Dump the screen (ImageMagick's import) as packed 0x00RRGGBB u32 values. */
function dumpFrame(display, file) {
  const bgra = execFileSync('import', ['-display', display, '-window', 'root', '-depth', '8', 'bgra:-'], { timeout: 120000, maxBuffer: 64 << 20 });
  // BGRA bytes are the little-endian u32 0xAARRGGBB: clear the alpha byte.
  const px = new Uint32Array(bgra.buffer, bgra.byteOffset, WIDTH * HEIGHT).map((v) => v & 0xffffff);
  writeFileSync(file, Buffer.from(px.buffer));
  log(`screen written to ${file}`);
}

// ---------------------------------------------------------------- servers

function serverDefs(display) {
  const tray = (id, label, dist) => ({
    id,
    label,
    bin: process.execPath,
    args: (port) => [join(dist, 'main', 'cli.js'), 'serve', '--display', display, '--port', String(port), '--host', '127.0.0.1', '--frame-rate', '60', '--log-level', 'warn'],
    env: { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'trayvnc-bench-config-')) },
    ready: (proc) => proc.stdoutText().includes('TrayVNC listening'),
  });
  const defs = [
    tray('trayvnc', 'TrayVNC', join(ROOT, 'dist')),
    ...(opts['also-dist'] ? [tray('trayvnc-alt', `TrayVNC(${opts['also-dist']})`, resolve(opts['also-dist']))] : []),
    {
      id: 'x0tigervnc',
      label: 'X0tigervnc',
      bin: which('X0tigervnc'),
      args: (port) => ['-display', display, '-rfbport', String(port), '-SecurityTypes', 'None', '-localhost', '-AlwaysShared', '-FrameRate', '60'],
    },
  ];
  return defs.filter((d) => WANTED.has(d.id) && d.bin);
}

async function startServer(def) {
  const port = await freePort();
  const proc = startProcess(def.bin, def.args(port), { cwd: ROOT, env: def.env });
  const deadline = Date.now() + 20000;
  if (def.ready) {
    for (let i = 0; i < 400 && Date.now() < deadline && !def.ready(proc) && !proc.exited(); i++) await sleep(50);
  }
  const up = def.ready ? def.ready(proc) && !proc.exited() : await waitRfbBanner(port, proc, Math.max(1000, deadline - Date.now()));
  if (!up) {
    await proc.stop();
    throw new Error(`${def.label} did not come up on port ${port}: ${proc.stderrText().slice(-600)}`);
  }
  return { proc, port };
}

/** One fresh connection: a full request ("cold"), then another ("warm"); server CPU ticks over both. */
async function run(server, enc) {
  const t0 = cpuTicks(server.proc.pid);
  const c = await openRfb(server.port);
  try {
    c.setEncodings([ENC[enc], ...COMPRESS]);
    c.request(false);
    const cold = await c.nextUpdate(30000);
    c.request(false);
    const warm = await c.nextUpdate(30000);
    if (cold.pixels < WIDTH * HEIGHT || warm.pixels < WIDTH * HEIGHT) throw new Error(`update covers ${Math.min(cold.pixels, warm.pixels)} pixels`);
    return { cold, warm, ticks: cpuTicks(server.proc.pid) - t0 };
  } finally {
    c.close();
  }
}

// ---------------------------------------------------------------- main

async function main() {
  const bgra = photoWallpaper();
  const xvfb = await startXvfb(WIDTH, HEIGHT, 170);
  const display = xvfb.display;
  log(`Xvfb on ${display}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  await paintRoot(display, bgra);
  const text = execFileSync('sh', ['-c', 'ls -la /usr/bin | head -60'], { encoding: 'utf8' });
  await startXterm(display, '110x45+40+60', 'printf "%s\\n" "$BENCH_TEXT"; exec sleep 3600', { BENCH_TEXT: text });
  await startXterm(display, '60x12+1250+700', 'printf "%s\\n" "$BENCH_TEXT"; exec sleep 3600', { BENCH_TEXT: text.split('\n').slice(0, 10).join('\n') });
  await sleep(1000);
  if (opts['dump-frame']) dumpFrame(display, resolve(opts['dump-frame']));

  const running = [];
  for (const def of serverDefs(display)) running.push({ def, server: await startServer(def) });
  await sleep(2000);
  if (opts.hold) {
    log(`holding: ${running.map((r) => `${r.def.id} on port ${r.server.port} (pid ${r.server.proc.pid})`).join(', ')}; Ctrl-C to stop`);
    await new Promise(() => {});
  }

  const results = {};
  for (const enc of ENCODINGS) {
    const acc = new Map(running.map((r) => [r.def.id, { cold: [], warm: [], bytes: [], ticks: 0, frames: 0 }]));
    // One warm-up run each (the servers' first frame also sets up capture).
    for (const r of running) await run(r.server, enc);
    for (let i = 0; i < RUNS; i++) {
      for (const r of running) {
        const a = acc.get(r.def.id);
        const { cold, warm, ticks } = await run(r.server, enc);
        a.cold.push(cold.ms);
        a.warm.push(warm.ms);
        a.bytes.push(cold.bytes);
        a.ticks += ticks;
        a.frames += 2;
        await sleep(100);
      }
    }
    results[enc] = {};
    for (const r of running) {
      const a = acc.get(r.def.id);
      const row = {
        coldMs: median(a.cold),
        coldMinMs: Math.min(...a.cold),
        warmMs: median(a.warm),
        kib: median(a.bytes) / 1024,
        cpuMsPerFrame: (a.ticks * 1000) / CLK_TCK / a.frames,
        coldAll: a.cold.map((x) => +x.toFixed(1)),
      };
      results[enc][r.def.id] = row;
      log(`${r.def.label} ${enc}: cold ${row.coldMs.toFixed(1)} ms (min ${row.coldMinMs.toFixed(1)}), warm ${row.warmMs.toFixed(1)} ms, ${row.kib.toFixed(0)} KiB, CPU ${row.cpuMsPerFrame.toFixed(1)} ms/frame  [${row.coldAll.join(' ')}]`);
    }
  }

  const level = COMPRESS.length ? `CompressLevel ${opts['compress-level']}` : 'no CompressLevel';
  console.log(`\nFull frame ${WIDTH}×${HEIGHT}, photo-like desktop, ${level}, ${RUNS} interleaved runs (medians; CPU = server utime+stime per frame)`);
  console.log(`${'encoding'.padEnd(9)} ${'server'.padEnd(34)} ${'cold ms'.padStart(8)} ${'min ms'.padStart(8)} ${'warm ms'.padStart(8)} ${'KiB'.padStart(7)} ${'CPU ms'.padStart(7)}`);
  for (const enc of ENCODINGS) {
    for (const r of running) {
      const row = results[enc][r.def.id];
      console.log(`${enc.padEnd(9)} ${r.def.label.slice(0, 34).padEnd(34)} ${row.coldMs.toFixed(1).padStart(8)} ${row.coldMinMs.toFixed(1).padStart(8)} ${row.warmMs.toFixed(1).padStart(8)} ${row.kib.toFixed(0).padStart(7)} ${row.cpuMsPerFrame.toFixed(1).padStart(7)}`);
    }
  }
  writeFileSync(join(OUT_DIR, 'full-frame.json'), JSON.stringify({ runs: RUNS, compressLevel: opts['compress-level'] ?? null, loadavg: loadavg(), results }, null, 2));
}

main()
  .catch((e) => {
    process.exitCode = 1;
    console.error(e);
  })
  .finally(() => stopAll());
