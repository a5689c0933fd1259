import type { Frame } from '../framebuffer/frame.js';
import type { Rect } from '../framebuffer/rect.js';
import type { CaptureFidelityInfo } from '../../shared/control-contract.js';

/**
 * Where pixels come from. The server asks for grabs only while some client is
 * waiting for an update; `onDamage` is a hint of what may have changed (the
 * change detector refines it by comparing tiles with the previous frame).
 *
 * Implementations: `X11Screen` (x11/x11-screen.ts) for an X display,
 * `SyntheticScreen` (synthetic.ts) for the test pattern, `ClippedScreen`
 * (clipped-screen.ts) for one monitor or rectangle of another source, and
 * the tray app's `CaptureScreen` (electron/capture/capture-source.ts) for
 * frames from the system's screen capture. `chooseDesktopBackend`
 * (backend-choice.ts) decides which backend a service uses;
 * `screenSourceFor` (index.ts) builds the X11 and synthetic ones.
 */
export interface ScreenSource {
  readonly name: string;
  /** Connect and learn the size. Must be called before anything else; a source is not restartable after `stop()`. */
  start(): Promise<void>;
  readonly width: number;
  readonly height: number;
  /**
   * Capture into `frame` (normally sized width×height): the given areas, or
   * everything when `areas` is omitted. Areas are clipped to both the screen
   * and the frame, so a frame left over from before a resize is safe to pass.
   * Only the areas are written; the rest of the frame is left alone. Returns
   * the (clipped) areas actually refreshed. Grabs are serialised: a call waits
   * for the previous one and for any resize being handled.
   */
  grab(frame: Frame, areas?: Rect[]): Promise<Rect[]>;
  /**
   * Areas changed since the last call, when the backend knows (X DAMAGE), or
   * null when it cannot tell and a full grab + compare is needed. An empty
   * array means nothing changed. After a resize it returns the whole screen.
   * X11: a new DAMAGE object starts fully damaged, so the first call after
   * `start()` returns the whole screen too. Areas may be coarser than the
   * real change (X11 rounds them to a 16-pixel grid).
   */
  takeDamage(): Rect[] | null;
  /**
   * Called when damage arrives while none was pending (once per batch, not
   * per change), so an idle server can sleep until then. Also called after a
   * resize.
   */
  onDamage(listener: () => void): void;
  /** Called when the desktop size changes; `width`/`height` and the next grab already use the new size. */
  onResize(listener: (width: number, height: number) => void): void;
  /**
   * True while the source knows its image may be out of date and a fresh one
   * is on its way — the system capture, paused while nobody watched, until
   * its first frame after resuming. It calls its damage listeners when that
   * frame arrives (changed or not). The capture loop holds viewers' pixels
   * back meanwhile. Sources that always know what changed (X DAMAGE) or grab
   * anew each time leave it out.
   */
  readonly stale?: boolean;
  /**
   * What the frames lose against the screen, for sources that may lose
   * something (the system capture: YUV frames, a painted-in pointer, scaling);
   * null until the first frame says. Sources that are exact leave it out.
   */
  readonly fidelity?: CaptureFidelityInfo | null;
  /** Release everything (connection, shared memory, timers). Safe to call twice. */
  stop(): Promise<void>;
}
