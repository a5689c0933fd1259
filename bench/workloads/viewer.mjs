// A viewer that keeps one incremental request outstanding (the next goes out
// as soon as an update completes), and measured windows over it: what the
// streaming workloads (scroll, motion, video, idle, viewers) have in common.

import { openRfb } from '../rfb-client.mjs';
import { cpuTicks, CLK_TCK, sleep } from '../procs.mjs';

/**
 * Connect, set `encodings`, take the first full picture, then keep asking.
 * `keepRects`: record each rectangle (for where changes land).
 */
export async function startViewer(port, encodings, { localAddress, keepRects = false } = {}) {
  const c = await openRfb(port, { localAddress });
  c.setEncodings(encodings);
  c.request(false);
  await c.nextUpdate(30000);
  c.keepRects = keepRects;
  let running = true;
  let recording = null;
  c.onUpdate = (u) => {
    if (recording && recording.length < 200000) recording.push(u);
    if (running) c.request(true);
  };
  c.request(true);
  return {
    client: c,
    /** Start keeping the updates that complete from now on. */
    record() {
      recording = [];
    },
    /** Stop keeping updates; returns those kept. */
    take() {
      const r = recording ?? [];
      recording = null;
      return r;
    },
    close() {
      running = false;
      c.close();
    },
  };
}

/** What a stretch of updates amounts to over `secs` seconds. */
export function summarize(ups, secs) {
  const nonEmpty = ups.filter((u) => u.rects > 0);
  const bytes = ups.reduce((a, u) => a + u.bytes, 0);
  const encodings = {};
  const tight = {};
  for (const u of ups) {
    for (const [k, v] of Object.entries(u.encodings)) encodings[k] = (encodings[k] ?? 0) + v;
    for (const [k, v] of Object.entries(u.tight ?? {})) tight[k] = (tight[k] ?? 0) + v;
  }
  return {
    seconds: +secs.toFixed(2),
    updates: nonEmpty.length,
    emptyUpdates: ups.length - nonEmpty.length,
    updatesPerSec: nonEmpty.length / secs,
    bytesPerSec: bytes / secs,
    bytesPerUpdate: nonEmpty.length ? bytes / nonEmpty.length : 0,
    pixelsPerUpdate: nonEmpty.length ? nonEmpty.reduce((a, u) => a + u.pixels, 0) / nonEmpty.length : 0,
    rectEncodings: encodings,
    ...(Object.keys(tight).length ? { tightKinds: tight } : {}),
  };
}

/** CPU % of one core per pid between two readings of ticks. */
function cpuPct(before, after, secs) {
  return before.map((b, i) => (b === null || after[i] === null ? null : ((after[i] - b) / CLK_TCK / secs) * 100));
}

/**
 * Measure `viewers` for `secs` seconds: each one's summary, and the CPU of
 * `pids` (server first, then Xvfb, then whatever else is given).
 */
export async function measureWindow(viewers, pids, secs) {
  for (const v of viewers) v.record();
  const t0 = performance.now();
  const before = pids.map(cpuTicks);
  await sleep(secs * 1000);
  const after = pids.map(cpuTicks);
  const elapsed = (performance.now() - t0) / 1000;
  const per = viewers.map((v) => {
    const failure = v.client.failed();
    if (failure) throw failure;
    return summarize(v.take(), elapsed);
  });
  const cpu = cpuPct(before, after, elapsed);
  return { per, cpuServer: cpu[0], cpuXvfb: cpu[1], cpuOthers: cpu.slice(2) };
}

/** One viewer with `encodings`, measured for `secs` after `settleMs`; closes it. */
export async function oneViewerWindow(port, encodings, pids, secs, settleMs = 500) {
  const v = await startViewer(port, encodings);
  try {
    await sleep(settleMs);
    const w = await measureWindow([v], pids, secs);
    return { ...w.per[0], cpuServer: w.cpuServer, cpuXvfb: w.cpuXvfb };
  } finally {
    v.close();
  }
}
