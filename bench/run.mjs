// Server benchmark: TrayVNC next to x11vnc and TigerVNC's X0tigervnc (when
// installed) on the same 1920×1080 Xvfb desktop, in one run. Figures only.
//
//   npm run bench            (builds first)
//   node bench/run.mjs [--runs N] [--scroll-secs S] [--idle-secs S] [--servers trayvnc,x11vnc,x0tigervnc]
//
// 1. Full-frame encode: per encoding (and Tight with JPEG quality 8), ms from a non-incremental full
//    FramebufferUpdateRequest to the last byte of the update, and its bytes.
//    Median over N fresh connections ("cold": fresh zlib streams, first
//    request of the connection) and of a second full request on each of
//    those connections ("warm").
// 2. Scrolling terminal: ZRLE (+CopyRect first), incremental requests back to
//    back while an xterm scrolls at a fixed pace: updates/s, bytes/update.
// 3. Idle CPU: the same client keeps requesting while nothing changes:
//    % of one core used by the server process (and by Xvfb) from /proc.
// 4. Ratios against X0tigervnc next to the targets (informational).
//
// Progress goes to stderr, tables to stdout, everything to bench/out/results.json.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { openRfb, ENC } from './rfb-client.mjs';
import { startProcess, freePort, waitRfbBanner, measureCpu, sleep, which, stopAll, cpuTicks, CLK_TCK } from './procs.mjs';
import { startXvfb, paintWallpaper, startStaticXterms, scrollingXterm } from './desktop.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'bench', 'out');
const WIDTH = 1920;
const HEIGHT = 1080;

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'scroll-secs': { type: 'string', default: '10' },
    'idle-secs': { type: 'string', default: '10' },
    'scroll-rate': { type: 'string', default: '400' },
    servers: { type: 'string', default: 'trayvnc,x11vnc,x0tigervnc' },
  },
});
const RUNS = Math.max(1, Math.min(15, Number(opts.runs) || 5));
const ZRLE_RUNS = 7; // the figure the targets use gets a few more runs
const SCROLL_SECS = Math.max(2, Math.min(30, Number(opts['scroll-secs']) || 10));
const IDLE_SECS = Math.max(2, Math.min(30, Number(opts['idle-secs']) || 10));
const SCROLL_RATE = Math.max(10, Math.min(5000, Number(opts['scroll-rate']) || 400));
const WANTED = new Set(opts.servers.split(',').map((s) => s.trim().toLowerCase()));

const ENCODINGS = ['Raw', 'RRE', 'CoRRE', 'Hextile', 'Zlib', 'TRLE', 'ZRLE', 'Tight', 'Tight q8'];
/** What each row asks for: its encoding alone, or Tight with JPEG quality level 8 (pseudo-encoding −32 + 8). */
const ENCODING_LISTS = { 'Tight q8': [ENC.Tight, -32 + 8] };
/** The encoding a row's rectangles carry on the wire. */
const wireName = (enc) => (ENCODING_LISTS[enc] ? 'Tight' : enc);

const log = (msg) => process.stderr.write(`[bench +${((performance.now() - T0) / 1000).toFixed(1)}s] ${msg}\n`);
const T0 = performance.now();

function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function percentile(xs, q) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : null;
}

/** How much of what was sent lies outside the scrolling terminal (unchanged wallpaper re-sent), and the bounding box of all rectangles. */
function outsideStats(ups, win) {
  if (!win) return {};
  let outside = 0;
  let outsideBytes = 0;
  let bbox = null;
  for (const u of ups) {
    for (const r of u.rectList) {
      if (r.enc < 0) continue;
      const ix = Math.max(0, Math.min(r.x + r.w, win.x + win.w) - Math.max(r.x, win.x));
      const iy = Math.max(0, Math.min(r.y + r.h, win.y + win.h) - Math.max(r.y, win.y));
      const out = r.w * r.h - ix * iy;
      outside += out;
      if (out === r.w * r.h) outsideBytes += r.bytes;
      bbox = bbox ? { x0: Math.min(bbox.x0, r.x), y0: Math.min(bbox.y0, r.y), x1: Math.max(bbox.x1, r.x + r.w), y1: Math.max(bbox.y1, r.y + r.h) } : { x0: r.x, y0: r.y, x1: r.x + r.w, y1: r.y + r.h };
    }
  }
  return {
    pixelsOutsideTerminalPerUpdate: ups.length ? outside / ups.length : 0,
    bytesOfRectsWhollyOutsideTerminal: outsideBytes,
    rectBoundingBox: bbox && { x: bbox.x0, y: bbox.y0, w: bbox.x1 - bbox.x0, h: bbox.y1 - bbox.y0 },
  };
}

// ---------------------------------------------------------------- servers

function serverDefs(display) {
  const defs = [
    {
      id: 'trayvnc',
      label: 'TrayVNC',
      bin: process.execPath,
      args: (port) => [join(ROOT, 'dist', 'main', 'cli.js'), 'serve', '--display', display, '--port', String(port), '--host', '127.0.0.1', '--frame-rate', '60', '--log-level', 'warn'],
      settings: '--frame-rate 60 (other settings default)',
      // Defaults really: not the settings a user saved in their own config folder.
      env: { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'trayvnc-bench-config-')) },
      ready: (proc) => proc.stdoutText().includes('TrayVNC listening'),
    },
    {
      id: 'x11vnc',
      label: 'x11vnc',
      bin: which('x11vnc'),
      args: (port) => ['-display', display, '-rfbport', String(port), '-localhost', '-nopw', '-shared', '-forever', '-quiet'],
      settings: 'defaults (no frame-rate option; -wait 20 ms / -defer 20 ms)',
    },
    {
      id: 'x0tigervnc',
      label: 'X0tigervnc',
      bin: which('X0tigervnc'),
      args: (port) => ['-display', display, '-rfbport', String(port), '-SecurityTypes', 'None', '-localhost', '-AlwaysShared', '-FrameRate', '60'],
      settings: '-FrameRate 60 (default; other settings default: PollingCycle 30, MaxProcessorUsage 35, CompareFB 2)',
    },
  ];
  return defs.filter((d) => WANTED.has(d.id));
}

function version(def) {
  if (def.id === 'trayvnc') return `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version} (this tree)`;
  const r = spawnSync(def.bin, ['-version'], { encoding: 'utf8', timeout: 5000 });
  const line = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').find((l) => /\d+\.\d+/.test(l));
  return line?.trim() ?? 'unknown';
}

async function startServer(def) {
  const port = await freePort();
  const proc = startProcess(def.bin, def.args(port), { cwd: ROOT, env: def.env });
  const deadline = Date.now() + 20000;
  if (def.ready) {
    for (let i = 0; i < 400 && Date.now() < deadline && !def.ready(proc); i++) {
      if (proc.exited()) break;
      await sleep(50);
    }
  }
  // TrayVNC says when it listens; the others are probed for their RFB banner
  const up = def.ready ? def.ready(proc) && !proc.exited() : await waitRfbBanner(port, proc, Math.max(1000, deadline - Date.now()));
  if (!up) {
    await proc.stop();
    throw new Error(`${def.label} did not come up on port ${port}: ${proc.stderrText().slice(-600)}`);
  }
  return { proc, port };
}

// ---------------------------------------------------------------- phase 1

/** One fresh connection: a full request ("cold"), then another on the same connection ("warm"). */
async function fullFrameRun(port, enc) {
  const c = await openRfb(port);
  try {
    c.setEncodings(ENCODING_LISTS[enc] ?? [ENC[enc]]);
    c.request(false);
    const u1 = await c.nextUpdate(20000);
    c.request(false);
    const u2 = await c.nextUpdate(20000);
    return [u1, u2];
  } finally {
    c.close();
  }
}

/**
 * Phase 1 for all running servers at once, interleaved run by run (server A,
 * B, C, A, B, C, ...), so a change in background load on the machine hits
 * every server alike. Idle servers without clients cost next to nothing.
 */
async function fullFrameAll(running) {
  for (const { entry } of running) entry.fullFrame = {};
  for (const enc of ENCODINGS) {
    const runs = enc === 'ZRLE' ? Math.max(RUNS, ZRLE_RUNS) : RUNS;
    const acc = new Map(running.map(({ entry }) => [entry.id, { cold: [], warm: [], ticks: 0, sample: null, error: null, failed: false }]));
    for (let run = 0; run < runs; run++) {
      for (const { entry, server } of running) {
        const a = acc.get(entry.id);
        if (a.failed) continue;
        const t0 = cpuTicks(server.proc.pid);
        try {
          const [u1, u2] = await fullFrameRun(server.port, enc);
          a.sample ??= u1;
          if (u1.pixels < WIDTH * HEIGHT || u2.pixels < WIDTH * HEIGHT) a.error = `update covers ${Math.min(u1.pixels, u2.pixels)} of ${WIDTH * HEIGHT} pixels`;
          a.cold.push(u1);
          a.warm.push(u2);
        } catch (e) {
          a.error = e.message;
          a.failed = true;
        }
        const t1 = cpuTicks(server.proc.pid);
        if (t0 !== null && t1 !== null) a.ticks += t1 - t0;
        await sleep(50);
      }
    }
    for (const { entry } of running) {
      const { cold, warm, ticks, sample, error } = acc.get(entry.id);
      const supported = (sample?.encodings[wireName(enc)] ?? 0) > 0;
      const r = {
        supported,
        runs: cold.length,
        // server CPU per full frame (both requests of every run; includes connection set-up)
        cpuMsPerFrame: cold.length ? (ticks * (1000 / CLK_TCK)) / (cold.length + warm.length) : null,
        coldMs: median(cold.map((u) => u.ms)),
        warmMs: median(warm.map((u) => u.ms)),
        coldBytes: median(cold.map((u) => u.bytes)),
        warmBytes: median(warm.map((u) => u.bytes)),
        coldMsAll: cold.map((u) => +u.ms.toFixed(2)),
        warmMsAll: warm.map((u) => +u.ms.toFixed(2)),
        bytesAll: cold.map((u) => u.bytes),
        rects: sample?.rects ?? null,
        rectEncodings: sample?.encodings ?? null,
        sentAs: Object.keys(sample?.encodings ?? {}).join('+') || 'nothing',
        error,
      };
      if (sample && !supported) r.note = `answers a ${enc}-only client with ${r.sentAs}`;
      entry.fullFrame[enc] = r;
      log(
        `${entry.label} ${enc}: ${
          r.runs === 0 ? `ERROR ${r.error}` : `${supported ? '' : `(${r.note}) `}cold ${fmtMs(r.coldMs)} ms, warm ${fmtMs(r.warmMs)} ms, ${r.coldBytes} bytes, ${r.rects} rects${r.error ? ` (!! ${r.error})` : ''}`
        }`,
      );
    }
  }
}

// ---------------------------------------------------------------- phases 2 + 3

async function scrollAndIdle(def, server, display, xvfbPid) {
  const res = { scroll: null, idle: null };
  let term = null;
  let c = null;
  try {
    term = await scrollingXterm(display, '120x50+560+180', SCROLL_RATE);
    await sleep(1000);
    c = await openRfb(server.port);
    c.setEncodings([ENC.CopyRect, ENC.ZRLE]);
    c.request(false);
    await c.nextUpdate(20000);

    c.keepRects = true;
    let recording = null; // array of updates while a window is open
    let loop = true;
    let count = 0;
    c.onUpdate = (u) => {
      if (recording && recording.length < 200000) recording.push(u);
      if (loop && ++count < 1_000_000) c.request(true);
    };
    c.request(true);

    // scrolling window
    recording = [];
    const t0 = performance.now();
    const cpuScroll = await measureCpu([server.proc.pid, xvfbPid, term.pid], SCROLL_SECS * 1000);
    const t1 = performance.now();
    const ups = recording.filter((u) => u.doneAt <= t1);
    recording = null;
    if (c.failed()) throw c.failed();
    const secs = (t1 - t0) / 1000;
    const bytes = ups.reduce((a, u) => a + u.bytes, 0);
    const encs = {};
    for (const u of ups) for (const [k, v] of Object.entries(u.encodings)) encs[k] = (encs[k] ?? 0) + v;
    res.scroll = {
      seconds: +secs.toFixed(2),
      updates: ups.length,
      updatesPerSec: ups.length / secs,
      bytesPerUpdate: ups.length ? bytes / ups.length : 0,
      totalBytes: bytes,
      kbytesPerSec: bytes / secs / 1000,
      pixelsPerUpdate: ups.length ? ups.reduce((a, u) => a + u.pixels, 0) / ups.length : 0,
      rectsPerUpdate: ups.length ? ups.reduce((a, u) => a + u.rects, 0) / ups.length : 0,
      emptyUpdates: ups.filter((u) => u.rects === 0).length,
      latencyMsMedian: median(ups.map((u) => u.doneAt - u.requestedAt)),
      latencyMsP90: percentile(ups.map((u) => u.doneAt - u.requestedAt), 0.9),
      terminal: term.window,
      ...outsideStats(ups, term.window),
      rectEncodings: encs,
      cpuServer: cpuScroll[0],
      cpuXvfb: cpuScroll[1],
      cpuXterm: cpuScroll[2],
    };
    log(`${def.label} scroll: ${res.scroll.updatesPerSec.toFixed(1)} updates/s, ${Math.round(res.scroll.bytesPerUpdate)} B/update, server CPU ${fmtPct(res.scroll.cpuServer)}`);

    // idle: stop the terminal, let the last repaint go out, then measure
    await term.stop();
    term = null;
    await sleep(2000);
    c.keepRects = false;
    recording = [];
    const i0 = performance.now();
    const cpuIdle = await measureCpu([server.proc.pid, xvfbPid], IDLE_SECS * 1000);
    const i1 = performance.now();
    const idleUps = recording;
    recording = null;
    if (c.failed()) throw c.failed();
    res.idle = {
      seconds: +((i1 - i0) / 1000).toFixed(2),
      cpuServer: cpuIdle[0],
      cpuXvfb: cpuIdle[1],
      updates: idleUps.length,
      bytes: idleUps.reduce((a, u) => a + u.bytes, 0),
    };
    log(`${def.label} idle: server CPU ${fmtPct(res.idle.cpuServer)}, Xvfb CPU ${fmtPct(res.idle.cpuXvfb)}, ${res.idle.updates} updates`);
    loop = false;
  } catch (e) {
    res.error = e.message;
    log(`${def.label} scroll/idle ERROR: ${e.message}`);
  } finally {
    c?.close();
    if (term) await term.stop();
  }
  return res;
}

// ---------------------------------------------------------------- printing

const fmtMs = (v) => (v === null || v === undefined ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const fmtPct = (v) => (v === null || v === undefined ? '-' : `${v.toFixed(2)} %`);
const fmtKB = (v) => (v === null || v === undefined ? '-' : (v / 1024).toFixed(1));

function table(headers, rows, align) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function printResults(results) {
  const servers = results.servers.filter((s) => s.ran);
  const p = (s) => process.stdout.write(`${s}\n`);
  p('');
  p(`TrayVNC server benchmark — ${WIDTH}x${HEIGHT}x24 Xvfb, busy wallpaper + 3 xterms; ${results.host.cpus} CPUs (${results.host.cpuModel}), node ${process.version}`);
  const la = results.host.loadavgAtStart[0];
  p(`  load average (1 min) at start ${la.toFixed(2)}, at end ${results.host.loadavgAtEnd[0].toFixed(2)}${la > results.host.cpus / 4 ? ' — other work was running: timings are noisier than usual' : ''}`);
  for (const s of results.servers) p(`  ${s.label.padEnd(11)} ${s.ran ? `${s.version}; ${s.settings}` : `skipped: ${s.skipped}`}`);

  p('');
  p(`1. Full-frame encode: non-incremental full request -> complete update; median of ${RUNS} fresh connections (ZRLE: ${Math.max(RUNS, ZRLE_RUNS)}), servers interleaved run by run`);
  p('   cold = first request on a connection (fresh zlib streams), warm = a second full request on it; KiB = cold update size');
  const headers = ['encoding'];
  for (const s of servers) headers.push(`${s.label} cold ms`, 'warm ms', 'KiB');
  const rows = ENCODINGS.map((enc) => {
    const row = [enc];
    for (const s of servers) {
      const r = s.fullFrame?.[enc];
      if (!r) row.push('-', '-', '-');
      else if (r.runs === 0) row.push('ERROR', '', '');
      else row.push(fmtMs(r.coldMs) + (r.error ? '!' : ''), fmtMs(r.warmMs), fmtKB(r.coldBytes) + (r.supported ? '' : ` (${r.sentAs})`));
    }
    return row;
  });
  p(table(headers, rows));
  const notes = [];
  for (const s of servers)
    for (const enc of ENCODINGS) {
      const r = s.fullFrame?.[enc];
      if (r?.error) notes.push(`   ${s.label} ${enc}: ${r.error}`);
      if (r && !r.supported) notes.push(`   ${s.label} ${enc}: ${r.note}`);
    }
  if (notes.length) p(notes.join('\n'));
  p(`   server CPU per full ZRLE frame (from /proc, all runs): ${servers.map((s) => `${s.label} ${fmtMs(s.fullFrame?.ZRLE?.cpuMsPerFrame)} ms`).join(', ')}`);

  p('');
  p(`2. Scrolling terminal: xterm 120x50 printing ${SCROLL_RATE} lines/s for ${SCROLL_SECS} s; encodings [CopyRect, ZRLE]; next incremental request as soon as an update completes`);
  p(
    table(
      ['server', 'updates/s', 'B/update', 'KiB/s', 'total KiB', 'px/update', 'px/upd outside term', 'rects/upd', 'CopyRect', 'req->upd ms', 'server CPU', 'Xvfb CPU'],
      servers.map((s) => {
        const r = s.scroll;
        if (!r) return [s.label, 'ERROR', s.scrollError ?? '', '', '', '', '', '', '', '', '', ''];
        return [
          s.label,
          r.updatesPerSec.toFixed(1),
          Math.round(r.bytesPerUpdate),
          (r.totalBytes / 1024 / r.seconds).toFixed(1),
          fmtKB(r.totalBytes),
          Math.round(r.pixelsPerUpdate),
          r.pixelsOutsideTerminalPerUpdate === undefined ? '-' : Math.round(r.pixelsOutsideTerminalPerUpdate),
          r.rectsPerUpdate.toFixed(1),
          r.rectEncodings.CopyRect ?? 0,
          `${fmtMs(r.latencyMsMedian)} (p90 ${fmtMs(r.latencyMsP90)})`,
          fmtPct(r.cpuServer),
          fmtPct(r.cpuXvfb),
        ];
      }),
    ),
  );
  const term = servers.find((s) => s.scroll?.terminal)?.scroll.terminal;
  if (term) p(`   terminal window ${term.w}x${term.h}+${term.x}+${term.y}; req->upd = from an incremental request to its complete update (median)`);

  p('');
  p(`3. Idle CPU: one client requesting incremental updates, desktop idle, ${IDLE_SECS} s (% of one core from /proc utime+stime)`);
  p(
    table(
      ['server', 'server CPU', 'Xvfb CPU', 'updates sent', 'bytes sent'],
      servers.map((s) => {
        const r = s.idle;
        if (!r) return [s.label, 'ERROR', s.scrollError ?? '', '', ''];
        return [s.label, fmtPct(r.cpuServer), fmtPct(r.cpuXvfb), r.updates, r.bytes];
      }),
    ),
  );

  p('');
  p('4. TrayVNC against X0tigervnc (informational)');
  p(
    table(
      ['figure', 'TrayVNC', 'X0tigervnc', 'ratio', 'target', 'result'],
      results.targets.map((t) => [t.figure, t.ours, t.peer, t.ratio, t.target, t.result]),
      ['l', 'r', 'r', 'r', 'l', 'l'],
    ),
  );
  p('');
  p(`JSON: ${join('bench', 'out', 'results.json')}`);
}

function computeTargets(results) {
  const ours = results.servers.find((s) => s.id === 'trayvnc' && s.ran);
  const tiger = results.servers.find((s) => s.id === 'x0tigervnc' && s.ran);
  const targets = [];
  const ratioRow = (figure, a, b, fmt, target, test) => {
    const ratio = a !== null && a !== undefined && b ? a / b : null;
    targets.push({
      figure,
      ours: a === null || a === undefined ? '-' : fmt(a),
      peer: b === null || b === undefined ? '-' : fmt(b),
      ratio: ratio === null ? '-' : `${ratio.toFixed(2)}x`,
      ratioValue: ratio,
      target,
      result: ratio === null ? 'n/a' : test(ratio) ? 'PASS' : 'MISS',
    });
  };
  const oz = ours?.fullFrame?.ZRLE;
  const tz = tiger?.fullFrame?.ZRLE;
  ratioRow('ZRLE full frame, cold ms', oz?.coldMs, tz?.coldMs, fmtMs, '<= 1.25x', (r) => r <= 1.25);
  ratioRow('ZRLE full frame, warm ms', oz?.warmMs, tz?.warmMs, fmtMs, '<= 1.25x', (r) => r <= 1.25);
  ratioRow('ZRLE full frame, bytes', oz?.coldBytes, tz?.coldBytes, (v) => String(Math.round(v)), '<= 1.1x', (r) => r <= 1.1);
  ratioRow('scrolling updates/s', ours?.scroll?.updatesPerSec, tiger?.scroll?.updatesPerSec, (v) => v.toFixed(1), '>= 0.9x', (r) => r >= 0.9);
  const idle = ours?.idle?.cpuServer;
  const tIdle = tiger?.idle?.cpuServer;
  targets.push({
    figure: 'idle CPU, % of a core',
    ours: idle === null || idle === undefined ? '-' : fmtPct(idle),
    peer: tIdle === null || tIdle === undefined ? '-' : fmtPct(tIdle),
    ratio: idle !== null && idle !== undefined && tIdle ? `${(idle / tIdle).toFixed(2)}x` : '-',
    ratioValue: idle !== null && idle !== undefined && tIdle ? idle / tIdle : null,
    target: '<= 1 % (absolute)',
    result: idle === null || idle === undefined ? 'n/a' : idle <= 1 ? 'PASS' : 'MISS',
  });
  return targets;
}

// ---------------------------------------------------------------- main

/** Stop a server, keep its output in bench/out/<id>.log, note if it died or complained. */
async function finishServer(def, entry, server, phase) {
  const died = server.proc.exited();
  await server.proc.stop();
  const errText = server.proc.stderrText();
  entry.logs.push(`=== ${phase} ===\n${server.proc.stdoutText()}\n--- stderr ---\n${errText}`);
  writeFileSync(join(OUT_DIR, `${def.id}.log`), entry.logs.join('\n'));
  if (died) {
    entry.serverDiedDuringRun = true;
    log(`${def.label}: server process exited during the ${phase} phase!`);
  }
  if (def.id === 'trayvnc' && errText.trim()) {
    entry.stderrTail = [...(entry.stderrTail ?? []), ...errText.trim().split('\n').slice(-20)];
    log(`${def.label} wrote to stderr during the ${phase} phase (see bench/out/trayvnc.log):\n${errText.trim().split('\n').slice(-20).join('\n')}`);
  }
}

async function main() {
  for (const tool of ['Xvfb', 'xterm', 'xdotool', 'perl']) {
    if (!which(tool)) throw new Error(`${tool} is not installed; the benchmark needs it`);
  }
  if (!existsSync(join(ROOT, 'dist', 'main', 'cli.js'))) throw new Error('dist/main/cli.js is missing: run `npm run build` (npm run bench does)');
  mkdirSync(OUT_DIR, { recursive: true });

  const results = {
    date: new Date().toISOString(),
    host: { cpus: cpus().length, cpuModel: cpus()[0]?.model?.trim() ?? 'unknown', node: process.version, loadavgAtStart: loadavg().map((v) => +v.toFixed(2)) },
    config: { width: WIDTH, height: HEIGHT, runs: RUNS, scrollSecs: SCROLL_SECS, idleSecs: IDLE_SECS, scrollLinesPerSec: SCROLL_RATE },
    servers: [],
    targets: [],
  };

  log(`starting Xvfb ${WIDTH}x${HEIGHT}x24`);
  const xvfb = await startXvfb(WIDTH, HEIGHT);
  const stops = [];
  try {
    log(`painting the wallpaper on ${xvfb.display}`);
    await paintWallpaper(xvfb.display, 1);
    log('starting 3 static xterms');
    stops.push(...(await startStaticXterms(xvfb.display)));
    // the pointer in a fixed place for every server
    execFileSync('xdotool', ['mousemove', String(WIDTH - 8), String(HEIGHT - 8)], { env: { ...process.env, DISPLAY: xvfb.display }, timeout: 5000 });
    await sleep(500);

    const defs = serverDefs(xvfb.display);
    const usable = [];
    for (const def of defs) {
      const entry = { id: def.id, label: def.label, ran: false, settings: def.settings };
      results.servers.push(entry);
      if (!def.bin) {
        entry.skipped = 'not installed';
        log(`${def.label}: not installed, skipped`);
        continue;
      }
      entry.version = version(def);
      entry.logs = [];
      usable.push({ def, entry });
    }

    // Phase 1: every server up at once, runs interleaved
    const running = [];
    try {
      for (const u of usable) {
        log(`${u.def.label}: starting (${u.entry.version})`);
        try {
          running.push({ ...u, server: await startServer(u.def) });
          u.entry.ran = true;
        } catch (e) {
          u.entry.skipped = e.message;
          log(`${u.def.label}: ${e.message}`);
        }
      }
      await sleep(1500); // let them take their first picture of the screen
      log(`full-frame runs, interleaved across ${running.map((r) => r.def.label).join(', ')}`);
      await fullFrameAll(running);
    } finally {
      for (const r of running) await finishServer(r.def, r.entry, r.server, 'full-frame');
    }

    // Phases 2 and 3: one server at a time, alone on the display
    for (const { def, entry } of usable) {
      if (!entry.ran) continue;
      log(`${def.label}: starting for the scrolling and idle phases`);
      let server;
      try {
        server = await startServer(def);
      } catch (e) {
        entry.scrollError = e.message;
        log(`${def.label}: ${e.message}`);
        continue;
      }
      try {
        await sleep(1000);
        const si = await scrollAndIdle(def, server, xvfb.display, xvfb.proc.pid);
        entry.scroll = si.scroll;
        entry.idle = si.idle;
        if (si.error) entry.scrollError = si.error;
      } finally {
        await finishServer(def, entry, server, 'scroll+idle');
      }
    }
  } finally {
    for (const s of stops) await s.stop();
    await xvfb.proc.stop();
  }

  results.host.loadavgAtEnd = loadavg().map((v) => +v.toFixed(2));
  for (const e of results.servers) delete e.logs;
  results.targets = computeTargets(results);
  writeFileSync(join(OUT_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  printResults(results);
  log('done');
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench: harness failed: ${e.stack ?? e}\n`);
    void stopAll().finally(() => process.exit(1));
  },
);
