// What finding moved windows costs: ChangeDetector.detectWithCopies on a
// 1920×1080 frame where a 480×320 photo-like window moved along a Lissajous
// path over a photo-like wallpaper (damage hints as X DAMAGE gives them, 16-pixel
// cells), with the move search on and off (minArea too big to search).
// Frames alternate between the two detectors so the machine's load hits both
// alike; figures are medians and 90th percentiles of ms per frame.
//
//   npm run build && node bench/move-detect.mjs [--frames N] [--reps R]

import { parseArgs } from 'node:util';
import { ChangeDetector } from '../dist/main/framebuffer/change-detector.js';

const { values: opts } = parseArgs({ options: { frames: { type: 'string', default: '40' }, reps: { type: 'string', default: '9' } } });
const FRAMES = Math.max(3, Math.min(200, Number(opts.frames) || 40));
const REPS = Math.max(1, Math.min(50, Number(opts.reps) || 9));
const W = 1920;
const H = 1080;
const WIN_W = 480;
const WIN_H = 320;

function mix(a, b, c) {
  let h = Math.imul(a, 0x27d4eb2d) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Smooth gradients with a little noise: neighbours alike, rarely equal. */
function photo(x, y, seed) {
  const n = mix(x, y, seed) & 7;
  return (((x * 3 + y + seed * 17 + n) & 0xff) << 16) | ((((x ^ y) + seed * 5 + (n << 1)) & 0xff) << 8) | ((y * 2 - x + seed + n) & 0xff);
}

const wallpaper = new Uint32Array(W * H);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) wallpaper[y * W + x] = photo(x, y, 99);

function frameAt({ x: wx, y: wy }) {
  const px = wallpaper.slice();
  for (let y = wy; y < wy + WIN_H; y++) for (let x = wx; x < wx + WIN_W; x++) px[y * W + x] = photo(x - wx, y - wy, 3);
  return { width: W, height: H, pixels: px, stride: W };
}

/** 30 moves a second along the figure bench/motion.mjs drags the window on. */
const at = (i) => ({
  x: Math.round((W - WIN_W) / 2 + 620 * Math.sin(2 * Math.PI * 0.11 * (i / 30))),
  y: Math.round((H - WIN_H) / 2 + 300 * Math.sin(2 * Math.PI * 0.17 * (i / 30) + 0.5)),
});
const cell = ({ x, y }) => {
  const x0 = Math.floor(x / 16) * 16;
  const y0 = Math.floor(y / 16) * 16;
  return { x: x0, y: y0, w: Math.ceil((x + WIN_W) / 16) * 16 - x0, h: Math.ceil((y + WIN_H) / 16) * 16 - y0 };
};
const frames = Array.from({ length: FRAMES }, (_, i) => frameAt(at(i)));

const quantile = (v, q) => [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(q * v.length))];
const times = { on: [], off: [] };
let copied = 0;
let sentOn = 0;
let sentOff = 0;
for (let rep = 0; rep < REPS; rep++) {
  const on = new ChangeDetector();
  const off = new ChangeDetector({ move: { minArea: 1e9 } });
  on.detectWithCopies(frames[0]);
  off.detectWithCopies(frames[0]);
  for (let i = 1; i < FRAMES; i++) {
    const hints = [cell(at(i - 1)), cell(at(i))];
    const order = (i + rep) % 2 ? [['on', on], ['off', off]] : [['off', off], ['on', on]];
    for (const [name, d] of order) {
      const t0 = performance.now();
      const r = d.detectWithCopies(frames[i], hints);
      const ms = performance.now() - t0;
      if (rep > 0) times[name].push(ms); // the first round warms the JIT
      const px = r.changed.reduce((s, q) => s + q.w * q.h, 0);
      if (rep === 0 && name === 'on') {
        copied += r.copies.length;
        sentOn += px;
      }
      if (rep === 0 && name === 'off') sentOff += px;
    }
  }
}
const fmt = (v) => v.toFixed(2);
process.stdout.write(`${FRAMES - 1} moves of a ${WIN_W}×${WIN_H} window on ${W}×${H}, ${REPS - 1} timed rounds\n`);
process.stdout.write(`move search on:  median ${fmt(quantile(times.on, 0.5))} ms, p90 ${fmt(quantile(times.on, 0.9))} ms per frame; ${copied} copies, ${Math.round(sentOn / (FRAMES - 1))} px/frame left to encode\n`);
process.stdout.write(`move search off: median ${fmt(quantile(times.off, 0.5))} ms, p90 ${fmt(quantile(times.off, 0.9))} ms per frame; ${Math.round(sentOff / (FRAMES - 1))} px/frame to encode\n`);
