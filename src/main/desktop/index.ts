import { chooseDesktopBackend, type BackendChoice } from './backend-choice.js';
import type { ScreenSource } from './screen.js';
import { SyntheticScreen } from './synthetic.js';
import { X11Screen, type X11CaptureMethod } from './x11/x11-screen.js';

export type { ScreenSource } from './screen.js';
export { chooseDesktopBackend, isWaylandSession, type BackendChoice, type BackendChoiceInput, type DesktopBackend } from './backend-choice.js';
export { SyntheticScreen, type SyntheticScreenOptions } from './synthetic.js';
export { X11Screen, type X11CaptureMethod, type X11ScreenOptions } from './x11/x11-screen.js';
export { listMonitors, listX11Monitors, type X11Monitor } from './x11/x11-randr.js';

export type ScreenSourceKind = 'x11' | 'synthetic';

/** How to build a source, once its backend is chosen. */
export interface ScreenSourceOptions {
  /** Synthetic desktop size (default 1280×720); ignored by x11, which takes the display's size. */
  width?: number;
  height?: number;
  /** Synthetic desktop animation rate (default 0: only moves when ticked). */
  fps?: number;
  /** X11 capture path (default 'auto'). */
  capture?: 'auto' | X11CaptureMethod;
  /** Use X DAMAGE when available (default true). */
  damage?: boolean;
}

export interface CreateScreenSourceOptions extends ScreenSourceOptions {
  /** X display (":99"); implies `source: 'x11'` unless a source is given. */
  display?: string;
  /**
   * Which backend. Default: 'x11' when a display is given or $DISPLAY is set,
   * else 'synthetic' (chooseDesktopBackend, as the command line decides).
   */
  source?: ScreenSourceKind;
}

/** Pick and construct a screen backend. Call `start()` on the result. */
export function createScreenSource(options: CreateScreenSourceOptions = {}, env: NodeJS.ProcessEnv = process.env): ScreenSource {
  const choice = chooseDesktopBackend({
    settings: { display: options.display, source: options.source },
    platform: process.platform,
    env,
    systemCapture: false,
  });
  return screenSourceFor(choice, options);
}

/**
 * Construct the source a choice names. The system's screen capture is not
 * built here: the tray app supplies it (VncService's desktop override).
 */
export function screenSourceFor(choice: BackendChoice, options: ScreenSourceOptions = {}): ScreenSource {
  switch (choice.backend) {
    case 'x11':
      if (!choice.display) throw new Error('the x11 screen source needs a display (--display :N, or $DISPLAY)');
      return new X11Screen({
        display: choice.display,
        ...(options.capture !== undefined ? { capture: options.capture } : {}),
        ...(options.damage !== undefined ? { damage: options.damage } : {}),
      });
    case 'synthetic':
      return new SyntheticScreen({
        ...(options.width !== undefined ? { width: options.width } : {}),
        ...(options.height !== undefined ? { height: options.height } : {}),
        ...(options.fps !== undefined ? { fps: options.fps } : {}),
      });
    case 'system-capture':
      throw new Error(`the system's screen capture (${choice.reason}) is available only in the tray app`);
    default: {
      const never: never = choice.backend;
      throw new Error(`unknown screen source: ${String(never)}`);
    }
  }
}
