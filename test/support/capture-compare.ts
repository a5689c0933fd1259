/**
 * Judging a lossy picture (the system capture's, through a viewer) against
 * the X screen: PSNR, the share of exact pixels, luma PSNR under small shifts
 * (a picture that is scaled, cropped or shifted matches best somewhere other
 * than where it should), and flat patches.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Frame } from '../../src/main/framebuffer/frame.js';
import type { Rect } from '../../src/main/framebuffer/rect.js';

/** A viewer's picture as 0x00RRGGBB per pixel (from a 32 bpp little-endian 0x00RRGGBB dump). */
export function dumpPixels(data: Buffer, width: number, height: number): Uint32Array {
  const out = new Uint32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = data.readUInt32LE(i * 4) & 0xffffff;
  return out;
}

export interface Picture {
  width: number;
  height: number;
  /** 0x00RRGGBB, `width` pixels a row. */
  pixels: Uint32Array;
}

export function pictureOf(f: Frame): Picture {
  const pixels = new Uint32Array(f.width * f.height);
  for (let y = 0; y < f.height; y++) pixels.set(f.pixels.subarray(y * f.stride, y * f.stride + f.width), y * f.width);
  return { width: f.width, height: f.height, pixels };
}

const execFileAsync = promisify(execFile);

const luma = (p: number) => 0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);

export interface Comparison {
  /** PSNR over R, G and B (dB; Infinity when equal). */
  psnr: number;
  /** Share of pixels exactly equal. */
  exact: number;
  /** Share of pixels with some channel more than 5 % (13 steps) off. */
  farOff: number;
  pixels: number;
}

/**
 * Compare `got` with `want` over `area`, skipping pixels inside any of
 * `skip`, with `got` read `dx`, `dy` pixels away.
 */
export function compare(got: Picture, want: Picture, area: Rect, skip: Rect[] = [], dx = 0, dy = 0, channel: 'rgb' | 'luma' = 'rgb'): Comparison {
  let se = 0;
  let n = 0;
  let exact = 0;
  let far = 0;
  for (let y = area.y; y < area.y + area.h; y++) {
    for (let x = area.x; x < area.x + area.w; x++) {
      if (skip.some((r) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h)) continue;
      const gx = x + dx;
      const gy = y + dy;
      if (gx < 0 || gy < 0 || gx >= got.width || gy >= got.height) continue;
      const a = got.pixels[gy * got.width + gx]!;
      const b = want.pixels[y * want.width + x]!;
      n++;
      if (a === b) exact++;
      if (channel === 'luma') {
        const d = luma(a) - luma(b);
        se += d * d;
        continue;
      }
      let worst = 0;
      for (const s of [16, 8, 0]) {
        const d = ((a >> s) & 0xff) - ((b >> s) & 0xff);
        se += d * d;
        worst = Math.max(worst, Math.abs(d));
      }
      if (worst > 13) far++;
    }
  }
  const mse = se / (n * (channel === 'luma' ? 1 : 3));
  return { psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse), exact: exact / n, farOff: far / n, pixels: n };
}

/** The largest per-channel difference between `got` and a flat colour over `r`. */
export function worstChannelError(got: Picture, r: Rect, colour: number): { worst: number; at: { x: number; y: number }; got: number } {
  let worst = -1;
  let at = { x: r.x, y: r.y };
  let seen = 0;
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) {
      const p = got.pixels[y * got.width + x]!;
      for (const s of [16, 8, 0]) {
        const d = Math.abs(((p >> s) & 0xff) - ((colour >> s) & 0xff));
        if (d > worst) {
          worst = d;
          at = { x, y };
          seen = p;
        }
      }
    }
  }
  return { worst, at, got: seen };
}

/**
 * What the X server shows, read by ImageMagick's `import` (XGetImage of the
 * root window: every window as drawn, without the pointer, which the X server
 * keeps out of images).
 */
export async function xScreenPicture(display: string, width: number, height: number): Promise<Picture> {
  const { stdout } = await execFileAsync('import', ['-display', display, '-window', 'root', '-depth', '8', 'rgb:-'], {
    encoding: 'buffer',
    maxBuffer: width * height * 3 + 1024,
    timeout: 15_000,
  });
  if (stdout.length !== width * height * 3) throw new Error(`import gave ${stdout.length} bytes for a ${width}×${height} screen`);
  const pixels = new Uint32Array(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (stdout[i * 3]! << 16) | (stdout[i * 3 + 1]! << 8) | stdout[i * 3 + 2]!;
  return { width, height, pixels };
}
