// Recording seek micro-benchmark: writes a synthetic 60-minute 1920×1080
// recording (a keyframe every 10 s, 5 small updates a second between, a few
// events), then, for random t, times what the player does to show the
// picture at t: RecordingReader.open, records(t) from the keyframe at or
// before t, and drawing the keyframe and the updates up to t with noVNC's own
// decoders. Prints figures only.
//
//   npm run build && node bench/recording-seek.mjs [--minutes 60] [--seeks 10] [--level 6] [--seed 1] [--keep]
//
// Last, the same file cut in half (as a kill would leave it) is opened once:
// with no index, open walks the members to rebuild one, so that figure is
// the scan's.
//
// The writer runs on a fake clock, so an hour is written in the time
// compression takes. The pictures are Raw rectangles built here: a flat
// desktop with a few windows, a 320×240 "photo" of noise that deflate cannot
// shrink (new at every keyframe), and a box that moves.
// Seeks run on a file the page cache has just seen (it was just written).

import { copyFileSync, mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { RecordingWriter } from '../dist/main/recording/writer.js';
import { RecordingReader } from '../dist/main/recording/reader.js';
import { mulberry32 as rng } from './photo.mjs';

// noVNC's own decoders, as the player uses them (the package exports only core/rfb.js: load by path).
// Its logging module reads window.console as it loads.
globalThis.window ??= globalThis;
const decoderUrl = (name) => new URL(`../node_modules/@novnc/novnc/core/decoders/${name}.js`, import.meta.url).href;
const DECODERS = new Map([
  [0, (await import(decoderUrl('raw'))).default],
  [1, (await import(decoderUrl('copyrect'))).default],
  [5, (await import(decoderUrl('hextile'))).default],
]);

/** The receive queue noVNC's decoders read from, over one message at a time. */
class Queue {
  constructor(buf) {
    this.buf = buf;
    this.pos = 0;
  }
  rQlen() { return this.buf.length - this.pos; }
  rQwait(_what, n) { return this.rQlen() < n; }
  rQpeek8() { return this.buf[this.pos]; }
  rQskipBytes(n) { this.pos += n; }
  rQshift8() { return this.buf[this.pos++]; }
  rQshift16() { const v = this.buf.readUInt16BE(this.pos); this.pos += 2; return v; }
  rQshift32() { const v = this.buf.readUInt32BE(this.pos); this.pos += 4; return v; }
  rQshiftBytes(n) { const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  rQpeekBytes(n) { return this.buf.subarray(this.pos, this.pos + n); }
  rQshiftTo(target, n) { target.set(this.buf.subarray(this.pos, this.pos + n)); this.pos += n; }
}

/** The picture noVNC's decoders draw into: RGBA, as a canvas holds it. */
class Picture {
  constructor(w, h) {
    this.w = w;
    this.rgba = new Uint8ClampedArray(w * h * 4);
  }
  fillRect(x, y, w, h, c) {
    for (let r = y; r < y + h; r++) for (let i = (r * this.w + x) * 4, e = i + w * 4; i < e; i += 4) this.rgba.set([c[0], c[1], c[2], 255], i);
  }
  blitImage(x, y, w, h, arr, off) {
    for (let r = 0; r < h; r++) this.rgba.set(arr.subarray(off + r * w * 4, off + (r + 1) * w * 4), ((y + r) * this.w + x) * 4);
  }
  copyImage(sx, sy, dx, dy, w, h) {
    const copy = new Uint8ClampedArray(w * h * 4);
    for (let r = 0; r < h; r++) copy.set(this.rgba.subarray(((sy + r) * this.w + sx) * 4, ((sy + r) * this.w + sx + w) * 4), r * w * 4);
    this.blitImage(dx, dy, w, h, copy, 0);
  }
}

/** Draw one FramebufferUpdate message onto the picture with noVNC's decoders. */
function draw(picture, update, decoders) {
  const q = new Queue(update.subarray(4));
  for (let n = update.readUInt16BE(2); n > 0; n--) {
    const x = q.rQshift16(), y = q.rQshift16(), w = q.rQshift16(), h = q.rQshift16(), enc = q.rQshift32() | 0;
    if (!decoders.get(enc).decodeRect(x, y, w, h, q, picture, 24)) throw new Error(`update ended inside a rectangle (encoding ${enc})`);
  }
}

const W = 1920;
const H = 1080;
const STRIP = 64; // keyframes are strips of Raw rectangles, as an encoder would cut them

const { values: opts } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    seeks: { type: 'string', default: '10' },
    level: { type: 'string', default: '6' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});


/** The desktop, 0x00RRGGBB pixels: background, a title bar, two windows with text-like rows. */
function desktop() {
  const px = new Uint32Array(W * H).fill(0x2a5d8f);
  const fill = (x0, y0, w, h, c) => {
    for (let y = y0; y < y0 + h; y++) px.fill(c, y * W + x0, y * W + x0 + w);
  };
  fill(0, 0, W, 32, 0x202428);
  fill(100, 100, 800, 600, 0xf0f0f0);
  fill(1000, 200, 700, 700, 0xfafafa);
  for (let row = 0; row < 40; row++) fill(120, 120 + row * 14, 300 + ((row * 97) % 400), 8, 0x303030);
  for (let row = 0; row < 45; row++) fill(1020, 220 + row * 14, 200 + ((row * 61) % 450), 8, 0x404040);
  return px;
}

/** A FramebufferUpdate of Raw rectangles covering the rows [y0, y0 + h) of `px`, in strips. */
function rawStrips(px, x0, y0, w, h) {
  const rects = Math.ceil(h / STRIP);
  const out = Buffer.alloc(4 + rects * 12 + w * h * 4);
  out.writeUInt16BE(rects, 2);
  let p = 4;
  for (let y = y0; y < y0 + h; y += STRIP) {
    const sh = Math.min(STRIP, y0 + h - y);
    out.writeUInt16BE(x0, p);
    out.writeUInt16BE(y, p + 2);
    out.writeUInt16BE(w, p + 4);
    out.writeUInt16BE(sh, p + 6);
    out.writeInt32BE(0, p + 8);
    p += 12;
    for (let r = y; r < y + sh; r++) {
      const row = px.subarray(r * W + x0, r * W + x0 + w);
      Buffer.from(row.buffer, row.byteOffset, row.byteLength).copy(out, p);
      p += w * 4;
    }
  }
  return out;
}

/** A small update: one 64×64 Raw rectangle of a box whose colour changes. */
function smallUpdate(x, y, colour) {
  const out = Buffer.alloc(4 + 12 + 64 * 64 * 4);
  out.writeUInt16BE(1, 2);
  out.writeUInt16BE(x, 4);
  out.writeUInt16BE(y, 6);
  out.writeUInt16BE(64, 8);
  out.writeUInt16BE(64, 10);
  out.writeInt32BE(0, 12);
  new Uint32Array(out.buffer, out.byteOffset + 16, 64 * 64).fill(colour);
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function writeRecording(path, minutes, level) {
  const px = desktop();
  const noise = rng(7);
  let now = 0;
  const header = {
    format: 'trayvnc-recording',
    version: 1,
    server: 'TrayVNC bench',
    startedAt: new Date().toISOString(),
    width: W,
    height: H,
    pixelFormat: { bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255, redShift: 0, greenShift: 8, blueShift: 16 },
    frameRate: 30,
    host: 'bench',
    desktopName: 'bench',
    keys: false,
    clipboardText: false,
  };
  const w = await RecordingWriter.open({ path, header, now: () => now, level });
  w.event({ kind: 'connect', client: 'b1', address: '127.0.0.1:50000', viewOnly: false });
  const end = minutes * 60_000;
  for (let t = 0; t < end; t += 200) {
    now = t;
    const box = { x: (t / 50) % (W - 64) | 0, y: 500 + ((t / 200) % 300) };
    if (t % 10_000 === 0) {
      // The box painted into the picture, and a new photo, so each keyframe differs from the last.
      for (let y = box.y; y < box.y + 64; y++) px.fill(0xff0000 + (t & 0xff00), y * W + box.x, y * W + box.x + 64);
      for (let y = 720; y < 960; y++) for (let x = 1200; x < 1520; x++) px[y * W + x] = (noise() * 0x1000000) >>> 0;
      w.keyframe(W, H, rawStrips(px, 0, 0, W, H));
    } else {
      w.update(smallUpdate(box.x, box.y, 0x00ff00 + (t & 0xff)));
    }
    if (t % 5_000 === 0) w.event({ kind: 'pointer', client: 'b1', x: box.x, y: box.y, buttons: 0 });
    // The disk pace: the writer stops a recording whose queue passes 64 MiB, as a real recorder must not outrun it either.
    for (let i = 0; i < 10_000 && w.queuedBytes > 16 * 1024 * 1024; i++) await sleep(1);
    if (w.failure) throw w.failure;
  }
  now = end;
  return w.finish('bench over');
}

/**
 * A seek as the player makes it: open, read from the keyframe at or before
 * t, and draw the keyframe and every update up to t with noVNC's decoders.
 */
async function seekOnce(path, t) {
  const start = performance.now();
  const r = await RecordingReader.open(path);
  const opened = performance.now();
  const decoders = new Map([...DECODERS].map(([enc, D]) => [enc, new D()]));
  let picture = null;
  let shownAt = null;
  for await (const rec of r.records(t)) {
    if (rec.t > t && picture) break;
    if (rec.type === 'keyframe') {
      picture = new Picture(rec.width, rec.height);
      draw(picture, rec.update, decoders);
      shownAt = rec.t;
    } else if (rec.type === 'update' && picture) {
      draw(picture, rec.update, decoders);
      shownAt = rec.t;
    }
  }
  const done = performance.now();
  await r.close();
  return { t, found: shownAt, openMs: opened - start, seekMs: done - opened, totalMs: done - start };
}

const minutes = Number(opts.minutes);
const dir = mkdtempSync(join(tmpdir(), 'trayvnc-bench-rec-'));
const path = join(dir, 'bench.vnc.gz');
try {
  const t0 = performance.now();
  const summary = await writeRecording(path, minutes, Number(opts.level));
  const writeSecs = (performance.now() - t0) / 1000;
  const bytes = statSync(path).size;
  console.log(`recording: ${minutes} min, ${summary.keyframes} keyframes, ${summary.updates} updates, ${summary.events} events`);
  console.log(`file: ${(bytes / 1024 / 1024).toFixed(1)} MiB (${bytes} bytes), written in ${writeSecs.toFixed(1)} s at level ${opts.level}`);
  const rand = rng(Number(opts.seed));
  const rows = [];
  for (let i = 0; i < Number(opts.seeks); i++) rows.push(await seekOnce(path, Math.floor(rand() * minutes * 60_000)));
  console.log('\n   t (s)   picture as of (s)   open ms   read + draw ms   total ms');
  for (const r of rows) {
    console.log(
      `${(r.t / 1000).toFixed(1).padStart(8)}   ${(r.found / 1000).toFixed(1).padStart(17)}   ${r.openMs.toFixed(1).padStart(7)}   ${r.seekMs.toFixed(1).padStart(14)}   ${r.totalMs.toFixed(1).padStart(8)}`,
    );
  }
  const totals = rows.map((r) => r.totalMs).sort((a, b) => a - b);
  console.log(`\nopen + read + draw (the picture at t, with noVNC's decoders): median ${totals[Math.floor(totals.length / 2)].toFixed(1)} ms, max ${totals.at(-1).toFixed(1)} ms (target: 500 ms)`);

  const cutPath = join(dir, 'cut.vnc.gz');
  copyFileSync(path, cutPath);
  truncateSync(cutPath, Math.floor(bytes / 2));
  const s0 = performance.now();
  const cut = await RecordingReader.open(cutPath);
  const scanMs = performance.now() - s0;
  const info = cut.info();
  await cut.close();
  console.log(`cut in half: open (scan) ${scanMs.toFixed(0)} ms, plays to ${(info.truncatedAtMs / 1000).toFixed(1)} s, ${info.keyframes} keyframes`);
} finally {
  if (opts.keep) console.log(`kept ${path}`);
  else rmSync(dir, { recursive: true, force: true });
}
