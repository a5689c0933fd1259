/**
 * A photo-like test screen: smooth plasma over gradients with a little noise
 * (what JPEG and the gradient filter are for), a light text panel (what
 * palettes and fills are for), and a flat title bar.
 */
import { createFrame, type Frame } from '../../src/main/framebuffer/frame.js';
import type { Rect } from '../../src/main/framebuffer/rect.js';
import { paint, rng } from './reference-pixels.js';

/** The text panel's place on a w×h photo frame. */
export function textPanel(w: number, h: number): Rect {
  return { x: Math.floor(w * 0.55), y: Math.floor(h * 0.15), w: Math.floor(w * 0.4), h: Math.floor(h * 0.7) };
}

export function photoFrame(w: number, h: number, seed = 1): Frame {
  const f = createFrame(w, h);
  const rand = rng(seed);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = Math.sin(x / 37) + Math.sin(y / 23) + Math.sin((x + y) / 51) + Math.sin(Math.hypot(x - w / 3, y - h / 2) / 19);
      const n = () => Math.floor(rand() * 9) - 4;
      const r = clamp(128 + p * 30 + (x * 60) / w + n());
      const g = clamp(100 + p * 25 + (y * 80) / h + n());
      const b = clamp(150 - p * 28 + n());
      f.pixels[y * f.stride + x] = (r << 16) | (g << 8) | b;
    }
  }
  // A flat title bar across the top, and the text panel (flat background, dark strokes).
  const bar = Math.min(32, h >> 3);
  for (let y = 0; y < bar; y++) f.pixels.fill(0x2a5d8f, y * f.stride, y * f.stride + w);
  paint(f, textPanel(w, h), 'text', seed + 1);
  return f;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
