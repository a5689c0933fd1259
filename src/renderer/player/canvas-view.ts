import type { FrameBuffer } from './frame-buffer.js';

/**
 * The player's canvas: the picture's pixels as they are (ImageData takes the
 * recording's R, G, B bytes directly; alpha is opaque), at the recording's own
 * size — the page scales the element, never the pixels. `data-shown-ms` says
 * which moment the canvas holds (the end-to-end test waits for it).
 */
export class CanvasView {
  private drawnVersion = -1;
  private drawnData: Uint8ClampedArray | null = null;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('this browser cannot draw on a canvas');
    this.ctx = ctx;
  }

  draw(fb: FrameBuffer, t: number): void {
    const { canvas } = this;
    if (canvas.width !== fb.width || canvas.height !== fb.height) {
      canvas.width = fb.width;
      canvas.height = fb.height;
      this.drawnVersion = -1;
    }
    // Repaint only when the picture changed (a still screen draws nothing new).
    if (fb.version !== this.drawnVersion || fb.data !== this.drawnData) {
      this.ctx.putImageData(new ImageData(fb.data, fb.width, fb.height), 0, 0);
      this.drawnVersion = fb.version;
      this.drawnData = fb.data;
    }
    canvas.dataset['shownMs'] = String(Math.round(t));
  }
}
