// Key latency: the viewer types letters into the small terminal (it runs
// `cat`, so the terminal's echo shows each key) while it keeps an incremental
// request outstanding; the time from sending the KeyEvent to the end of the
// first update with a rectangle inside that terminal. Keys go one at a time,
// each after the previous one's echo came back and a gap of 150-350 ms (from
// a seeded PRNG, so keys do not fall in step with a server's polling).

import { execFileSync } from 'node:child_process';
import { ENC } from '../rfb-client.mjs';
import { sleep } from '../procs.mjs';
import { startViewer } from './viewer.mjs';
import { median, percentile, lcg, fmtMs, log } from '../stats.mjs';

const KEY_TIMEOUT_MS = 2000;
const RETURN = 0xff0d;

const inside = (r, w) => r.enc >= 0 && r.x < w.x + w.w && r.x + r.w > w.x && r.y < w.y + w.h && r.y + r.h > w.y;

/** Give the small terminal the keyboard focus (there is no window manager) and put the pointer on it. */
export function focusKeyTerminal(display, term) {
  const env = { ...process.env, DISPLAY: display };
  const w = term.window;
  execFileSync('xdotool', ['mousemove', String(w.x + (w.w >> 1)), String(w.y + (w.h >> 1))], { env, timeout: 5000 });
  execFileSync('xdotool', ['windowfocus', '--sync', term.windowId], { env, timeout: 5000 });
}

/** `count` keys through the server at `port`; the echo lands in `term.window`. */
export async function keyLatency(label, port, term, { count, encodings = [ENC.CopyRect, ENC.ZRLE] }) {
  const v = await startViewer(port, encodings, { keepRects: true });
  const c = v.client;
  const rnd = lcg(0x6b6579);
  const times = [];
  let missed = 0;
  try {
    await sleep(300);
    for (let i = 0; i < count; i++) {
      await sleep(150 + rnd() * 200);
      let hit = null;
      const sentAt = { t: 0 };
      const seen = new Promise((resolve) => {
        const t = setTimeout(() => resolve(null), KEY_TIMEOUT_MS);
        const prev = c.onUpdate;
        c.onUpdate = (u) => {
          prev(u);
          if (!hit && u.doneAt > sentAt.t && u.rectList.some((r) => inside(r, term.window))) {
            hit = u;
            clearTimeout(t);
            c.onUpdate = prev;
            resolve(u);
          }
        };
        setTimeout(() => {
          if (!hit) c.onUpdate = prev;
        }, KEY_TIMEOUT_MS + 5);
      });
      const keysym = 0x61 + (i % 26); // a..z
      sentAt.t = performance.now();
      c.key(true, keysym);
      c.key(false, keysym);
      const u = await seen;
      if (u) times.push(u.doneAt - sentAt.t);
      else missed++;
      if (c.failed()) throw c.failed();
    }
    // a new line, so the next server's keys start on a fresh one (not measured)
    c.key(true, RETURN);
    c.key(false, RETURN);
    await sleep(300);
  } finally {
    v.close();
  }
  const res = { keys: count, answered: times.length, missed, medianMs: median(times), p90Ms: percentile(times, 0.9), maxMs: times.length ? Math.max(...times) : null, allMs: times.map((t) => +t.toFixed(1)) };
  log(`${label} keys: median ${fmtMs(res.medianMs)} ms, p90 ${fmtMs(res.p90Ms)} ms, ${missed} of ${count} without an echo within ${KEY_TIMEOUT_MS} ms`);
  return res;
}
