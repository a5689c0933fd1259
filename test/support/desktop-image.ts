import { spawn, type ChildProcess } from 'node:child_process';
import { createFrame, type Frame } from '../../src/main/framebuffer/frame.js';
import type { Rect } from '../../src/main/framebuffer/rect.js';
import { openX11, type X11Connection } from '../../src/main/desktop/x11/x11-connection.js';
import { xrun } from './xvfb.js';

const ZPIXMAP = 2;

interface CoreCopyArea {
  CopyArea(src: number, dst: number, gc: number, srcX: number, srcY: number, dstX: number, dstY: number, width: number, height: number): void;
}

/** A 32-bit integer hash of (x, y, seed). */
function hash(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ Math.imul(seed | 0, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The desktop pattern at (x, y): gradients, a noise-like texture (the worst
 * case for lossless coding) and blocks of sharp black-on-white "text". It
 * depends only on the coordinates and the seed, not on the screen size, so a
 * resized screen shows a crop of the same pattern.
 */
export function patternPixel(x: number, y: number, seed = 1): number {
  // text-like blocks: 128×64 areas, one in four is "paper" with 8×16 glyph cells
  const block = hash(x >> 7, y >> 6, seed);
  if ((block & 3) === 0) {
    const gx = x & 7;
    const gy = y & 15;
    const cell = hash(x >> 3, y >> 4, seed ^ 0x51ed270b);
    const ink = gx < 6 && gy >= 3 && gy < 13 && ((cell >>> ((gy - 3) * 3 + (gx % 3))) & 1) === 1;
    return ink ? 0x101018 : 0xf8f8f0;
  }
  const n = hash(x, y, seed);
  const r = ((x >> 2) + (n & 0x1f)) & 0xff;
  const g = ((y >> 2) + ((n >>> 5) & 0x1f)) & 0xff;
  const b = (((x + y) >> 3) ^ ((n >>> 10) & 0x3f)) & 0xff;
  return (r << 16) | (g << 8) | b;
}

/** A second pattern, used to change parts of the desktop: bold diagonal stripes with a seed-coloured tint. */
export function changePixel(x: number, y: number, seed = 1): number {
  const tint = hash(seed, 17, 23) & 0x7f7f7f;
  return ((x + y) >> 3) & 1 ? 0x800000 | tint : 0x000080 | tint;
}

/** Render `pixel` over a width×height frame. */
export function renderFrame(width: number, height: number, pixel: (x: number, y: number) => number): Frame {
  const frame = createFrame(width, height);
  fillRect(frame, { x: 0, y: 0, w: width, h: height }, pixel);
  return frame;
}

/** The expected desktop for `patternPixel` at this size and seed. */
export function renderPattern(width: number, height: number, seed = 1): Frame {
  return renderFrame(width, height, (x, y) => patternPixel(x, y, seed));
}

export function fillRect(frame: Frame, r: Rect, pixel: (x: number, y: number) => number): void {
  for (let y = r.y; y < r.y + r.h; y++) {
    const row = y * frame.stride;
    for (let x = r.x; x < r.x + r.w; x++) frame.pixels[row + x] = pixel(x, y);
  }
}

/** Copy the rows of `frame` at `srcY`, `dst.w` wide, onto `dst` (overlap allowed, as CopyRect does). */
export function scrollFrame(frame: Frame, dst: Rect, srcY: number, srcX = dst.x): void {
  const px = frame.pixels;
  const s = frame.stride;
  const rows = dst.h;
  // walk away from the overlap: bottom-up when moving down
  const down = dst.y > srcY;
  for (let i = 0; i < rows; i++) {
    const k = down ? rows - 1 - i : i;
    const from = (srcY + k) * s + srcX;
    px.copyWithin((dst.y + k) * s + dst.x, from, from + dst.w);
  }
}

/** Pixels that differ between two frames (inside `area`, default all of `a`), with the first few for messages. */
export function diffFrames(a: Frame, b: Frame, area?: Rect): { count: number; first: Array<{ x: number; y: number; a: string; b: string }> } {
  const r = area ?? { x: 0, y: 0, w: a.width, h: a.height };
  let count = 0;
  const first: Array<{ x: number; y: number; a: string; b: string }> = [];
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) {
      const pa = a.pixels[y * a.stride + x] ?? -1;
      const pb = b.pixels[y * b.stride + x] ?? -1;
      if (pa !== pb) {
        count++;
        if (first.length < 5) first.push({ x, y, a: pa.toString(16), b: pb.toString(16) });
      }
    }
  }
  return { count, first };
}

/**
 * Paints deterministic images onto an X display and tracks what the screen
 * should show (`expected`).
 */
export class DesktopPainter {
  /** What the root window should look like now (top-left crop after a resize). */
  expected: Frame;
  private seed = 1;

  private constructor(
    private readonly conn: X11Connection,
    private gc: number,
  ) {
    const s = conn.screen;
    this.expected = createFrame(s.pixel_width, s.pixel_height);
  }

  static async open(display: string): Promise<DesktopPainter> {
    const conn = await openX11(display, { shm: false });
    const gc = conn.client.AllocID();
    conn.client.CreateGC(gc, conn.root, { graphicsExposures: 0 });
    await conn.sync();
    return new DesktopPainter(conn, gc);
  }

  get display(): string {
    return this.conn.displayName;
  }

  /**
   * Make the pattern the root window background (a root-sized pixmap filled
   * with PutImage strips) and repaint the root with it.
   */
  async paintBackground(seed = 1): Promise<Frame> {
    const geom = await this.conn.request<{ width: number; height: number }>((cb) => this.conn.client.GetGeometry(this.conn.root, cb));
    const expected = await this.paintImage(renderPattern(geom.width, geom.height, seed));
    this.seed = seed;
    return expected;
  }

  /** Make `image` (the root's size) the root window background, as paintBackground does with the pattern. */
  async paintImage(image: Frame): Promise<Frame> {
    const { client, root } = this.conn;
    const geom = { width: image.width, height: image.height };
    const expected = image;
    const pixmap = client.AllocID();
    client.CreatePixmap(pixmap, root, this.conn.screen.root_depth, geom.width, geom.height);
    this.putImage(pixmap, expected, { x: 0, y: 0, w: geom.width, h: geom.height });
    client.ChangeWindowAttributes(root, { backgroundPixmap: pixmap });
    client.ClearArea(root, 0, 0, 0, 0, 0);
    client.FreePixmap(pixmap); // the root keeps its reference
    await this.conn.sync();
    this.expected = expected;
    return expected;
  }

  /** Draw `changePixel(seed)` into `r` of the root window (not the background). */
  async paintRect(r: Rect, seed = 2): Promise<void> {
    fillRect(this.expected, r, (x, y) => changePixel(x, y, seed));
    this.putImage(this.conn.root, this.expected, r);
    await this.conn.sync();
  }

  /**
   * Scroll the content of `r` on the root window by `dy` pixels (negative:
   * up, as a terminal does for new lines; positive: down) with a core
   * CopyArea, then paint the uncovered strip with `patternPixel(seed)` (rows
   * all different, so the strip can itself be told apart by a scroll search).
   * `expected` follows. Returns the strip painted (null when |dy| ≥ r.h, where
   * the whole of `r` is painted instead).
   */
  async scroll(r: Rect, dy: number, seed = 3): Promise<Rect | null> {
    if (!Number.isInteger(dy) || dy === 0) throw new RangeError(`dy must be a non-zero integer, got ${dy}`);
    const { client, root } = this.conn;
    const n = Math.abs(dy);
    const paint = (s: Rect): void => {
      fillRect(this.expected, s, (x, y) => patternPixel(x, y, seed));
      this.putImage(root, this.expected, s);
    };
    if (n >= r.h) {
      paint(r);
      await this.conn.sync();
      return null;
    }
    const keep = r.h - n;
    const srcY = dy < 0 ? r.y + n : r.y;
    const dstY = dy < 0 ? r.y : r.y + n;
    // core request 62; not in the project's x11 typings
    (client as unknown as CoreCopyArea).CopyArea(root, root, this.gc, r.x, srcY, r.x, dstY, r.w, keep);
    scrollFrame(this.expected, { x: r.x, y: dstY, w: r.w, h: keep }, srcY);
    const strip: Rect = { x: r.x, y: dy < 0 ? r.y + keep : r.y, w: r.w, h: n };
    paint(strip);
    await this.conn.sync();
    return strip;
  }

  /** After the screen size changed: the root shows the background pattern again, cropped or extended. */
  async expectBackgroundAt(width: number, height: number): Promise<Frame> {
    this.expected = renderPattern(width, height, this.seed);
    return this.expected;
  }

  async close(): Promise<void> {
    try {
      this.conn.client.FreeGC(this.gc);
    } catch {
      /* closing anyway */
    }
    this.gc = 0;
    await this.conn.close();
  }

  /** PutImage `r` of `src` onto `drawable` at the same position, in strips under the request limit. */
  private putImage(drawable: number, src: Frame, r: Rect): void {
    const { client, maxRequestBytes, screen } = this.conn;
    const budget = Math.min(256 * 1024, maxRequestBytes - 64);
    const rowBytes = r.w * 4;
    const rows = Math.max(1, Math.floor(budget / rowBytes));
    for (let y = r.y; y < r.y + r.h; y += rows) {
      const h = Math.min(rows, r.y + r.h - y);
      const strip = new Uint32Array(r.w * h);
      for (let i = 0; i < h; i++) {
        const start = (y + i) * src.stride + r.x;
        strip.set(src.pixels.subarray(start, start + r.w), i * r.w);
      }
      // 0x00RRGGBB words are BGRX bytes on a little-endian host, which is ZPixmap for depth 24/32
      client.PutImage(ZPIXMAP, drawable, this.gc, r.w, h, r.x, y, 0, screen.root_depth, Buffer.from(strip.buffer, strip.byteOffset, strip.byteLength));
    }
  }
}

/** Paint the pattern as the root background of `display` and disconnect; returns the expected frame. */
export async function paintDesktop(display: string, seed = 1): Promise<Frame> {
  const painter = await DesktopPainter.open(display);
  try {
    return await painter.paintBackground(seed);
  } finally {
    await painter.close();
  }
}

export interface XtermHandle {
  pid: number;
  /** X window id (decimal string, as xdotool prints it). */
  window: string;
  stop(): Promise<void>;
}

/**
 * Run an xterm showing `text` at `geometry` (columns x rows + x + y) and wait
 * (bounded) until its window is mapped. The terminal stays until `stop()`.
 */
export async function runXterm(display: string, options: { text: string; geometry?: string; title?: string; timeoutMs?: number }): Promise<XtermHandle> {
  const title = options.title ?? `trayvnc-test-${process.pid}-${Date.now()}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const child: ChildProcess = spawn(
    'xterm',
    ['-display', display, '-geometry', options.geometry ?? '80x24+40+40', '-T', title, '-e', 'sh', '-c', 'printf "%s\\n" "$TRAYVNC_TEXT"; exec sleep 3600'],
    { stdio: 'ignore', env: { ...process.env, DISPLAY: display, TRAYVNC_TEXT: options.text } },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 3000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  };
  if (child.pid === undefined) throw new Error('cannot run xterm');
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 200 && Date.now() < deadline; i++) {
    if (child.exitCode !== null) break;
    try {
      const out = (await xrun(display, 'xdotool', ['search', '--onlyvisible', '--name', `^${title}$`], 3000)).trim();
      if (out) return { pid: child.pid, window: out.split('\n')[0] ?? out, stop };
    } catch {
      /* not there yet: xdotool exits 1 when nothing matches */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`xterm window "${title}" did not appear within ${timeoutMs} ms`);
}
