// Recording benchmark: what recording costs the viewers and the machine, on
// the same 1920×1080 desktop as bench/run.mjs. Figures only.
//
//   npm run bench            (runs this after run.mjs)
//   node bench/recording.mjs [--runs N] [--secs S]
//
// TrayVNC at --frame-rate 30 is measured with and without --record,
// alternately (off, on, off, on, …) so background load hits both alike:
// 1. Scrolling terminal (an xterm printing 400 lines/s), one ZRLE viewer
//    asking for the next update as soon as one arrives: its updates/s, the
//    server's CPU (% of one core), the bytes the viewer received and the
//    recording's file size, both per minute.
// 2. Still desktop: the same, with nothing moving.
// Targets from the issue: recording lowers the viewer's update rate by at
// most 5 % and costs at most 15 % of one core while scrolling.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { openRfb, ENC } from './rfb-client.mjs';
import { startProcess, freePort, measureCpu, sleep, stopAll } from './procs.mjs';
import { startXvfb, paintWallpaper, startStaticXterms, scrollingXterm } from './desktop.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'bench', 'out');
const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '2' }, secs: { type: 'string', default: '10' } } });
const RUNS = Math.max(1, Math.min(6, Number(opts.runs) || 2));
const SECS = Math.max(3, Math.min(60, Number(opts.secs) || 10));
const T0 = performance.now();
const log = (m) => process.stderr.write(`[recording bench +${((performance.now() - T0) / 1000).toFixed(1)}s] ${m}\n`);
const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2) : null;
};

async function startTrayVnc(display, recordDir) {
  const port = await freePort();
  const args = [join(ROOT, 'dist', 'main', 'cli.js'), 'serve', '--display', display, '--port', String(port), '--host', '127.0.0.1', '--frame-rate', '30', '--log-level', 'warn'];
  if (recordDir) args.push('--record', recordDir);
  const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'trayvnc-bench-config-')) };
  const proc = startProcess(process.execPath, args, { cwd: ROOT, env });
  for (let i = 0; i < 400 && !proc.stdoutText().includes('TrayVNC listening'); i++) {
    if (proc.exited()) throw new Error(`TrayVNC exited: ${proc.stderrText().slice(-400)}`);
    await sleep(50);
  }
  return { proc, port };
}

/** One measured window: a viewer asking as fast as updates come, for SECS seconds. */
async function measure(display, recordDir, scrolling) {
  const server = await startTrayVnc(display, recordDir);
  let term = null;
  let c = null;
  try {
    if (scrolling) term = await scrollingXterm(display, '120x50+560+180', 400);
    c = await openRfb(server.port);
    c.setEncodings([ENC.CopyRect, ENC.ZRLE]);
    c.request(false);
    await c.nextUpdate(20000);
    await sleep(1000); // the recording's first keyframe is written; measure the steady state
    let counting = false;
    let updates = 0;
    let bytes = 0;
    c.onUpdate = (u) => {
      if (counting) {
        updates++;
        bytes += u.bytes;
      }
      c.request(true);
    };
    c.request(true);
    const fileBefore = recordDir ? dirBytes(recordDir) : 0;
    counting = true;
    const t0 = performance.now();
    const [cpu] = await measureCpu([server.proc.pid], SECS * 1000);
    const secs = (performance.now() - t0) / 1000;
    counting = false;
    const fileAfter = recordDir ? dirBytes(recordDir) : 0;
    if (c.failed()) throw c.failed();
    return { updatesPerSec: updates / secs, viewerBytesPerMin: (bytes / secs) * 60, fileBytesPerMin: ((fileAfter - fileBefore) / secs) * 60, cpu };
  } finally {
    c?.close();
    if (term) await term.stop();
    await server.proc.stop();
  }
}

function dirBytes(dir) {
  let n = 0;
  for (const f of readdirSync(dir)) n += statSync(join(dir, f)).size;
  return n;
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  log('starting Xvfb 1920x1080x24');
  const xvfb = await startXvfb(1920, 1080);
  const results = { date: new Date().toISOString(), runs: RUNS, secs: SECS, scroll: { off: [], on: [] }, still: { off: [], on: [] } };
  const dirs = [];
  try {
    await paintWallpaper(xvfb.display, 1);
    await startStaticXterms(xvfb.display);
    execFileSync('xdotool', ['mousemove', '1912', '1072'], { env: { ...process.env, DISPLAY: xvfb.display }, timeout: 5000 });
    for (const workload of ['scroll', 'still']) {
      for (let run = 0; run < RUNS; run++) {
        for (const mode of ['off', 'on']) {
          const dir = mode === 'on' ? mkdtempSync(join(tmpdir(), 'trayvnc-bench-rec-')) : null;
          if (dir) dirs.push(dir);
          const r = await measure(xvfb.display, dir, workload === 'scroll');
          results[workload][mode].push(r);
          log(`${workload} recording ${mode}: ${r.updatesPerSec.toFixed(1)} updates/s, server CPU ${r.cpu?.toFixed(1)} %, viewer ${(r.viewerBytesPerMin / 1048576).toFixed(2)} MiB/min, file ${(r.fileBytesPerMin / 1048576).toFixed(2)} MiB/min`);
        }
      }
    }
  } finally {
    await stopAll(); // Xvfb and the xterms are this script's children
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }

  const p = (s) => process.stdout.write(`${s}\n`);
  const row = (workload, mode) => {
    const rs = results[workload][mode];
    return { ups: median(rs.map((r) => r.updatesPerSec)), cpu: median(rs.map((r) => r.cpu)), viewer: median(rs.map((r) => r.viewerBytesPerMin)), file: median(rs.map((r) => r.fileBytesPerMin)) };
  };
  p('');
  p(`5. Recording: TrayVNC --frame-rate 30, one ZRLE viewer, ${SECS} s windows, medians of ${RUNS} alternating runs`);
  p('workload  recording  updates/s  server CPU  viewer MiB/min  file MiB/min');
  p('--------  ---------  ---------  ----------  --------------  ------------');
  const summary = {};
  for (const workload of ['scroll', 'still']) {
    for (const mode of ['off', 'on']) {
      const r = row(workload, mode);
      summary[`${workload}-${mode}`] = r;
      p(`${workload.padEnd(8)}  ${mode.padEnd(9)}  ${r.ups.toFixed(1).padStart(9)}  ${`${r.cpu.toFixed(1)} %`.padStart(10)}  ${(r.viewer / 1048576).toFixed(2).padStart(14)}  ${(mode === 'on' ? (r.file / 1048576).toFixed(2) : '-').padStart(12)}`);
    }
  }
  const off = summary['scroll-off'];
  const on = summary['scroll-on'];
  const rateDrop = 1 - on.ups / off.ups;
  const cpuCost = on.cpu - off.cpu;
  p('');
  p(`   while scrolling, recording lowers the viewer's update rate by ${(rateDrop * 100).toFixed(1)} % (target <= 5 %): ${rateDrop <= 0.05 ? 'PASS' : 'MISS'}`);
  p(`   and costs ${cpuCost.toFixed(1)} % of one core (target <= 15 %): ${cpuCost <= 15 ? 'PASS' : 'MISS'}`);
  results.summary = { ...summary, rateDrop, cpuCost };
  writeFileSync(join(OUT_DIR, 'recording.json'), JSON.stringify(results, null, 2));
  p(`JSON: ${join('bench', 'out', 'recording.json')}`);
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exitCode = 1;
});
