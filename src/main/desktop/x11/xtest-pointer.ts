import type { Logger } from 'pino';
import type { XTestEvents } from './xtest-events.js';

/** Pointer buttons RFB's mask can carry: bits 0–6 → buttons 1–7, bits 7–8 → 8 (back) and 9 (forward). */
const MASK_BUTTONS = 9;

function clamp16(v: number): number {
  const n = Math.round(Number.isFinite(v) ? v : 0);
  return n < -32768 ? -32768 : n > 32767 ? 32767 : n;
}

/**
 * RFB pointer events as XTEST motion and button events: a move when the
 * position changed (or nothing else did), then a press or release for each
 * bit of the button mask that changed. Buttons the X pointer lacks are
 * left out (and logged).
 */
export class XTestPointer {
  /** RFB mask bits of the buttons down through us. */
  private held = 0;
  private lastX = Number.NaN;
  private lastY = Number.NaN;
  private count = MASK_BUTTONS;

  constructor(
    private readonly events: XTestEvents,
    private readonly log: Logger,
  ) {}

  /** Buttons the X pointer has (its pointer mapping's length). */
  get buttonCount(): number {
    return this.count;
  }

  /** What the server reports at start: where the pointer is, and how many buttons it has. */
  followServer(x: number, y: number, buttonCount: number): void {
    this.count = buttonCount;
    this.lastX = x;
    this.lastY = y;
  }

  event(x: number, y: number, mask: number): void {
    const px = clamp16(x);
    const py = clamp16(y);
    const changed = (mask ^ this.held) & ((1 << MASK_BUTTONS) - 1);
    if (px !== this.lastX || py !== this.lastY || changed === 0) {
      this.events.motion(px, py);
      this.lastX = px;
      this.lastY = py;
    }
    if (changed === 0) return;
    for (let bit = 0; bit < MASK_BUTTONS; bit++) {
      const b = 1 << bit;
      if (!(changed & b)) continue;
      const down = (mask & b) !== 0;
      if (bit + 1 > this.count) {
        this.log.debug({ button: bit + 1, buttons: this.count }, 'the X pointer has no such button; ignored');
      } else {
        this.events.button(bit + 1, down);
      }
      this.held = down ? this.held | b : this.held & ~b;
    }
  }

  /** Let go of every button still down through us. */
  releaseAll(): void {
    for (let b = 1; b <= MASK_BUTTONS; b++) if (this.held & (1 << (b - 1))) this.events.button(b, false);
    this.held = 0;
  }
}
