// The streaming workloads: something changes on the desktop at a fixed pace
// (or nothing does), a viewer keeps asking, and we count what it gets and what
// the server spends over a measured window.
//
//   scroll   an xterm printing 250 log lines a second, 5 every 20 ms;
//            [CopyRect, ZRLE] then [CopyRect, Tight]
//   motion   a 480×320 photo window dragged along a Lissajous path, 30 moves
//            a second; [CopyRect, ZRLE]
//   video    a 480×270 photo-like animation at 25 fps; [ZRLE], then
//            [Tight, JPEG quality 8]
//   idle     nothing changes; [CopyRect, ZRLE]
//   viewers  the scroll workload with 1, then 20 [CopyRect, ZRLE] viewers,
//            each from its own loopback address

import { join } from 'node:path';
import { ENC, qualityLevel } from '../rfb-client.mjs';
import { startProcess, sleep } from '../procs.mjs';
import { scrollingXterm, LAYOUT } from '../desktop.mjs';
import { oneViewerWindow, startViewer, measureWindow } from './viewer.mjs';
import { median, fmtNum, fmtPct, log } from '../stats.mjs';

const ZRLE = [ENC.CopyRect, ENC.ZRLE];
const TIGHT = [ENC.CopyRect, ENC.Tight];

const brief = (r) => `${fmtNum(r.updatesPerSec)} updates/s, ${fmtNum(r.bytesPerSec / 1024)} KiB/s, server CPU ${fmtPct(r.cpuServer)}`;

/** Start bench/x-actor.mjs in `mode` and wait (bounded) for its window. */
async function startActor(benchDir, display, mode) {
  const proc = startProcess(process.execPath, [join(benchDir, 'x-actor.mjs'), mode, display]);
  const deadline = Date.now() + 20000;
  for (let i = 0; i < 400 && Date.now() < deadline; i++) {
    const m = /ready (-?\d+) (-?\d+) (\d+) (\d+)/.exec(proc.stdoutText());
    if (m) return { proc, window: { x: +m[1], y: +m[2], w: +m[3], h: +m[4] } };
    if (proc.exited()) break;
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`x-actor ${mode} did not start: ${proc.stderrText().slice(-400)}`);
}

export async function scroll(ctx, label, port) {
  const term = await scrollingXterm(ctx.display, LAYOUT.scrollTerm, ctx.scrollRate, 20);
  try {
    await sleep(1000);
    const pids = [ctx.serverPid, ctx.xvfbPid, term.pid];
    const zrle = await oneViewerWindow(port, ZRLE, pids, ctx.secs);
    log(`${label} scroll ZRLE: ${brief(zrle)}`);
    const tight = await oneViewerWindow(port, TIGHT, pids, ctx.secs);
    log(`${label} scroll Tight: ${brief(tight)}`);
    return { zrle, tight, terminal: term.window };
  } finally {
    await term.stop();
  }
}

export async function motion(ctx, label, port) {
  const actor = await startActor(ctx.benchDir, ctx.display, 'motion');
  try {
    await sleep(500);
    const zrle = await oneViewerWindow(port, ZRLE, [ctx.serverPid, ctx.xvfbPid, actor.proc.pid], ctx.secs);
    log(`${label} motion ZRLE: ${brief(zrle)}`);
    return { zrle };
  } finally {
    await actor.proc.stop();
  }
}

export async function video(ctx, label, port) {
  const actor = await startActor(ctx.benchDir, ctx.display, 'video');
  try {
    await sleep(500);
    const pids = [ctx.serverPid, ctx.xvfbPid, actor.proc.pid];
    const zrle = await oneViewerWindow(port, [ENC.ZRLE], pids, ctx.secs);
    log(`${label} video ZRLE: ${brief(zrle)}`);
    const jpeg = await oneViewerWindow(port, [ENC.Tight, qualityLevel(8)], pids, ctx.secs);
    log(`${label} video Tight JPEG q8: ${brief(jpeg)}${jpeg.tightKinds ? ` [${Object.entries(jpeg.tightKinds).map(([k, v]) => `${k} ${v}`).join(', ')}]` : ''}`);
    return { zrle, jpeg, window: actor.window };
  } finally {
    await actor.proc.stop();
  }
}

/**
 * A viewer on a still desktop, two windows: the first from 1.5 s after it
 * joined (with what its first full frame leaves to settle: a server's
 * collections, memory given back, which V8 does up to some 15 s after a
 * burst), the second after another 10 s, the steady state the target reads.
 */
export async function idle(ctx, label, port) {
  await sleep(1000); // whatever the previous workload left settles
  const pids = [ctx.serverPid, ctx.xvfbPid];
  const v = await startViewer(port, ZRLE);
  try {
    await sleep(1500);
    const window = async () => {
      const w = await measureWindow([v], pids, ctx.idleSecs);
      return { ...w.per[0], cpuServer: w.cpuServer, cpuXvfb: w.cpuXvfb };
    };
    const joined = await window();
    await sleep(10_000);
    const steady = await window();
    log(`${label} idle: server CPU ${fmtPct(joined.cpuServer)} after the viewer joined, ${fmtPct(steady.cpuServer)} steady; Xvfb CPU ${fmtPct(steady.cpuXvfb)}; ${joined.updates + steady.updates} updates`);
    return { ...steady, joined };
  } finally {
    v.close();
  }
}

/** 1 viewer, then `count` at once, all during the scroll workload. */
export async function viewers(ctx, label, port, count) {
  const term = await scrollingXterm(ctx.display, LAYOUT.scrollTerm, ctx.scrollRate, 20);
  const open = [];
  try {
    await sleep(1000);
    const pids = [ctx.serverPid, ctx.xvfbPid];
    const single = await oneViewerWindow(port, ZRLE, pids, ctx.secs);
    for (let i = 0; i < count; i++) open.push(await startViewer(port, ZRLE, { localAddress: `127.0.2.${i + 1}` }));
    await sleep(1000);
    const w = await measureWindow(open, pids, ctx.secs);
    const rates = w.per.map((p) => p.updatesPerSec);
    const res = {
      viewers: count,
      single: { updatesPerSec: single.updatesPerSec, bytesPerSec: single.bytesPerSec, cpuServer: single.cpuServer },
      medianUpdatesPerSec: median(rates),
      minUpdatesPerSec: Math.min(...rates),
      maxUpdatesPerSec: Math.max(...rates),
      totalBytesPerSec: w.per.reduce((a, p) => a + p.bytesPerSec, 0),
      cpuServer: w.cpuServer,
      cpuXvfb: w.cpuXvfb,
    };
    log(`${label} ${count} viewers: per viewer median ${fmtNum(res.medianUpdatesPerSec)} min ${fmtNum(res.minUpdatesPerSec)} updates/s (one viewer alone ${fmtNum(single.updatesPerSec)}), server CPU ${fmtPct(res.cpuServer)} (one viewer ${fmtPct(single.cpuServer)})`);
    return res;
  } finally {
    for (const v of open) v.close();
    await term.stop();
  }
}
