/// <reference path="../../types/novnc-rfb.d.ts" />
import type RFB from '@novnc/novnc';
import { formatRate } from '../format.js';
import { formatFrameRate, RateMeter } from './rate-meter.js';

/** noVNC's Display, as far as the frame count needs it (an internal: see countFrames). */
interface FlipHost {
  flip(fromQueue?: boolean): void;
}

/**
 * Call `onFrame` for each framebuffer update noVNC finishes. noVNC has no
 * public event for it; RFB ends every complete FramebufferUpdate with one
 * `this._display.flip()` (a flip it had to queue behind pending image
 * decodes comes back later as `flip(true)`, not counted again). A resize of
 * the view also flips, which counts one frame more: rare enough not to
 * matter for a rate. Returns false when this noVNC has no such internal, so
 * the page shows "—" rather than a wrong figure.
 */
export function countFrames(rfb: RFB, onFrame: () => void): boolean {
  // An internal of noVNC's RFB, reached on purpose: not part of its types.
  const display = (rfb as unknown as { _display?: unknown })._display;
  if (typeof display !== 'object' || display === null || typeof (display as Partial<FlipHost>).flip !== 'function') return false;
  const host = display as FlipHost;
  const flip = host.flip;
  host.flip = function (this: FlipHost, fromQueue?: boolean): void {
    if (fromQueue !== true) onFrame();
    flip.call(this, fromQueue);
  };
  return true;
}

/** The FPS and bandwidth figures on the toolbar, sampled once a second while a connection lives. */
export class LiveFigures {
  private readonly frames = new RateMeter();
  private readonly bytes = new RateMeter();
  private framesKnown = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private listening: AbortController | null = null;

  constructor(
    private readonly fps: HTMLElement,
    private readonly bandwidth: HTMLElement,
  ) {
    this.show(null, null);
  }

  /** Start counting for a new connection (the socket's messages are the bytes received). */
  attach(rfb: RFB, socket: WebSocket): void {
    this.detach();
    this.framesKnown = countFrames(rfb, () => this.frames.add(1));
    this.listening = new AbortController();
    socket.addEventListener(
      'message',
      (e: MessageEvent<unknown>) => {
        // binaryType is 'arraybuffer'; a text frame (never sent by our server) is counted by its length.
        this.bytes.add(e.data instanceof ArrayBuffer ? e.data.byteLength : typeof e.data === 'string' ? e.data.length : 0);
      },
      { signal: this.listening.signal },
    );
    const now = performance.now();
    this.frames.sample(now);
    this.bytes.sample(now);
    this.timer = setInterval(() => {
      const t = performance.now();
      const f = this.frames.sample(t);
      const b = this.bytes.sample(t);
      this.show(this.framesKnown ? f : null, b);
    }, 1000);
  }

  /** Stop: the figures read "—" until the next connection. */
  detach(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.listening?.abort();
    this.listening = null;
    this.frames.reset();
    this.bytes.reset();
    this.show(null, null);
  }

  private show(fps: number | null, bytesPerSecond: number | null): void {
    this.fps.textContent = formatFrameRate(fps);
    this.bandwidth.textContent = formatRate(bytesPerSecond);
  }
}
