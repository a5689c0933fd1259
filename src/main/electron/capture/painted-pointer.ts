import type { CursorSource } from '../../desktop/input.js';
import type { CursorImage } from '../../framebuffer/cursor-image.js';
import type { CaptureFidelityInfo } from '../../../shared/control-contract.js';

/**
 * The pointer where the system capture paints it into its frames (Chromium
 * always does: the track's `cursor` setting says "always"). Viewers that draw
 * the cursor themselves (the Cursor pseudo-encoding) then get an empty cursor,
 * so they show the pointer once, in the picture, instead of their own on top
 * of it. Where the frames have no pointer, there is no cursor to send (the
 * system capture does not say what the pointer looks like).
 */
export const NO_POINTER: CursorImage = Object.freeze({ width: 0, height: 0, hotX: 0, hotY: 0, pixels: new Uint32Array(0), serial: 1 });

export interface FidelitySource {
  readonly fidelity: CaptureFidelityInfo | null;
  onFidelity(listener: (fidelity: CaptureFidelityInfo) => void): void;
}

export class PaintedPointerCursor implements CursorSource {
  readonly name = 'painted-pointer';
  private readonly listeners: Array<(cursor: CursorImage) => void> = [];
  private hidden = false;

  constructor(private readonly source: FidelitySource) {}

  async start(): Promise<void> {
    this.hidden = this.source.fidelity?.pointerInFrames === true;
    this.source.onFidelity((f) => {
      if (!f.pointerInFrames || this.hidden) return;
      this.hidden = true;
      for (const l of this.listeners) l(NO_POINTER);
    });
  }

  current(): CursorImage | null {
    return this.hidden ? NO_POINTER : null;
  }

  onChange(listener: (cursor: CursorImage) => void): void {
    this.listeners.push(listener);
  }

  /** Where the pointer is, the system capture does not say. */
  async position(): Promise<null> {
    return null;
  }

  async stop(): Promise<void> {
    this.listeners.length = 0;
  }
}
