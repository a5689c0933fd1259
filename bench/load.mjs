// Load: many viewers for a long time, and one that stops reading.
//
//   npm run soak             (runs this among the long checks)
//   node bench/load.mjs [--minutes M] [--viewers N] [--warmup S] [--stall S]
//
// The server from dist/ (a child process, so its RSS is its own) shares a
// 1280×720 synthetic desktop that changes all the time (a moving box and a
// frame counter). N ZRLE viewers (default 50), each from its own loopback
// address, ask for the next update as soon as one arrives.
// 1. Endurance: after all are connected and S seconds of warm-up (default
//    30), M minutes (default 10) with the server's RSS sampled every 10 s.
//    Targets: no viewer dropped; RSS at the end within 10 % of the start.
// 2. A stalled reader: the others' update rate over a window, then the same
//    window while one more viewer keeps asking for whole frames and never
//    reads its socket. Targets: the others' rate lowered by less than 10 %;
//    what waits for the stalled viewer stays bounded (the server queues at
//    most max_queued_bytes, 4 MiB, beyond the kernel's socket buffers).
// Every wait is bounded; exits non-zero when a target is missed.

import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rssMiB, startProcess, freePort, sleep, stopAll } from './procs.mjs';
import { openRfb, ENC } from './rfb-client.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    viewers: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '30' },
    stall: { type: 'string', default: '60' },
  },
});
const clamp = (v, lo, hi, dflt) => (Number.isFinite(Number(v)) ? Math.max(lo, Math.min(hi, Number(v))) : dflt);
const MINUTES = clamp(opts.minutes, 0.25, 120, 10);
const VIEWERS = Math.round(clamp(opts.viewers, 1, 200, 50));
const WARMUP_S = clamp(opts.warmup, 0, 300, 30);
const STALL_S = clamp(opts.stall, 10, 600, 60);
const SAMPLE_MS = 10_000;
/** The server's cap on bytes waiting in one viewer's socket (DEFAULT_SESSION_OPTIONS.maxQueuedBytes). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const MiB = 1024 * 1024;
/** What the stalled viewer may add to the server's RSS: its queue (4 MiB), one more whole-frame update, and room for the collector's timing. */
const STALL_RSS_MIB = 16;

const T0 = performance.now();
const log = (m) => process.stderr.write(`[load +${((performance.now() - T0) / 1000).toFixed(1)}s] ${m}\n`);
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
/** The kernel's largest receive and send buffers for one TCP socket (what may wait outside the server). */
function kernelSocketBuffers() {
  try {
    const max = (f) => Number(readFileSync(`/proc/sys/net/ipv4/${f}`, 'utf8').trim().split(/\s+/)[2]);
    return max('tcp_rmem') + max('tcp_wmem');
  } catch {
    return 16 * MiB;
  }
}

async function startServer() {
  const port = await freePort();
  const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'trayvnc-load-config-')), DISPLAY: '' };
  const args = [join(ROOT, 'dist', 'main', 'cli.js'), 'serve', '--source', 'synthetic', '--size', '1280x720', '--port', String(port), '--log-level', 'warn', '--max-connections', String(VIEWERS + 10)];
  const proc = startProcess(process.execPath, args, { cwd: ROOT, env });
  for (let i = 0; i < 400 && !proc.stdoutText().includes('TrayVNC listening'); i++) {
    if (proc.exited()) throw new Error(`TrayVNC exited: ${proc.stderrText().slice(-400)}`);
    await sleep(50);
  }
  if (!proc.stdoutText().includes('TrayVNC listening')) throw new Error('TrayVNC did not start within 20 s');
  return { proc, port };
}

/** A ZRLE viewer that asks for the next update as soon as one arrives; `count` is its updates so far. */
async function viewer(port, i) {
  const c = await openRfb(port, { localAddress: `127.3.${i >> 8}.${(i & 255) + 1}`, timeoutMs: 15_000 });
  const v = { c, count: 0, running: true };
  c.onUpdate = () => {
    v.count++;
    if (v.running) c.request(true);
  };
  c.setEncodings([ENC.ZRLE]);
  c.request(false);
  return v;
}

const alive = (vs) => vs.filter((v) => !v.c.failed());
const counts = (vs) => vs.map((v) => v.count);
/** Updates per second of each viewer between two count snapshots. */
const ratesBetween = (a, b, seconds) => a.map((x, i) => (b[i] - x) / seconds);

async function main() {
  log(`load average ${load()}; ${VIEWERS} viewers, ${WARMUP_S} s warm-up, ${MINUTES} min, then a ${STALL_S} s stall`);
  const { proc, port } = await startServer();
  const pid = proc.pid;
  const viewers = [];
  for (let i = 0; i < VIEWERS; i++) {
    viewers.push(await viewer(port, i));
    await sleep(20); // well under the server's connection rate limits
  }
  log(`${viewers.length} viewers connected, RSS ${rssMiB(pid).toFixed(1)} MiB; warming up ${WARMUP_S} s`);
  await sleep(WARMUP_S * 1000);

  // 1. Endurance.
  const rssStart = rssMiB(pid);
  const samples = [rssStart];
  const c0 = counts(viewers);
  const t0 = performance.now();
  const end = t0 + MINUTES * 60_000;
  for (let i = 0; i < Math.ceil((MINUTES * 60_000) / SAMPLE_MS) + 1 && performance.now() < end; i++) {
    const before = counts(viewers);
    const wait = Math.min(SAMPLE_MS, end - performance.now());
    await sleep(wait);
    samples.push(rssMiB(pid));
    const rates = ratesBetween(before, counts(viewers), wait / 1000);
    log(`RSS ${samples.at(-1).toFixed(1)} MiB; ${alive(viewers).length}/${viewers.length} viewers, median ${median(rates).toFixed(1)} updates/s; load ${load()}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const rates = ratesBetween(c0, counts(viewers), seconds);
  const rssEnd = rssMiB(pid);
  const dropped = viewers.length - alive(viewers).length;

  // 2. One viewer stops reading: the others' rate before and during, and what it costs the server.
  log(`stall phase: ${STALL_S} s of the others' rate as it is`);
  const b0 = counts(viewers);
  await sleep(STALL_S * 1000);
  const baseline = ratesBetween(b0, counts(viewers), STALL_S);
  const rssBeforeStall = rssMiB(pid);
  const stalled = await openRfb(port, { localAddress: '127.4.0.1', timeoutMs: 15_000 });
  stalled.setEncodings([ENC.ZRLE]);
  stalled.request(false);
  await stalled.nextUpdate(15_000);
  stalled.pause();
  // It keeps asking for whole frames (the most the server could want to send it) and reads nothing.
  const asking = setInterval(() => stalled.request(false), 200);
  log(`stalled viewer connected and no longer reading; ${STALL_S} s`);
  const s0 = counts(viewers);
  let rssStallMax = rssBeforeStall;
  const stallEnd = performance.now() + STALL_S * 1000;
  for (let i = 0; i < Math.ceil(STALL_S / 2) + 1 && performance.now() < stallEnd; i++) {
    await sleep(Math.min(2000, stallEnd - performance.now()));
    rssStallMax = Math.max(rssStallMax, rssMiB(pid));
  }
  const during = ratesBetween(s0, counts(viewers), STALL_S);
  clearInterval(asking);
  const rssStallEnd = rssMiB(pid);
  // What waited for it: everything it reads once it reads again, until the server has nothing more for it.
  const inBefore = stalled.bytesIn;
  stalled.resume();
  let last = -1;
  for (let i = 0; i < 30 && stalled.bytesIn !== last; i++) {
    last = stalled.bytesIn;
    await sleep(500);
  }
  const waited = stalled.bytesIn - inBefore;
  const stalledDropped = Boolean(stalled.failed());
  stalled.close();
  const droppedAfterStall = viewers.length - alive(viewers).length;
  for (const v of viewers) {
    v.running = false;
    v.c.close();
  }
  await proc.stop();

  // Summary.
  const growth = (rssEnd / rssStart - 1) * 100;
  const baseMed = median(baseline);
  const duringMed = median(during);
  const change = (duringMed / baseMed - 1) * 100;
  const cap = MAX_QUEUED_BYTES + kernelSocketBuffers();
  const stallGrowth = rssStallMax - rssBeforeStall;
  const rows = [
    ['viewers dropped (endurance)', `${dropped} of ${viewers.length}`, '0', dropped === 0],
    ['viewers dropped (stall)', `${droppedAfterStall} of ${viewers.length}${stalledDropped ? ' (the stalled one was dropped)' : ''}`, '0', droppedAfterStall === 0],
    ['updates/s per viewer (median, min)', `${median(rates).toFixed(1)}, ${Math.min(...rates).toFixed(1)}`, '', true],
    ['RSS start / max / end (MiB)', `${rssStart.toFixed(1)} / ${Math.max(...samples, rssEnd).toFixed(1)} / ${rssEnd.toFixed(1)}`, '', true],
    ['RSS growth over the run', `${growth.toFixed(1)} %`, '< 10 %', growth < 10],
    ['others updates/s before / during stall (median)', `${baseMed.toFixed(1)} / ${duringMed.toFixed(1)} (${change >= 0 ? '+' : ''}${change.toFixed(1)} %)`, '> -10 %', change > -10],
    ['RSS before / max / end of stall (MiB)', `${rssBeforeStall.toFixed(1)} / ${rssStallMax.toFixed(1)} / ${rssStallEnd.toFixed(1)} (+${stallGrowth.toFixed(1)})`, `< +${STALL_RSS_MIB}`, stallGrowth < STALL_RSS_MIB],
    ['bytes waiting for the stalled viewer (MiB)', (waited / MiB).toFixed(1), `≤ ${(cap / MiB).toFixed(1)}`, waited <= cap],
  ];
  console.log(`\nLoad: ${viewers.length} ZRLE viewers on a 1280×720 synthetic desktop, ${seconds.toFixed(0)} s after ${WARMUP_S} s warm-up; stall ${STALL_S} s; load average ${load()}`);
  console.log('what'.padEnd(50), 'figure'.padEnd(44), 'target'.padEnd(9), 'verdict');
  for (const [what, figure, target, ok] of rows) console.log(what.padEnd(50), figure.padEnd(44), target.padEnd(9), target ? (ok ? 'OK' : 'MISSED') : '');
  console.log(`(the cap on what waits: max_queued_bytes ${MAX_QUEUED_BYTES / MiB} MiB in the server plus the kernel's socket buffers, ${((cap - MAX_QUEUED_BYTES) / MiB).toFixed(1)} MiB here)`);
  if (rows.some(([, , target, ok]) => target && !ok)) process.exitCode = 1;
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
