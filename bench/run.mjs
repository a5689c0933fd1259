// Server benchmark: TrayVNC next to x11vnc and TigerVNC's X0tigervnc (when
// installed) on the same generated 1920×1080 Xvfb desktop, in one run.
// Figures and ratios only: nothing here fails a build.
//
//   npm run bench            (builds first, then also runs bench/recording.mjs)
//   node bench/run.mjs [--only full,keys,scroll,motion,video,idle,viewers]
//       [--runs N] [--secs S] [--idle-secs S] [--keys N] [--viewers N]
//       [--scroll-rate LINES_PER_S] [--full-encodings ZRLE,Hextile,Tight,TightJPEG,Raw,RRE,CoRRE,Zlib,TRLE,TightPNG]
//       [--servers trayvnc,x11vnc,x0tigervnc] [--trayvnc-args="--frame-rate 60"]
//
// Workloads (bench/workloads/): full frames per encoding with server CPU and
// TrayVNC's event-loop delay (full.mjs), key -> echo latency (keys.mjs),
// scrolling terminal, dragged photo window, video, idle and many viewers
// (streams.mjs). Targets: bench/targets.mjs. Tables: bench/report.mjs.
// Progress goes to stderr, tables to stdout, everything to bench/out/results.json.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { freePort, sleep, which, stopAll } from './procs.mjs';
import { startXvfb, paintWallpaper, startBenchTerminals } from './desktop.mjs';
import { serverDefs, version, startServer, finishServer } from './servers.mjs';
import { fullFrames, FULL_ENCODINGS, DEFAULT_FULL } from './workloads/full.mjs';
import { keyLatency, focusKeyTerminal } from './workloads/keys.mjs';
import * as streams from './workloads/streams.mjs';
import { computeTargets } from './targets.mjs';
import { printResults } from './report.mjs';
import { log } from './stats.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH, '..');
const OUT_DIR = join(ROOT, 'bench', 'out');
const WIDTH = 1920;
const HEIGHT = 1080;
const WORKLOADS = ['full', 'keys', 'scroll', 'motion', 'video', 'idle', 'viewers'];

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string', default: WORKLOADS.join(',') },
    runs: { type: 'string', default: '11' },
    secs: { type: 'string', default: '10' },
    'idle-secs': { type: 'string', default: '10' },
    keys: { type: 'string', default: '40' },
    viewers: { type: 'string', default: '20' },
    'scroll-rate': { type: 'string', default: '250' },
    'full-encodings': { type: 'string', default: DEFAULT_FULL.join(',') },
    servers: { type: 'string', default: 'trayvnc,x11vnc,x0tigervnc' },
    'trayvnc-args': { type: 'string', default: '' },
  },
});
const bounded = (v, lo, hi, dflt) => Math.max(lo, Math.min(hi, Number(v) || dflt));
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const ONLY = new Set(list(opts.only).map((x) => x.toLowerCase()));
for (const w of ONLY) if (!WORKLOADS.includes(w)) throw new Error(`--only: unknown workload ${w} (${WORKLOADS.join(', ')})`);
const FULL = list(opts['full-encodings']);
for (const e of FULL) if (!FULL_ENCODINGS[e]) throw new Error(`--full-encodings: unknown ${e} (${Object.keys(FULL_ENCODINGS).join(', ')})`);
const CONFIG = {
  width: WIDTH,
  height: HEIGHT,
  only: ONLY,
  runs: bounded(opts.runs, 1, 25, 11),
  secs: bounded(opts.secs, 2, 60, 10),
  idleSecs: bounded(opts['idle-secs'], 2, 60, 10),
  keys: bounded(opts.keys, 5, 200, 40),
  viewers: bounded(opts.viewers, 2, 45, 20),
  scrollRate: bounded(opts['scroll-rate'], 10, 5000, 250),
  fullEncodings: FULL,
};
const TRAYVNC_ARGS = opts['trayvnc-args'].split(/\s+/).filter(Boolean);

/** The workloads that take one server at a time, in order; `viewers` gets a server of its own. */
async function soloWorkloads(def, entry, display, xvfbPid, terms) {
  const server = await startServer(ROOT, def);
  const ctx = { display, xvfbPid, serverPid: server.proc.pid, benchDir: BENCH, secs: CONFIG.secs, idleSecs: CONFIG.idleSecs, scrollRate: CONFIG.scrollRate };
  entry.errors ??= {};
  try {
    await sleep(1000); // its first picture of the screen
    const run = async (name, fn) => {
      if (!ONLY.has(name)) return;
      try {
        entry[name] = await fn();
      } catch (e) {
        entry.errors[name] = e.message;
        log(`${def.label} ${name} ERROR: ${e.message}`);
      }
    };
    await run('keys', async () => {
      focusKeyTerminal(display, terms.keys);
      return keyLatency(def.label, server.port, terms.keys, { count: CONFIG.keys });
    });
    await run('scroll', () => streams.scroll(ctx, def.label, server.port));
    await run('motion', () => streams.motion(ctx, def.label, server.port));
    await run('video', () => streams.video(ctx, def.label, server.port));
    await run('idle', () => streams.idle(ctx, def.label, server.port));
  } finally {
    await finishServer(OUT_DIR, def, entry, server, 'keys+streams');
  }
  if (!ONLY.has('viewers')) return;
  // more viewers than TrayVNC's default of 10 connections
  const many = await startServer(ROOT, def, ['--max-connections', '50']);
  try {
    await sleep(1000);
    entry.viewers = await streams.viewers({ ...ctx, serverPid: many.proc.pid }, def.label, many.port, CONFIG.viewers);
  } catch (e) {
    entry.errors.viewers = e.message;
    log(`${def.label} viewers ERROR: ${e.message}`);
  } finally {
    await finishServer(OUT_DIR, def, entry, many, 'viewers');
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
    config: CONFIG,
    servers: [],
    targets: [],
  };

  log(`starting Xvfb ${WIDTH}x${HEIGHT}x24`);
  const xvfb = await startXvfb(WIDTH, HEIGHT);
  let terms = null;
  try {
    log(`painting the wallpaper on ${xvfb.display}`);
    await paintWallpaper(xvfb.display, 1);
    terms = await startBenchTerminals(xvfb.display);
    execFileSync('xdotool', ['mousemove', String(WIDTH - 8), String(HEIGHT - 8)], { env: { ...process.env, DISPLAY: xvfb.display }, timeout: 5000 });
    await sleep(500);

    const usable = [];
    for (const def of serverDefs(ROOT, xvfb.display, new Set(list(opts.servers.toLowerCase())), TRAYVNC_ARGS)) {
      const entry = { id: def.id, label: def.label, ran: false, settings: def.settings, logs: [] };
      results.servers.push(entry);
      if (!def.bin) {
        entry.skipped = 'not installed';
        log(`${def.label}: not installed, skipped`);
        continue;
      }
      entry.version = version(ROOT, def);
      usable.push({ def, entry });
    }

    if (ONLY.has('full')) {
      // every server up at once, runs interleaved; TrayVNC also serves /metrics for its event-loop delay
      const running = [];
      try {
        for (const u of usable) {
          log(`${u.def.label}: starting (${u.entry.version})`);
          try {
            const metricsPort = u.def.id === 'trayvnc' ? await freePort() : undefined;
            const extra = metricsPort ? ['--metrics-port', String(metricsPort)] : [];
            running.push({ ...u, metricsPort, server: await startServer(ROOT, u.def, extra) });
            u.entry.ran = true;
          } catch (e) {
            u.entry.skipped = e.message;
            log(`${u.def.label}: ${e.message}`);
          }
        }
        await sleep(1500);
        log(`full frames, servers taking turns: ${running.map((r) => r.def.label).join(', ')}`);
        await fullFrames(running, { encodings: FULL, runs: CONFIG.runs, width: WIDTH, height: HEIGHT });
      } finally {
        for (const r of running) await finishServer(OUT_DIR, r.def, r.entry, r.server, 'full');
      }
    }

    if (WORKLOADS.some((w) => w !== 'full' && ONLY.has(w))) {
      for (const { def, entry } of usable) {
        if (ONLY.has('full') && !entry.ran) continue; // it did not come up before
        log(`${def.label}: one server alone on the display`);
        try {
          await soloWorkloads(def, entry, xvfb.display, xvfb.proc.pid, terms);
          entry.ran = true;
        } catch (e) {
          entry.skipped ??= e.message;
          log(`${def.label}: ${e.message}`);
        }
      }
    }
  } finally {
    await terms?.stop();
    await xvfb.proc.stop();
  }

  results.host.loadavgAtEnd = loadavg().map((v) => +v.toFixed(2));
  for (const e of results.servers) delete e.logs;
  results.targets = computeTargets(results);
  writeFileSync(join(OUT_DIR, 'results.json'), `${JSON.stringify({ ...results, config: { ...CONFIG, only: [...ONLY] } }, null, 2)}\n`);
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
