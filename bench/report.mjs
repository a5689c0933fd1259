// The benchmark's printed tables (stdout): one per workload, then the targets.

import { table, fmtMs, fmtPct, fmtKB, fmtNum } from './stats.mjs';
import { FULL_ENCODINGS, EVENT_LOOP_RESOLUTION_MS } from './workloads/full.mjs';

const p = (s = '') => process.stdout.write(`${s}\n`);

function fullTable(results, servers) {
  const { config } = results;
  p(`full: non-incremental full request -> last byte of the update, ${config.width}x${config.height}; median of ${config.runs} fresh connections per server after one not counted, servers taking turns run by run`);
  p('   cold = first request on a connection (fresh zlib streams), warm = a second full request on it; KiB = cold update; CPU = server CPU per frame (/proc, mean over all frames)');
  const headers = ['encoding'];
  for (const s of servers) headers.push(`${s.label} cold ms`, 'warm ms', 'KiB', 'CPU ms');
  const rows = config.fullEncodings.map((key) => {
    const row = [FULL_ENCODINGS[key].label];
    for (const s of servers) {
      const r = s.fullFrame?.[key];
      if (!r) row.push('-', '-', '-', '-');
      else if (r.runs === 0) row.push('ERROR', '', '', '');
      else row.push(fmtMs(r.coldMs) + (r.error ? '!' : ''), fmtMs(r.warmMs), fmtKB(r.coldBytes) + (r.supported ? '' : ` (${r.sentAs})`), fmtMs(r.cpuMsPerFrame));
    }
    return row;
  });
  p(table(headers, rows));
  for (const s of servers)
    for (const key of config.fullEncodings) {
      const r = s.fullFrame?.[key];
      if (r?.error) p(`   ${s.label} ${r.label}: ${r.error}`);
      if (r?.note) p(`   ${s.label} ${r.label}: ${r.note}`);
      if (r?.tightKinds) p(`   ${s.label} ${r.label}: Tight rectangles ${Object.entries(r.tightKinds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  const ours = servers.find((s) => s.id === 'trayvnc');
  const loops = config.fullEncodings.map((k) => [k, ours?.fullFrame?.[k]?.eventLoop]).filter(([, e]) => e);
  if (loops.length) {
    p(`   TrayVNC event-loop delay during each encoding's runs (/metrics, monitorEventLoopDelay sampling every ${EVENT_LOOP_RESOLUTION_MS} ms; a sample includes those ${EVENT_LOOP_RESOLUTION_MS} ms):`);
    p(`   ${loops.map(([k, e]) => `${FULL_ENCODINGS[k].label} p50 ${fmtMs(e.p50Ms)} p99 ${fmtMs(e.p99Ms)} max ${fmtMs(e.maxMs)} ms`).join('; ')}`);
  }
}

function keysTable(results, servers) {
  p(`keys: a KeyEvent into the small xterm (running cat) -> end of the first update with a rectangle inside it; ${results.config.keys} keys, [CopyRect, ZRLE], an incremental request always outstanding`);
  p(
    table(
      ['server', 'median ms', 'p90 ms', 'max ms', 'no echo in 2 s'],
      servers.map((s) => (s.keys ? [s.label, fmtMs(s.keys.medianMs), fmtMs(s.keys.p90Ms), fmtMs(s.keys.maxMs), s.keys.missed] : [s.label, s.errors?.keys ? 'ERROR' : '-', '', '', ''])),
    ),
  );
}

const STREAMS = [
  ['scroll', 'zrle', 'scroll, CopyRect+ZRLE'],
  ['scroll', 'tight', 'scroll, CopyRect+Tight'],
  ['motion', 'zrle', 'motion, CopyRect+ZRLE'],
  ['video', 'zrle', 'video, ZRLE'],
  ['video', 'jpeg', 'video, Tight JPEG q8'],
  ['idle', 'joined', 'idle, after a viewer joined'],
  ['idle', null, 'idle, steady'],
];

function streamsTable(results, servers) {
  const c = results.config;
  p(`streams: a viewer asking again as soon as an update completes, ${c.secs} s windows (idle ${c.idleSecs} s); updates/s counts updates with rectangles; CPU = % of one core (/proc)`);
  p(`   scroll: xterm 120x50 printing ${c.scrollRate} lines/s in 20 ms ticks; motion: 480x320 photo window along a Lissajous path, 30 moves/s; video: 480x270 animation at 25 fps`);
  const headers = ['workload'];
  for (const s of servers) headers.push(`${s.label} upd/s`, 'KiB/s', 'CPU');
  const rows = [];
  for (const [w, k, label] of STREAMS) {
    if (!servers.some((s) => s[w] !== undefined || s.errors?.[w])) continue;
    const row = [label];
    for (const s of servers) {
      const r = k ? s[w]?.[k] : s[w];
      if (!r) row.push(s.errors?.[w] ? 'ERROR' : '-', '', '');
      else row.push(fmtNum(r.updatesPerSec), fmtNum(r.bytesPerSec / 1024), fmtPct(r.cpuServer));
    }
    rows.push(row);
  }
  p(table(headers, rows));
  for (const s of servers) for (const [w, e] of Object.entries(s.errors ?? {})) p(`   ${s.label} ${w}: ERROR ${e}`);
  const tk = servers.filter((s) => s.video?.jpeg?.tightKinds);
  for (const s of tk) p(`   ${s.label} video Tight JPEG q8 rectangles: ${Object.entries(s.video.jpeg.tightKinds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

function viewersTable(results, servers) {
  const n = results.config.viewers;
  p(`viewers: the scroll workload watched by 1 viewer, then by ${n} (each from its own loopback address), [CopyRect, ZRLE]`);
  p(
    table(
      ['server', '1 viewer upd/s', `${n}: median upd/s`, 'min', 'max', '1 viewer CPU', `${n} viewers CPU`, `${n} viewers KiB/s`],
      servers.map((s) => {
        const v = s.viewers;
        if (!v) return [s.label, s.errors?.viewers ? 'ERROR' : '-', '', '', '', '', '', ''];
        return [s.label, fmtNum(v.single.updatesPerSec), fmtNum(v.medianUpdatesPerSec), fmtNum(v.minUpdatesPerSec), fmtNum(v.maxUpdatesPerSec), fmtPct(v.single.cpuServer), fmtPct(v.cpuServer), fmtNum(v.totalBytesPerSec / 1024)];
      }),
    ),
  );
}

export function printResults(results) {
  const servers = results.servers.filter((s) => s.ran);
  const h = results.host;
  p('');
  p(`TrayVNC server benchmark — ${results.config.width}x${results.config.height}x24 Xvfb, photo-like wallpaper with a text panel, 2 xterms; ${h.cpus} CPUs (${h.cpuModel}), node ${h.node}`);
  p(`  load average (1 min) at start ${h.loadavgAtStart[0].toFixed(2)}, at end ${h.loadavgAtEnd[0].toFixed(2)}${h.loadavgAtStart[0] > h.cpus / 4 ? ' — other work was running: timings are noisier than usual' : ''}`);
  for (const s of results.servers) p(`  ${s.label.padEnd(11)} ${s.ran ? `${s.version}; ${s.settings}` : `skipped: ${s.skipped}`}`);
  const only = results.config.only;
  if (only.has('full')) (p(), fullTable(results, servers));
  if (only.has('keys')) (p(), keysTable(results, servers));
  if (['scroll', 'motion', 'video', 'idle'].some((w) => only.has(w))) (p(), streamsTable(results, servers));
  if (only.has('viewers')) (p(), viewersTable(results, servers));
  p('');
  p('targets: TrayVNC against X0tigervnc from this run (or against its own figure where the peer column says so)');
  p(
    table(
      ['figure', 'TrayVNC', 'peer', 'ratio', 'target', 'result'],
      results.targets.map((t) => [t.figure, t.ours, t.peer, t.ratio, t.target, t.result]),
      ['l', 'r', 'r', 'r', 'l', 'l'],
    ),
  );
  p('');
  p('JSON: bench/out/results.json');
}
