import type { InputSink } from '../../desktop/input.js';
import type { DisplayLike } from '../electron-seam.js';

/**
 * Pointer positions from viewers are pixels of the shared frame; an input
 * backend such as nut-js wants desktop coordinates. This maps one to the
 * other for the captured display: its origin, and its scale (macOS takes
 * points, not device pixels; the frame may also be smaller than the display
 * when the capture is scaled down). Keys pass through unchanged.
 *
 * It also reports once when the backend cannot start (nut-js missing), so
 * the app can say why viewers can only watch.
 */
export interface DisplayMapping {
  display: DisplayLike;
  /** The frame's current size (it follows resizes). */
  frameSize(): { width: number; height: number };
  platform: NodeJS.Platform;
}

/** Frame pixel (x, y) → desktop coordinates for the input backend. */
export function frameToDesktop(m: DisplayMapping, x: number, y: number): { x: number; y: number } {
  const { bounds, scaleFactor } = m.display;
  const frame = m.frameSize();
  // macOS: points (bounds units). Elsewhere Electron runs DPI-aware and input takes device pixels.
  const unit = m.platform === 'darwin' ? 1 : scaleFactor;
  const kx = frame.width > 0 ? (bounds.width * unit) / frame.width : 1;
  const ky = frame.height > 0 ? (bounds.height * unit) / frame.height : 1;
  return { x: Math.round(bounds.x * unit + x * kx), y: Math.round(bounds.y * unit + y * ky) };
}

export class MappedInput implements InputSink {
  readonly name: string;

  constructor(
    private readonly inner: InputSink,
    private readonly mapping: DisplayMapping,
    private readonly onUnavailable?: (reason: string) => void,
  ) {
    this.name = inner.name;
  }

  async start(): Promise<void> {
    try {
      await this.inner.start();
    } catch (e) {
      this.onUnavailable?.(e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  key(keysym: number, down: boolean): Promise<void> {
    return this.inner.key(keysym, down);
  }

  pointer(x: number, y: number, buttons: number): Promise<void> {
    const p = frameToDesktop(this.mapping, x, y);
    return this.inner.pointer(p.x, p.y, buttons);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}
