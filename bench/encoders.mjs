// Encoder micro-benchmark: a 1920×1080 synthetic busy desktop through each
// encoding, via EncodeManager as a session would use it. Prints figures only.
//
//   npm run build && node bench/encoders.mjs [--runs N] [--level L] [--width W --height H]
//                                            [--format native|novnc|rgb565] [--only ZRLE]
//                                            [--writer reuse|fresh] [--frame FILE]
//
// Each encoding gets a fresh connection (fresh zlib streams) with only that
// encoding listed; the first run is a warm-up, then the median of the others
// is shown. Workloads: the whole frame; 40 scattered 128×96 areas; 200
// scattered 32×32 areas (many small rectangles). The output buffer is one
// ByteWriter reused by every run, or with --writer fresh a new 64 KiB one per
// run, as a session starts each update (its growth is then part of the time).
// --frame FILE takes the frame from a file of packed 0x00RRGGBB values
// (little-endian u32, width×height; bench/full-frame.mjs --dump-frame writes one).

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createFrame } from '../dist/main/framebuffer/frame.js';
import { Encoding, encodingName } from '../dist/main/rfb/constants.js';
import { NATIVE_FORMAT, PixelConverter } from '../dist/main/rfb/pixel-format.js';
import { ByteWriter } from '../dist/main/rfb/wire.js';
import { EncodeManager } from '../dist/main/rfb/encodings/encode-manager.js';
import { createEncoderState, DEFAULT_ZLIB_LEVEL } from '../dist/main/rfb/encodings/encoder-state.js';
import { mulberry32 as rng } from './photo.mjs';


/** A desktop: flat background, a gradient panel, text windows, a photo-like area with noise, a 16-colour area. */
export function busyDesktop(w, h) {
  const f = createFrame(w, h);
  const px = f.pixels;
  const rand = rng(42);
  const fill = (x0, y0, fw, fh, fn) => {
    for (let y = y0; y < Math.min(h, y0 + fh); y++) for (let x = x0; x < Math.min(w, x0 + fw); x++) px[y * w + x] = fn(x - x0, y - y0);
  };
  fill(0, 0, w, h, () => 0x2a5d8f);
  fill(0, 0, w, 32, (x, y) => ((((x * 255) / w) << 16) | ((y * 8) << 8) | 0x40) >>> 0);
  const text = (x0, y0, fw, fh) => {
    fill(x0, y0, fw, fh, () => 0xf0f0f0);
    for (let cy = 0; cy + 12 <= fh; cy += 14) {
      for (let cx = 0; cx + 8 <= fw; cx += 8) {
        if (rand() < 0.15) continue;
        const strokes = 2 + Math.floor(rand() * 3);
        for (let s = 0; s < strokes; s++) {
          const vertical = rand() < 0.5;
          const sx = 1 + Math.floor(rand() * 5);
          const sy = 1 + Math.floor(rand() * 9);
          const len = 2 + Math.floor(rand() * (vertical ? 8 : 5));
          for (let k = 0; k < len; k++) {
            const x = vertical ? sx : sx + k;
            const y = vertical ? sy + k : sy;
            if (x < 7 && y < 11) px[(y0 + cy + y) * w + x0 + cx + x] = 0x202428;
          }
        }
      }
    }
  };
  text(40, 60, 900, 700);
  text(40, 800, 900, 240);
  fill(980, 60, 900, 500, (x, y) => (((x * 255) / 900) << 16) | (((y * 255) / 500) << 8) | ((x + y) & 0xff));
  fill(1100, 200, 500, 300, () => Math.floor(rand() * 0x1000000));
  const pal = Array.from({ length: 16 }, () => Math.floor(rand() * 0x1000000));
  for (let y = 600; y < 1040; y += 4) for (let x = 980; x < 1880; x += 12) {
    const c = pal[Math.floor(rand() * 16)];
    fill(x, y, 12, 4, () => c);
  }
  return f;
}

/** A frame from a file of packed little-endian u32 pixel values. */
function frameFromFile(file, w, h) {
  const b = readFileSync(file);
  if (b.length !== w * h * 4) throw new Error(`${file}: ${b.length} bytes, expected ${w}×${h}×4`);
  const f = createFrame(w, h);
  f.pixels.set(new Uint32Array(b.buffer, b.byteOffset, w * h));
  return f;
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '7' },
      level: { type: 'string' },
      width: { type: 'string', default: '1920' },
      height: { type: 'string', default: '1080' },
      format: { type: 'string', default: 'native' },
      only: { type: 'string' },
      writer: { type: 'string', default: 'reuse' },
      frame: { type: 'string' },
    },
  });
  const RUNS = Math.max(2, Number(values.runs));
  const LEVEL = values.level === undefined ? DEFAULT_ZLIB_LEVEL : Number(values.level);
  const W = Number(values.width);
  const H = Number(values.height);
  const format = FORMATS[values.format];
  if (!format) throw new Error(`--format is one of ${Object.keys(FORMATS).join(', ')}`);
  if (values.writer !== 'reuse' && values.writer !== 'fresh') throw new Error('--writer is reuse or fresh');
  const freshWriter = values.writer === 'fresh';

  const frame = values.frame ? frameFromFile(values.frame, W, H) : busyDesktop(W, H);
  const conv = new PixelConverter(format);
  const rand = rng(7);
  const workloads = [
    ['full', [{ x: 0, y: 0, w: W, h: H }]],
    ['40×128×96', Array.from({ length: 40 }, () => ({ x: Math.floor(rand() * (W - 128)), y: Math.floor(rand() * (H - 96)), w: 128, h: 96 }))],
    ['200×32×32', Array.from({ length: 200 }, () => ({ x: Math.floor(rand() * (W - 32)), y: Math.floor(rand() * (H - 32)), w: 32, h: 32 }))],
  ];

  async function measure(list, rects) {
    const state = createEncoderState(LEVEL);
    const m = new EncodeManager(state);
    m.setConverter(conv);
    m.setEncodings(list);
    let out = new ByteWriter(1 << 20);
    const times = [];
    let count = 0;
    const used = new Map();
    for (let i = 0; i < RUNS; i++) {
      if (freshWriter) out = new ByteWriter(64 * 1024);
      out.reset();
      used.clear();
      const t0 = process.hrtime.bigint();
      count = await m.encodeRects(frame, rects, [], out, (s) => used.set(s.encoding, (used.get(s.encoding) ?? 0) + 1));
      const t1 = process.hrtime.bigint();
      if (i > 0) times.push(Number(t1 - t0) / 1e6);
    }
    state.close();
    times.sort((a, b) => a - b);
    const raw = rects.reduce((a, r) => a + r.w * r.h * conv.bpp, 0);
    return { ms: times[times.length >> 1], bytes: out.length, ratio: raw / out.length, count, used };
  }

  const pad = (s, n) => String(s).padStart(n);
  console.log(`frame ${W}×${H} ${values.frame ?? 'busy desktop'}, client format ${values.format} (${conv.bpp * 8} bpp), zlib level ${LEVEL}, ${freshWriter ? 'a fresh' : 'one reused'} output buffer`);
  console.log(`ms: median of ${RUNS - 1} runs after a warm-up; ratio: raw bytes / bytes sent; rects: rectangles written`);
  console.log('');
  console.log('encoding'.padEnd(12) + workloads.map(([name]) => `| ${name.padEnd(9)}${pad('ms', 7)}${pad('bytes', 10)}${pad('ratio', 7)}${pad('rects', 6)} `).join(''));
  for (const [name, list] of CASES.filter(([n]) => values.only === undefined || n === values.only)) {
    let line = name.padEnd(12);
    let used = '';
    for (const [, rects] of workloads) {
      const r = await measure(list, rects);
      line += `| ${''.padEnd(9)}${pad(r.ms.toFixed(1), 7)}${pad(r.bytes, 10)}${pad(r.ratio.toFixed(1), 7)}${pad(r.count, 6)} `;
      if (!used) used = [...r.used].map(([e, n]) => `${encodingName(e)}×${n}`).join(' ');
    }
    console.log(`${line}  (full: ${used})`);
  }
}

const FORMATS = {
  native: NATIVE_FORMAT,
  // What noVNC asks for: red in the low byte.
  novnc: { ...NATIVE_FORMAT, redShift: 0, blueShift: 16 },
  rgb565: { ...NATIVE_FORMAT, bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 },
};

const CASES = [
  ['Raw', [Encoding.Raw]],
  ['RRE', [Encoding.RRE]],
  ['CoRRE', [Encoding.CoRRE]],
  ['Hextile', [Encoding.Hextile]],
  ['Zlib', [Encoding.Zlib]],
  ['TRLE', [Encoding.TRLE]],
  ['ZRLE', [Encoding.ZRLE]],
  ['Tight', [Encoding.Tight]],
  ['noVNC list', [Encoding.CopyRect, Encoding.ZRLE, Encoding.Hextile, Encoding.RRE, Encoding.Zlib, Encoding.Raw]],
];

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
