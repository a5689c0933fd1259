import { createFrame, type Frame } from '../framebuffer/frame.js';
import { intersectRect, type Rect } from '../framebuffer/rect.js';
import type { ScreenSource } from './screen.js';

/**
 * Shares one rectangle of another source (a monitor, or an area given with
 * --clip): sizes, damage and grabs are translated to the rectangle's own
 * coordinates. `area()` is asked again after the desktop resizes (a monitor
 * may have moved); it may return null when the monitor is gone.
 */
export class ClippedScreen implements ScreenSource {
  readonly name: string;
  private clip: Rect;
  private full: Frame;
  private readonly resizeListeners: Array<(w: number, h: number) => void> = [];

  constructor(
    private readonly inner: ScreenSource,
    private readonly area: (desktopWidth: number, desktopHeight: number) => Promise<Rect | null>,
  ) {
    this.name = `${inner.name} (clipped)`;
    this.clip = { x: 0, y: 0, w: 1, h: 1 };
    this.full = createFrame(1, 1);
  }

  get width(): number {
    return this.clip.w;
  }

  get height(): number {
    return this.clip.h;
  }

  /** Where the shared rectangle sits on the desktop (for pointer offsets). */
  get origin(): { x: number; y: number } {
    return { x: this.clip.x, y: this.clip.y };
  }

  async start(): Promise<void> {
    await this.inner.start();
    try {
      await this.refreshArea();
    } catch (e) {
      await this.inner.stop();
      throw e;
    }
    this.inner.onResize(() => {
      void this.refreshArea().then(() => {
        for (const l of this.resizeListeners) l(this.clip.w, this.clip.h);
      });
    });
  }

  private async refreshArea(): Promise<void> {
    const desk = { x: 0, y: 0, w: this.inner.width, h: this.inner.height };
    const wanted = await this.area(desk.w, desk.h);
    const clip = wanted ? intersectRect(wanted, desk) : null;
    if (!clip) throw new Error(`the area to share is not on the ${desk.w}x${desk.h} desktop`);
    this.clip = clip;
    this.full = createFrame(desk.w, desk.h);
  }

  private toInner(r: Rect): Rect | null {
    return intersectRect({ x: r.x + this.clip.x, y: r.y + this.clip.y, w: r.w, h: r.h }, this.clip);
  }

  async grab(frame: Frame, areas?: Rect[]): Promise<Rect[]> {
    const wanted = (areas ?? [{ x: 0, y: 0, w: this.clip.w, h: this.clip.h }]).map((r) => this.toInner(r)).filter((r): r is Rect => r !== null);
    const got = await this.inner.grab(this.full, wanted);
    const out: Rect[] = [];
    for (const g of got) {
      const r = { x: g.x - this.clip.x, y: g.y - this.clip.y, w: g.w, h: g.h };
      const inFrame = intersectRect(r, { x: 0, y: 0, w: frame.width, h: frame.height });
      if (!inFrame) continue;
      for (let row = 0; row < inFrame.h; row++) {
        const src = (inFrame.y + this.clip.y + row) * this.full.stride + inFrame.x + this.clip.x;
        frame.pixels.set(this.full.pixels.subarray(src, src + inFrame.w), (inFrame.y + row) * frame.stride + inFrame.x);
      }
      out.push(inFrame);
    }
    return out;
  }

  takeDamage(): Rect[] | null {
    const d = this.inner.takeDamage();
    if (d === null) return null;
    const out: Rect[] = [];
    for (const r of d) {
      const c = intersectRect(r, this.clip);
      if (c) out.push({ x: c.x - this.clip.x, y: c.y - this.clip.y, w: c.w, h: c.h });
    }
    return out;
  }

  onDamage(listener: () => void): void {
    this.inner.onDamage(listener);
  }

  onResize(listener: (width: number, height: number) => void): void {
    this.resizeListeners.push(listener);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}

/** Parse `WxH+X+Y` (X geometry syntax) as used by --clip. */
export function parseGeometry(text: string): Rect | null {
  const m = /^(\d+)x(\d+)\+(\d+)\+(\d+)$/.exec(text.trim());
  if (!m) return null;
  const [w, h, x, y] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  return w > 0 && h > 0 ? { x, y, w, h } : null;
}
