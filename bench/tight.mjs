// Tight's choices on a photo-like 1920×1080 full frame (smooth plasma over
// gradients with a little noise, a text panel, a flat title bar), against
// ZRLE: bytes and time per full frame through EncodeManager, as a session
// would send it. Prints figures only.
//
//   npm run build && node bench/tight.mjs [--runs N] [--format native|novnc] [--width W --height H]
//
// Cases are run interleaved (one frame of each case per round, so a busy
// machine slows them alike) and the median of the rounds after a warm-up is
// shown. "no split" turns off the solid/photo area search (Tight's `pieces`);
// the gradient filter's own gain is measured apart, on the plasma alone.

import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { createFrame } from '../dist/main/framebuffer/frame.js';
import { Encoding, encodingName } from '../dist/main/rfb/constants.js';
import { NATIVE_FORMAT, PixelConverter } from '../dist/main/rfb/pixel-format.js';
import { ByteWriter } from '../dist/main/rfb/wire.js';
import { EncodeManager } from '../dist/main/rfb/encodings/encode-manager.js';
import { createEncoderState } from '../dist/main/rfb/encodings/encoder-state.js';
import { TightEncoder } from '../dist/main/rfb/encodings/tight.js';
import { createEncoders } from '../dist/main/rfb/encodings/registry.js';
import { gradientData } from '../dist/main/rfb/encodings/tight-gradient.js';
import { mulberry32 as rng } from './photo.mjs';


const clamp = (v) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** The same picture as test/support/photo-frame.ts, with its own text strokes. */
export function photoFrame(w, h, { panel = true } = {}) {
  const f = createFrame(w, h);
  const rand = rng(1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = Math.sin(x / 37) + Math.sin(y / 23) + Math.sin((x + y) / 51) + Math.sin(Math.hypot(x - w / 3, y - h / 2) / 19);
      const n = () => Math.floor(rand() * 9) - 4;
      f.pixels[y * w + x] = (clamp(128 + p * 30 + (x * 60) / w + n()) << 16) | (clamp(100 + p * 25 + (y * 80) / h + n()) << 8) | clamp(150 - p * 28 + n());
    }
  }
  if (!panel) return f;
  for (let y = 0; y < Math.min(32, h >> 3); y++) f.pixels.fill(0x2a5d8f, y * w, y * w + w);
  const px0 = Math.floor(w * 0.55), py0 = Math.floor(h * 0.15), pw = Math.floor(w * 0.4), ph = Math.floor(h * 0.7);
  for (let y = py0; y < py0 + ph; y++) f.pixels.fill(0xf0f0f0, y * w + px0, y * w + px0 + pw);
  for (let cy = 0; cy + 12 <= ph; cy += 14) {
    for (let cx = 0; cx + 8 <= pw; cx += 8) {
      if (rand() < 0.15) continue;
      for (let s = 2 + Math.floor(rand() * 3); s > 0; s--) {
        const vertical = rand() < 0.5, sx = 1 + Math.floor(rand() * 5), sy = 1 + Math.floor(rand() * 9), len = 2 + Math.floor(rand() * (vertical ? 8 : 5));
        for (let k = 0; k < len; k++) {
          const x = vertical ? sx : sx + k, y = vertical ? sy + k : sy;
          if (x < 7 && y < 11) f.pixels[(py0 + cy + y) * w + px0 + cx + x] = 0x202428;
        }
      }
    }
  }
  return f;
}

const FORMATS = { native: NATIVE_FORMAT, novnc: { ...NATIVE_FORMAT, redShift: 0, blueShift: 16 } };

async function main() {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, format: { type: 'string', default: 'native' }, width: { type: 'string', default: '1920' }, height: { type: 'string', default: '1080' } } });
  const RUNS = Math.max(2, Number(values.runs));
  const W = Number(values.width), H = Number(values.height);
  const conv = new PixelConverter(FORMATS[values.format]);
  const frame = photoFrame(W, H);
  const full = [{ x: 0, y: 0, w: W, h: H }];
  const q = (level) => -32 + level;
  const cases = [
    ['ZRLE', [Encoding.ZRLE]],
    ['Tight lossless', [Encoding.Tight]],
    ['Tight lossless, no split', [Encoding.Tight], true],
    ['Tight JPEG q8', [Encoding.Tight, q(8)]],
    ['Tight JPEG q8, no split', [Encoding.Tight, q(8)], true],
    ['Tight JPEG q6', [Encoding.Tight, q(6)]],
    ['TightPNG lossless', [Encoding.TightPNG]],
    ['TightPNG JPEG q8', [Encoding.TightPNG, q(8)]],
  ].map(([name, list, noSplit]) => {
    const encoders = createEncoders();
    if (noSplit) for (const e of encoders) if (e instanceof TightEncoder) e.pieces = () => null;
    const state = createEncoderState();
    const m = new EncodeManager(state, encoders);
    m.setConverter(conv);
    m.setEncodings(list);
    return { name, m, state, times: [], bytes: 0, used: new Map() };
  });
  const out = new ByteWriter(1 << 22);
  for (let i = 0; i < RUNS; i++) {
    for (const c of cases) {
      out.reset();
      c.used.clear();
      const t0 = process.hrtime.bigint();
      await c.m.encodeRects(frame, full, [], out, (s) => c.used.set(s.encoding, (c.used.get(s.encoding) ?? 0) + 1));
      const t1 = process.hrtime.bigint();
      if (i > 0) c.times.push(Number(t1 - t0) / 1e6);
      c.bytes = out.length;
    }
  }
  console.log(`photo-like ${W}×${H} full frame, client format ${values.format}; ms: median of ${RUNS - 1} interleaved rounds after a warm-up`);
  for (const c of cases) {
    c.times.sort((a, b) => a - b);
    const used = [...c.used].map(([e, n]) => `${encodingName(e)}×${n}`).join(' ');
    console.log(`${c.name.padEnd(26)} ${c.times[c.times.length >> 1].toFixed(1).padStart(7)} ms ${(c.bytes / 1024).toFixed(0).padStart(7)} KiB  (${used})`);
    c.state.close();
  }

  // The gradient filter on its own: the plasma without the panel, as TPIXELs deflated at level 2, against plain TPIXELs.
  const plasma = photoFrame(W, H, { panel: false });
  const tp = Buffer.allocUnsafe(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const v = plasma.pixels[i];
    tp[i * 3] = v >>> 16;
    tp[i * 3 + 1] = v >>> 8;
    tp[i * 3 + 2] = v;
  }
  const time = (fn) => {
    const t = [];
    let r;
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      r = fn();
      t.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    t.sort((a, b) => a - b);
    return [t[2], r];
  };
  const [plainMs, plain] = time(() => zlib.deflateSync(tp, { level: 2 }).length);
  const [gradMs, grad] = time(() => zlib.deflateSync(gradientData(plasma.pixels, W, H, 16, 8, 0), { level: 2 }).length);
  console.log(`plasma alone, deflate level 2: plain ${(plain / 1024).toFixed(0)} KiB ${plainMs.toFixed(1)} ms; gradient filter ${(grad / 1024).toFixed(0)} KiB ${gradMs.toFixed(1)} ms (filter + deflate, one thread)`);
}

await main();
