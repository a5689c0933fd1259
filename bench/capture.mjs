// What the system screen capture costs, beside the X11 backend on the same
// desktop: the tray app's capture page in Chromium (getDisplayMedia, I420
// frames) feeding TrayVNC (bench/capture-server.mjs), against `trayvnc serve
// --display`. For 800×600 and 1920×1080:
//   - frame rate: a 480×270 photo-like animation at 25 fps (bench/x-actor.mjs
//     video), as the viewer's updates a second;
//   - CPU: TrayVNC's process (main), and Chromium's (the capture page's
//     renderer, its browser process, GPU and utility processes) for the
//     system capture;
//   - latency: from a 16×16 square drawn on the X screen to the viewer's
//     update that covers it (20 squares, median and p90);
//   - idle: CPU with a viewer connected and nothing changing (from 3.5 s after
//     it connected: the system capture slows down after 2 s of stillness).
//
//   npm run build && node bench/capture.mjs [--secs 8] [--sizes 800x600,1920x1080]
//
// Nothing here is asserted: the figures are printed, and written to
// bench/out/capture.json.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { paintWallpaper, startXvfb } from './desktop.mjs';
import { cpuTicks, CLK_TCK, freePort, sleep, startProcess, stopAll } from './procs.mjs';
import { ENC } from './rfb-client.mjs';
import { fmtMs, fmtNum, fmtPct, log, median, percentile, table } from './stats.mjs';
import { oneViewerWindow, startViewer } from './workloads/viewer.mjs';

const root = join(import.meta.dirname, '..');
const { openX11 } = await import(join(root, 'dist/main/desktop/x11/x11-connection.js'));
const { values: o } = parseArgs({ options: { secs: { type: 'string', default: '8' }, sizes: { type: 'string', default: '800x600,1920x1080' } } });
const secs = Math.max(2, Math.min(60, Number(o.secs) || 8));
const sizes = o.sizes.split(',').map((s) => s.split('x').map(Number));
const LATENCY_SAMPLES = 20;

/** A process and all its descendants now (Chromium's renderer, GPU and utility processes). */
function treeOf(pid) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'latin1');
      parent.set(Number(d), Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length && i < 1000; i++) for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out;
}

/** CPU % of one core of a set of processes over `ms`. */
async function cpuOf(pids, ms) {
  const t0 = performance.now();
  const before = pids.map(cpuTicks);
  await sleep(ms);
  const after = pids.map(cpuTicks);
  const s = (performance.now() - t0) / 1000;
  return pids.reduce((a, _, i) => a + (before[i] === null || after[i] === null ? 0 : (after[i] - before[i]) / CLK_TCK / s) * 100, 0);
}

async function startTrayvnc(backend, display, width, height) {
  const port = await freePort();
  const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'trayvnc-bench-config-')) };
  const proc =
    backend === 'x11'
      ? startProcess(process.execPath, [join(root, 'dist/main/cli.js'), 'serve', '--display', display, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn'], { env })
      : startProcess(process.execPath, [join(import.meta.dirname, 'capture-server.mjs'), '--display', display, '--port', String(port), '--width', String(width), '--height', String(height), '--frame-rate', '60'], { env });
  const deadline = Date.now() + 40_000;
  for (let i = 0; i < 800 && Date.now() < deadline; i++) {
    const out = proc.stdoutText();
    if (out.includes('TrayVNC listening') && (backend === 'x11' || /chromium pid \d+/.test(out))) {
      const chromium = Number(/chromium pid (\d+)/.exec(out)?.[1]) || null;
      return { proc, port, chromium };
    }
    if (proc.exited()) break;
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`${backend} server did not come up: ${proc.stderrText().slice(-800)}`);
}

async function startVideo(display, x, y) {
  const proc = startProcess(process.execPath, [join(import.meta.dirname, 'x-actor.mjs'), 'video', display, '--x', String(x), '--y', String(y)]);
  for (let i = 0; i < 400; i++) {
    if (/ready/.test(proc.stdoutText())) return proc;
    if (proc.exited()) break;
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`x-actor video did not start: ${proc.stderrText().slice(-400)}`);
}

/** From a square drawn on the X screen (after the X server has it) to the viewer's update covering its middle. */
async function latency(display, port, width, height) {
  const v = await startViewer(port, [ENC.ZRLE], { keepRects: true });
  const conn = await openX11(display, { shm: false });
  const { client, root: xroot, screen } = conn;
  const gc = client.AllocID();
  client.CreateGC(gc, xroot, { graphicsExposures: 0 });
  const samples = [];
  let missed = 0;
  try {
    await sleep(500);
    const next = v.client.onUpdate;
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const x = 40 + ((i * 97) % (width - 120));
      const y = 40 + ((i * 57) % (height - 200));
      const colour = (i * 0x3f1d27 + 0x102030) & 0xffffff;
      const square = Buffer.alloc(16 * 16 * 4);
      for (let p = 0; p < 256; p++) square.writeUInt32LE(colour, p * 4);
      let seen;
      const shown = new Promise((resolve) => (seen = resolve));
      v.client.onUpdate = (u) => {
        next(u);
        if (u.rectList.some((r) => r.enc >= 0 && x + 8 >= r.x && x + 8 < r.x + r.w && y + 8 >= r.y && y + 8 < r.y + r.h)) seen(performance.now());
      };
      const t0 = performance.now();
      client.PutImage(2, xroot, gc, 16, 16, x, y, 0, screen.root_depth, square);
      await conn.sync();
      const t1 = await Promise.race([shown, sleep(2000).then(() => null)]);
      if (t1 === null) missed++;
      else samples.push(t1 - t0);
      v.client.onUpdate = next;
      await sleep(150);
    }
  } finally {
    v.close();
    await conn.close();
  }
  return { median: median(samples), p90: percentile(samples, 0.9), missed };
}

async function measure(backend, display, xvfbPid, width, height) {
  log(`${backend} ${width}×${height}: starting`);
  const server = await startTrayvnc(backend, display, width, height);
  try {
    await sleep(1500);
    const chromiumPids = () => (server.chromium ? treeOf(server.chromium) : []);
    // Frame rate and CPU while the animation runs.
    const video = await startVideo(display, Math.round(width / 8), Math.round(height / 8));
    let run;
    let chromiumCpu = null;
    try {
      await sleep(500);
      const pids = chromiumPids();
      [run, chromiumCpu] = await Promise.all([oneViewerWindow(server.port, [ENC.ZRLE], [server.proc.pid, xvfbPid], secs), pids.length ? cpuOf(pids, secs * 1000 + 500) : null]);
    } finally {
      await video.stop();
    }
    const lat = await latency(display, server.port, width, height);
    await sleep(1000);
    const idlePids = chromiumPids();
    // Measured once the screen has been still long enough for the capture to slow down (capture-rate.ts: 2 s).
    const [idle, idleChromium] = await Promise.all([
      oneViewerWindow(server.port, [ENC.ZRLE], [server.proc.pid, xvfbPid], 5, 3500),
      idlePids.length ? sleep(3500).then(() => cpuOf(idlePids, 5000)) : null,
    ]);
    const r = {
      backend,
      size: `${width}x${height}`,
      fps: run.updatesPerSec,
      cpuMain: run.cpuServer,
      cpuChromium: chromiumCpu,
      latencyMedian: lat.median,
      latencyP90: lat.p90,
      latencyMissed: lat.missed,
      idleCpuMain: idle.cpuServer,
      idleCpuChromium: idleChromium,
      idleUpdates: idle.updates,
    };
    log(`${backend} ${width}×${height}: ${JSON.stringify(r)}`);
    return r;
  } finally {
    await server.proc.stop();
  }
}

const results = [];
try {
  for (const [width, height] of sizes) {
    const xvfb = await startXvfb(width, height);
    try {
      for (const backend of ['x11', 'system-capture']) {
        // A fresh wallpaper for each: squares the last run left on the screen would be no change to draw again.
        await paintWallpaper(xvfb.display, 3);
        results.push(await measure(backend, xvfb.display, xvfb.proc.pid, width, height));
      }
    } finally {
      await xvfb.proc.stop();
    }
  }
} finally {
  await stopAll();
}

const label = (b) => (b === 'x11' ? 'X11 backend' : 'system capture (Chromium, I420)');
console.log('\nThe system screen capture against the X11 backend (TrayVNC, default settings; a 480×270 animation at 25 fps; one ZRLE viewer)\n');
console.log(
  table(
    ['screen', 'backend', 'updates/s', 'CPU main', 'CPU Chromium', 'latency median', 'latency p90', 'idle CPU main', 'idle CPU Chromium', 'idle updates'],
    results.map((r) => [
      r.size,
      label(r.backend),
      fmtNum(r.fps),
      fmtPct(r.cpuMain),
      r.cpuChromium === null ? '-' : fmtPct(r.cpuChromium),
      `${fmtMs(r.latencyMedian)} ms${r.latencyMissed ? ` (${r.latencyMissed} missed)` : ''}`,
      `${fmtMs(r.latencyP90)} ms`,
      fmtPct(r.idleCpuMain),
      r.idleCpuChromium === null ? '-' : fmtPct(r.idleCpuChromium),
      String(r.idleUpdates),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  ),
);
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'out', 'capture.json'), JSON.stringify(results, null, 2));
