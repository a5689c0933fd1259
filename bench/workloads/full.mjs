// Full frames: per encoding, ms from a non-incremental full
// FramebufferUpdateRequest to the last byte of the update, its bytes, and the
// server's CPU while it made it. Fresh connections ("cold": fresh zlib
// streams, first request of the connection) and a second full request on each
// ("warm"); medians over the runs. All servers are up at once and take turns
// run by run, so a change in the machine's load hits them alike; idle servers
// without clients cost next to nothing. Each encoding starts with one run per
// server that is not counted (a warm-up, as bench/full-frame.mjs has).
// TrayVNC's event-loop delay comes from its /metrics (prom-client's
// monitorEventLoopDelay histogram, which resets on every scrape) scraped
// before and after each encoding's runs, the warm-up included.

import { openRfb, ENC, qualityLevel } from '../rfb-client.mjs';
import { cpuTicks, CLK_TCK, sleep } from '../procs.mjs';
import { scrapeGauges } from '../servers.mjs';
import { median, fmtMs, log } from '../stats.mjs';

/** The encodings measured; `expect` is the rectangle encoding a server that has it answers with. */
export const FULL_ENCODINGS = {
  ZRLE: { label: 'ZRLE', list: [ENC.ZRLE], expect: 'ZRLE' },
  Hextile: { label: 'Hextile', list: [ENC.Hextile], expect: 'Hextile' },
  Tight: { label: 'Tight lossless', list: [ENC.Tight], expect: 'Tight' },
  TightJPEG: { label: 'Tight JPEG q8', list: [ENC.Tight, qualityLevel(8)], expect: 'Tight' },
  // on request (--full-encodings): the rest of what the client parses
  Raw: { label: 'Raw', list: [ENC.Raw], expect: 'Raw' },
  RRE: { label: 'RRE', list: [ENC.RRE], expect: 'RRE' },
  CoRRE: { label: 'CoRRE', list: [ENC.CoRRE], expect: 'CoRRE' },
  Zlib: { label: 'Zlib', list: [ENC.Zlib], expect: 'Zlib' },
  TRLE: { label: 'TRLE', list: [ENC.TRLE], expect: 'TRLE' },
  TightPNG: { label: 'TightPNG q8', list: [ENC.TightPNG, qualityLevel(8)], expect: 'TightPNG' },
};
export const DEFAULT_FULL = ['ZRLE', 'Hextile', 'Tight', 'TightJPEG'];

const EVENT_LOOP = ['nodejs_eventloop_lag_p99_seconds', 'nodejs_eventloop_lag_max_seconds', 'nodejs_eventloop_lag_p50_seconds'];
/** prom-client's default sampling interval for monitorEventLoopDelay: every sample includes it. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

/** One request → update, with the server's CPU ticks around it. */
async function frame(c, pid) {
  const t0 = cpuTicks(pid);
  c.request(false);
  const u = await c.nextUpdate(30000);
  const t1 = cpuTicks(pid);
  return { u, ticks: t0 === null || t1 === null ? null : t1 - t0 };
}

/** `running`: [{ entry, server, metricsPort? }]; fills entry.fullFrame[encoding]. */
export async function fullFrames(running, { encodings, runs, width, height }) {
  for (const { entry } of running) entry.fullFrame = {};
  let address = 0;
  for (const key of encodings) {
    const enc = FULL_ENCODINGS[key];
    const acc = new Map(running.map(({ entry }) => [entry.id, { cold: [], warm: [], ticks: [], sample: null, error: null, failed: false }]));
    for (const r of running) if (r.metricsPort) await scrapeGauges(r.metricsPort, EVENT_LOOP); // resets the histogram
    // One connection each first, not counted (its delay is in the event-loop figures): a
    // server's first frames in an encoding include one-time work, TrayVNC's compiler
    // warming to that encoding's code (the first Tight JPEG frame took 30–43 ms against
    // 16–22 for the next ones), which a server running for a while has long done.
    for (let run = -1; run < runs; run++) {
      for (const { entry, server } of running) {
        const a = acc.get(entry.id);
        if (a.failed) continue;
        try {
          // a different loopback address each time: no server's per-address limits come into it
          const c = await openRfb(server.port, { localAddress: `127.0.1.${(address++ % 200) + 1}` });
          try {
            c.setEncodings(enc.list);
            const f1 = await frame(c, server.proc.pid);
            const f2 = await frame(c, server.proc.pid);
            if (run >= 0) {
              a.sample ??= f1.u;
              const covered = Math.min(f1.u.pixels, f2.u.pixels);
              if (covered < width * height) a.error = `update covers ${covered} of ${width * height} pixels`;
              a.cold.push(f1.u);
              a.warm.push(f2.u);
              a.ticks.push(f1.ticks, f2.ticks);
            }
          } finally {
            c.close();
          }
        } catch (e) {
          a.error = e.message;
          a.failed = true;
        }
        await sleep(50);
      }
    }
    for (const r of running) {
      const { entry } = r;
      const { cold, warm, ticks, sample, error } = acc.get(entry.id);
      const supported = (sample?.encodings[enc.expect] ?? 0) > 0;
      const t = ticks.filter((x) => x !== null);
      const res = {
        label: enc.label,
        supported,
        runs: cold.length,
        // mean over all frames: a frame often takes less than one 10 ms tick
        cpuMsPerFrame: t.length ? (t.reduce((x, y) => x + y, 0) * (1000 / CLK_TCK)) / t.length : null,
        coldMs: median(cold.map((u) => u.ms)),
        warmMs: median(warm.map((u) => u.ms)),
        coldBytes: median(cold.map((u) => u.bytes)),
        warmBytes: median(warm.map((u) => u.bytes)),
        coldMsAll: cold.map((u) => +u.ms.toFixed(2)),
        warmMsAll: warm.map((u) => +u.ms.toFixed(2)),
        rects: sample?.rects ?? null,
        rectEncodings: sample?.encodings ?? null,
        tightKinds: sample && Object.keys(sample.tight).length ? sample.tight : undefined,
        sentAs: Object.keys(sample?.encodings ?? {}).join('+') || 'nothing',
        error,
      };
      if (sample && !supported) res.note = `answers a ${enc.label} client with ${res.sentAs}`;
      if (r.metricsPort) {
        const g = await scrapeGauges(r.metricsPort, EVENT_LOOP);
        res.eventLoop = g && {
          p50Ms: g.nodejs_eventloop_lag_p50_seconds * 1000,
          p99Ms: g.nodejs_eventloop_lag_p99_seconds * 1000,
          maxMs: g.nodejs_eventloop_lag_max_seconds * 1000,
        };
      }
      entry.fullFrame[key] = res;
      const kinds = res.tightKinds ? ` [${Object.entries(res.tightKinds).map(([k, v]) => `${k} ${v}`).join(', ')}]` : '';
      log(
        `${entry.label} ${enc.label}: ${
          res.runs === 0
            ? `ERROR ${res.error}`
            : `${supported ? '' : `(${res.note}) `}cold ${fmtMs(res.coldMs)} ms, warm ${fmtMs(res.warmMs)} ms, ${res.coldBytes} bytes, ${res.rects} rects${kinds}, CPU ${fmtMs(res.cpuMsPerFrame)} ms/frame${
                res.eventLoop ? `, event loop p99 ${fmtMs(res.eventLoop.p99Ms)} ms` : ''
              }${res.error ? ` (!! ${res.error})` : ''}`
        }`,
      );
    }
  }
}
