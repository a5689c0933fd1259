/**
 * Synthetic desktops for encoder tests and benchmarks (deterministic), and the
 * pixels a viewer should show for them.
 */
import { createFrame, type Frame } from '../../src/main/framebuffer/frame.js';
import type { Rect } from '../../src/main/framebuffer/rect.js';
import { scaleChannel, type PixelFormat } from '../../src/main/rfb/pixel-format.js';

export type FrameKind = 'solid' | 'text' | 'dither' | 'palette16' | 'rows' | 'gradient' | 'noise' | 'mixed';
/**
 * Between them these reach every ZRLE/TRLE sub-encoding: solid, packed palette
 * with row padding (dither), palette RLE (text, palette16), plain RLE (rows:
 * long runs of many colours) and raw (gradient, noise).
 */
export const FRAME_KINDS: readonly FrameKind[] = ['solid', 'text', 'dither', 'palette16', 'rows', 'gradient', 'noise', 'mixed'];

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Paint `kind` into the area `r` of `f` (native 0x00RRGGBB). */
export function paint(f: Frame, r: Rect, kind: FrameKind, seed = 1): void {
  const rand = rng(seed);
  const px = f.pixels;
  const at = (x: number, y: number): number => (r.y + y) * f.stride + r.x + x;
  switch (kind) {
    case 'solid': {
      const c = (Math.floor(rand() * 0xffffff) & 0xffffff) >>> 0;
      for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) px[at(x, y)] = c;
      break;
    }
    case 'text': {
      // Dark glyph-ish strokes on a light background: short horizontal and vertical bars in 8×12 cells.
      const bg = 0xf0f0f0;
      const fg = 0x202428;
      for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) px[at(x, y)] = bg;
      for (let cy = 0; cy + 12 <= r.h; cy += 14) {
        for (let cx = 0; cx + 8 <= r.w; cx += 8) {
          if (rand() < 0.15) continue; // spaces
          const strokes = 2 + Math.floor(rand() * 3);
          for (let s = 0; s < strokes; s++) {
            const vertical = rand() < 0.5;
            const sx = 1 + Math.floor(rand() * 5);
            const sy = 1 + Math.floor(rand() * 9);
            const len = 2 + Math.floor(rand() * (vertical ? 8 : 5));
            for (let k = 0; k < len; k++) {
              const x = vertical ? sx : sx + k;
              const y = vertical ? sy + k : sy;
              if (x < 7 && y < 11) px[at(cx + x, cy + y)] = fg;
            }
          }
        }
      }
      break;
    }
    case 'dither': {
      // Two colours, no runs to speak of: packed 1-bit palette.
      for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) px[at(x, y)] = rand() < 0.5 ? 0x102030 : 0xc0b0a0;
      break;
    }
    case 'rows': {
      // Segments of 10–40 pixels, each a colour of its own.
      for (let y = 0; y < r.h; y++) {
        let x = 0;
        while (x < r.w) {
          const len = 10 + Math.floor(rand() * 31);
          const c = Math.floor(rand() * 0x1000000);
          for (let i = x; i < Math.min(r.w, x + len); i++) px[at(i, y)] = c;
          x += len;
        }
      }
      break;
    }
    case 'palette16': {
      const pal: number[] = [];
      for (let i = 0; i < 16; i++) pal.push(Math.floor(rand() * 0xffffff));
      // Blocks of random size so runs vary.
      let y = 0;
      while (y < r.h) {
        const bh = 1 + Math.floor(rand() * 6);
        let x = 0;
        while (x < r.w) {
          const bw = 1 + Math.floor(rand() * 20);
          const c = pal[Math.floor(rand() * 16)]!;
          for (let j = y; j < Math.min(r.h, y + bh); j++) for (let i = x; i < Math.min(r.w, x + bw); i++) px[at(i, j)] = c;
          x += bw;
        }
        y += bh;
      }
      break;
    }
    case 'gradient':
      for (let y = 0; y < r.h; y++) {
        for (let x = 0; x < r.w; x++) {
          const red = (x * 255) / Math.max(1, r.w - 1);
          const green = (y * 255) / Math.max(1, r.h - 1);
          const blue = ((x + y) * 3) & 0xff;
          px[at(x, y)] = ((red << 16) | (green << 8) | blue) >>> 0;
        }
      }
      break;
    case 'noise':
      for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) px[at(x, y)] = Math.floor(rand() * 0x1000000);
      break;
    case 'mixed': {
      // Quadrants: text, gradient, noise, palette; with solid window bars.
      const hw = r.w >> 1;
      const hh = r.h >> 1;
      const quads: Array<[Rect, FrameKind]> = [
        [{ x: r.x, y: r.y, w: hw, h: hh }, 'text'],
        [{ x: r.x + hw, y: r.y, w: r.w - hw, h: hh }, 'gradient'],
        [{ x: r.x, y: r.y + hh, w: hw, h: r.h - hh }, 'noise'],
        [{ x: r.x + hw, y: r.y + hh, w: r.w - hw, h: r.h - hh }, 'palette16'],
      ];
      for (const [q, k] of quads) if (q.w > 0 && q.h > 0) paint(f, q, k, seed + q.x * 7 + q.y);
      for (let y = 0; y < Math.min(r.h, 6); y++) for (let x = 0; x < r.w; x++) px[at(x, y)] = 0x3050a0;
      break;
    }
  }
}

export function makeFrame(w: number, h: number, kind: FrameKind, seed = 1): Frame {
  const f = createFrame(w, h);
  paint(f, { x: 0, y: 0, w, h }, kind, seed);
  return f;
}

/**
 * The 1920×1080 "busy desktop" used by the benchmark: windows of text, a photo-like
 * gradient with noise, a noise area, flat panels and a palette area.
 */
export function busyDesktop(width = 1920, height = 1080): Frame {
  const f = createFrame(width, height);
  paint(f, { x: 0, y: 0, w: width, h: height }, 'solid', 3);
  paint(f, { x: 0, y: 0, w: width, h: 32 }, 'gradient', 4); // panel
  paint(f, { x: 40, y: 60, w: 900, h: 700 }, 'text', 5);
  paint(f, { x: 980, y: 60, w: 900, h: 500 }, 'gradient', 6);
  paint(f, { x: 1100, y: 200, w: 500, h: 300 }, 'noise', 7);
  paint(f, { x: 980, y: 600, w: 900, h: 440 }, 'palette16', 8);
  paint(f, { x: 40, y: 800, w: 900, h: 240 }, 'text', 9);
  return f;
}

/** Each pixel of `r` as noVNC shows it at depth 24 (or 8): RGBA, alpha 255. */
export function expectedRgba(f: Frame, r: Rect, depth: 24 | 8 = 24): Uint8Array {
  const out = new Uint8Array(r.w * r.h * 4);
  let o = 0;
  for (let y = 0; y < r.h; y++) {
    for (let x = 0; x < r.w; x++) {
      const v = f.pixels[(r.y + y) * f.stride + r.x + x]!;
      let red = (v >>> 16) & 0xff;
      let green = (v >>> 8) & 0xff;
      let blue = v & 0xff;
      if (depth === 8) {
        red = Math.floor((scaleChannel(red, 3) * 255) / 3);
        green = Math.floor((scaleChannel(green, 3) * 255) / 3);
        blue = Math.floor((scaleChannel(blue, 3) * 255) / 3);
      }
      out[o++] = red;
      out[o++] = green;
      out[o++] = blue;
      out[o++] = 255;
    }
  }
  return out;
}

/** The area `r` of an RGBA canvas `width` pixels wide. */
export function cropRgba(rgba: Uint8Array, width: number, r: Rect): Uint8Array {
  const out = new Uint8Array(r.w * r.h * 4);
  for (let y = 0; y < r.h; y++) {
    const s = ((r.y + y) * width + r.x) * 4;
    out.set(rgba.subarray(s, s + r.w * 4), y * r.w * 4);
  }
  return out;
}

/** Index of the first differing pixel, or -1; for readable failures. */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i >> 2;
  return a.length === b.length ? -1 : n >> 2;
}

/** A pixel value in a client format from 8-bit channels (test-side reference, independent of PixelConverter). */
export function referencePixel(pf: PixelFormat, native: number): number {
  const ch = (v: number, max: number, shift: number): number => Math.floor((v * max + 127) / 255) * 2 ** shift;
  return (
    (ch((native >>> 16) & 0xff, pf.redMax, pf.redShift) +
      ch((native >>> 8) & 0xff, pf.greenMax, pf.greenShift) +
      ch(native & 0xff, pf.blueMax, pf.blueShift)) >>>
    0
  );
}
