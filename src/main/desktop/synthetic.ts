import type { Frame } from '../framebuffer/frame.js';
import type { Rect } from '../framebuffer/rect.js';
import { boundingRect, clipRect } from '../framebuffer/region.js';
import type { ScreenSource } from './screen.js';

export interface SyntheticScreenOptions {
  width?: number;
  height?: number;
  /** Changes the static picture (background texture, text blocks). Default 1. */
  seed?: number;
  /** Advance one frame this many times a second once started; 0 (default) = only by `tick()`. */
  fps?: number;
  /** Frame number to start at (default 0). */
  frame?: number;
}

/** At most this many pending damage rectangles before they collapse into their bounding box. */
const MAX_PENDING = 32;
/** Size of one cell of the frame counter (a row of 32 bits, most significant first). */
const COUNTER_CELL = 8;
const COUNTER_BITS = 32;

/**
 * A deterministic animated desktop: a textured gradient background with some
 * "windows" full of text-like glyph blocks (both static), a box bouncing
 * around and a binary frame counter (both depend only on the frame number).
 * The same size, seed and frame number always give the same pixels.
 *
 * Damage is exact: each step reports the box's old and new places and the
 * counter strip. Used by tests, demos and machines without a display.
 */
export class SyntheticScreen implements ScreenSource {
  readonly name = 'synthetic';
  private w: number;
  private h: number;
  private readonly seed: number;
  private readonly fps: number;
  private frameNo: number;
  private background: Uint32Array | null = null;
  private pending: Rect[] = [];
  private readonly damageListeners: Array<() => void> = [];
  private readonly resizeListeners: Array<(width: number, height: number) => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(options: SyntheticScreenOptions = {}) {
    this.w = checkSize(options.width ?? 1280, 'width');
    this.h = checkSize(options.height ?? 720, 'height');
    this.seed = (options.seed ?? 1) >>> 0;
    this.fps = options.fps ?? 0;
    if (!(this.fps >= 0 && this.fps <= 1000)) throw new RangeError(`fps must be within 0..1000, got ${options.fps}`);
    this.frameNo = options.frame ?? 0;
  }

  get width(): number {
    return this.w;
  }

  get height(): number {
    return this.h;
  }

  /** The current frame number. */
  get frameNumber(): number {
    return this.frameNo;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.renderBackground();
    if (this.fps > 0) {
      this.timer = setInterval(() => this.tick(), Math.max(1, Math.round(1000 / this.fps)));
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.started = false;
  }

  /** Advance `n` frames (default 1). Returns the damage of this step. */
  tick(n = 1): Rect[] {
    return this.setFrameNumber(this.frameNo + n);
  }

  /** Jump to frame `n`. Returns the damage of this step (nothing when `n` is the current frame). */
  setFrameNumber(n: number): Rect[] {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`frame number must be a non-negative integer, got ${n}`);
    if (n === this.frameNo) return [];
    const damage: Rect[] = [];
    const before = this.boxAt(this.frameNo);
    const after = this.boxAt(n);
    if (before.x === after.x && before.y === after.y) {
      damage.push(after); // colour changes in place
    } else {
      damage.push(before, after);
    }
    const counter = this.counterRect();
    if (counter) damage.push(counter);
    this.frameNo = n;
    this.addDamage(damage);
    return damage;
  }

  /** Change the desktop size (like a RandR resize): notifies resize listeners and damages everything. */
  resize(width: number, height: number): void {
    checkSize(width, 'width');
    checkSize(height, 'height');
    if (width === this.w && height === this.h) return;
    this.w = width;
    this.h = height;
    this.background = null;
    if (this.started) this.renderBackground();
    this.pending = [{ x: 0, y: 0, w: width, h: height }];
    for (const l of this.resizeListeners) l(width, height);
    for (const l of this.damageListeners) l();
  }

  /** Where the moving box is at frame `n` (it bounces off the edges). */
  boxAt(n: number): Rect {
    const size = Math.max(8, Math.min(96, Math.floor(Math.min(this.w, this.h) / 6)));
    const bw = Math.min(size, this.w);
    const bh = Math.min(size, this.h);
    return { x: bounce(n * 7 + 13, this.w - bw), y: bounce(n * 5 + 29, this.h - bh), w: bw, h: bh };
  }

  /** Where the frame counter is drawn (top right), or null when the desktop is too small for it. */
  counterRect(): Rect | null {
    const w = COUNTER_BITS * COUNTER_CELL;
    const h = COUNTER_CELL;
    if (this.w < w + 8 || this.h < h + 8) return null;
    return { x: this.w - w - 4, y: 4, w, h };
  }

  async grab(frame: Frame, areas?: Rect[]): Promise<Rect[]> {
    const bg = this.background ?? this.renderBackground();
    const maxW = Math.min(frame.width, this.w);
    const maxH = Math.min(frame.height, this.h);
    const done: Rect[] = [];
    const box = this.boxAt(this.frameNo);
    const counter = this.counterRect();
    for (const area of areas ?? [{ x: 0, y: 0, w: this.w, h: this.h }]) {
      const r = clipRect(area, maxW, maxH);
      if (!r) continue;
      const px = frame.pixels;
      for (let y = r.y; y < r.y + r.h; y++) {
        const src = y * this.w + r.x;
        px.set(bg.subarray(src, src + r.w), y * frame.stride + r.x);
      }
      this.drawBox(frame, r, box);
      if (counter) this.drawCounter(frame, r, counter);
      done.push(r);
    }
    return done;
  }

  takeDamage(): Rect[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  onDamage(listener: () => void): void {
    this.damageListeners.push(listener);
  }

  onResize(listener: (width: number, height: number) => void): void {
    this.resizeListeners.push(listener);
  }

  /** The colour of the background (static layer) at x, y. */
  backgroundPixel(x: number, y: number): number {
    const bg = this.background ?? this.renderBackground();
    return bg[y * this.w + x] ?? 0;
  }

  private addDamage(rects: Rect[]): void {
    const wasEmpty = this.pending.length === 0;
    for (const r of rects) {
      const c = clipRect(r, this.w, this.h);
      if (!c) continue;
      if (this.pending.some((p) => p.x <= c.x && p.y <= c.y && p.x + p.w >= c.x + c.w && p.y + p.h >= c.y + c.h)) continue;
      this.pending.push(c);
    }
    if (this.pending.length > MAX_PENDING) {
      const b = boundingRect(this.pending);
      this.pending = b ? [b] : [];
    }
    if (wasEmpty && this.pending.length > 0) {
      for (const l of this.damageListeners) l();
    }
  }

  private drawBox(frame: Frame, area: Rect, box: Rect): void {
    const x1 = Math.max(area.x, box.x);
    const y1 = Math.max(area.y, box.y);
    const x2 = Math.min(area.x + area.w, box.x + box.w);
    const y2 = Math.min(area.y + area.h, box.y + box.h);
    if (x2 <= x1 || y2 <= y1) return;
    const n = this.frameNo;
    const fill = hsv((n * 3) % 360, 0.75, 0.95);
    const border = 0x101010;
    const px = frame.pixels;
    for (let y = y1; y < y2; y++) {
      const by = y - box.y;
      const row = y * frame.stride;
      for (let x = x1; x < x2; x++) {
        const bx = x - box.x;
        let c: number;
        if (bx < 3 || by < 3 || bx >= box.w - 3 || by >= box.h - 3) c = border;
        else if (((bx >> 3) + (by >> 3)) % 2 === 0) c = fill;
        else c = fill ^ 0x202020;
        px[row + x] = c;
      }
    }
  }

  private drawCounter(frame: Frame, area: Rect, counter: Rect): void {
    const x1 = Math.max(area.x, counter.x);
    const y1 = Math.max(area.y, counter.y);
    const x2 = Math.min(area.x + area.w, counter.x + counter.w);
    const y2 = Math.min(area.y + area.h, counter.y + counter.h);
    if (x2 <= x1 || y2 <= y1) return;
    const n = this.frameNo >>> 0;
    const px = frame.pixels;
    for (let y = y1; y < y2; y++) {
      const cy = y - counter.y;
      const row = y * frame.stride;
      for (let x = x1; x < x2; x++) {
        const cx = x - counter.x;
        const bit = COUNTER_BITS - 1 - Math.floor(cx / COUNTER_CELL);
        const on = (n >>> bit) & 1;
        const edge = cx % COUNTER_CELL === 0 || cy === 0 || cy === COUNTER_CELL - 1;
        px[row + x] = edge ? 0x202020 : on ? 0x30e030 : 0x303030;
      }
    }
  }

  /** Render the static layer: gradient + texture + windows with text-like glyphs. */
  private renderBackground(): Uint32Array {
    const w = this.w;
    const h = this.h;
    const bg = new Uint32Array(w * h);
    const seed = this.seed;
    for (let y = 0; y < h; y++) {
      const g = Math.floor((y * 255) / Math.max(1, h - 1));
      const row = y * w;
      for (let x = 0; x < w; x++) {
        const r = Math.floor((x * 255) / Math.max(1, w - 1));
        const noise = hash3(x, y, seed) & 0x1f;
        const stripe = ((x >> 5) ^ (y >> 5)) & 1 ? 0x30 : 0x60;
        bg[row + x] = (((r * 3) >> 2) << 16) | (((g * 3) >> 2) << 8) | ((stripe + noise) & 0xff);
      }
    }
    // Windows with a title bar and rows of glyphs.
    const count = Math.max(1, Math.min(6, Math.floor((w * h) / 200_000)));
    for (let i = 0; i < count; i++) {
      const ww = Math.max(40, Math.floor(w * (0.25 + (hash3(i, 1, seed) % 20) / 100)));
      const wh = Math.max(30, Math.floor(h * (0.2 + (hash3(i, 2, seed) % 20) / 100)));
      const wx = hash3(i, 3, seed) % Math.max(1, w - ww);
      const wy = hash3(i, 4, seed) % Math.max(1, h - wh);
      drawWindow(bg, w, h, { x: wx, y: wy, w: Math.min(ww, w), h: Math.min(wh, h) }, seed + i);
    }
    this.background = bg;
    return bg;
  }
}

function drawWindow(bg: Uint32Array, stride: number, height: number, win: Rect, seed: number): void {
  const title = 16;
  const paper = 0xf4f1e8;
  const ink = 0x1a1a2a;
  const bar = hsv(hash3(seed, 7, 11) % 360, 0.5, 0.6);
  for (let y = win.y; y < Math.min(height, win.y + win.h); y++) {
    const wy = y - win.y;
    const row = y * stride;
    for (let x = win.x; x < Math.min(stride, win.x + win.w); x++) {
      const wx = x - win.x;
      let c: number;
      if (wx === 0 || wy === 0 || wx === win.w - 1 || wy === win.h - 1) c = 0x000000;
      else if (wy < title) c = bar;
      else {
        // glyph cells of 7×12 with 1 px gaps; a hash decides the 5×9 bitmap and
        // the line length, which gives ragged, text-like lines
        const tx = wx - 4;
        const ty = wy - title - 3;
        c = paper;
        if (tx >= 0 && ty >= 0) {
          const col = Math.floor(tx / 7);
          const line = Math.floor(ty / 12);
          const gx = tx % 7;
          const gy = ty % 12;
          const lineLen = 6 + (hash3(line, seed, 3) % 40);
          const isSpace = hash3(col, line, seed) % 6 === 0;
          if (col < lineLen && !isSpace && gx < 5 && gy < 9 && tx < win.w - 12) {
            const glyph = hash3(col, line, seed ^ 0x5bd1e995);
            if ((glyph >>> (gy * 3 + (gx % 3))) & 1 || gx === 1) c = ink;
          }
        }
      }
      bg[row + x] = c;
    }
  }
}

/** Triangle wave 0..span..0 of `t`. */
function bounce(t: number, span: number): number {
  if (span <= 0) return 0;
  const period = span * 2;
  const p = t % period;
  return p <= span ? p : period - p;
}

/** A fast, well-mixed 32-bit hash of three integers. */
function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a | 0, 0x27d4eb2d) ^ Math.imul(b | 0, 0x165667b1) ^ Math.imul(c | 0, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 0x00RRGGBB from hue (degrees), saturation and value (0..1). */
function hsv(hue: number, s: number, v: number): number {
  const c = v * s;
  const hp = (hue % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  let r = 0;
  let g = 0;
  let b = 0;
  if (hp < 1) [r, g, b] = [c, x, 0];
  else if (hp < 2) [r, g, b] = [x, c, 0];
  else if (hp < 3) [r, g, b] = [0, c, x];
  else if (hp < 4) [r, g, b] = [0, x, c];
  else if (hp < 5) [r, g, b] = [x, 0, c];
  else [r, g, b] = [c, 0, x];
  const m = v - c;
  const to8 = (u: number): number => Math.round((u + m) * 255) & 0xff;
  return (to8(r) << 16) | (to8(g) << 8) | to8(b);
}

function checkSize(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 16384) throw new RangeError(`${what} must be an integer within 1..16384, got ${n}`);
  return n;
}
