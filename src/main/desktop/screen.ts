import type { Frame } from '../framebuffer/frame.js';
import type { Rect } from '../framebuffer/rect.js';

/**
 * Where pixels come from. The server asks for grabs only while some client is
 * waiting for an update; `onDamage` is a hint of what may have changed (the
 * change detector refines it by comparing tiles with the previous frame).
 */
export interface ScreenSource {
  readonly name: string;
  /** Connect and learn the size. Must be called before anything else. */
  start(): Promise<void>;
  readonly width: number;
  readonly height: number;
  /**
   * Capture into `frame` (sized width×height): the given areas, or everything
   * when `areas` is omitted. Returns the areas actually refreshed.
   */
  grab(frame: Frame, areas?: Rect[]): Promise<Rect[]>;
  /**
   * Areas changed since the last call, when the backend knows (X DAMAGE), or
   * null when it cannot tell and a full grab + compare is needed.
   */
  takeDamage(): Rect[] | null;
  /** Called when damage arrives, so an idle server can sleep until then. */
  onDamage(listener: () => void): void;
  /** Called when the desktop size changes; the next grab uses the new size. */
  onResize(listener: (width: number, height: number) => void): void;
  stop(): Promise<void>;
}
