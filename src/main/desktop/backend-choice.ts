import type { Settings } from '../../shared/settings-schema.js';

/**
 * Where the shared pixels (and the input, clipboard and cursor that go with
 * them) come from. The one place that decides it: the command line's service
 * (VncService.create), the tray app (service-factory.ts) and the library's
 * createScreenSource all ask here.
 *
 * - 'x11': an X display: the pure-JS X11 backend (capture with DAMAGE and
 *   MIT-SHM, XTEST input, selections, cursor), the fastest path by far.
 * - 'synthetic': the built-in animated test pattern, no input.
 * - 'system-capture': the system's own screen capture (Electron's
 *   desktopCapturer, with nut-js input): macOS, Windows, Wayland. Only the
 *   tray app has it.
 *
 * Settings that name a source or a display are followed as they are (a
 * source before a display: 'system-capture' with a display set still means
 * the system capture). Without
 * them the session decides: an X display ($DISPLAY) is used where it shows
 * the desktop. Under Wayland, $DISPLAY usually names XWayland, which shows
 * only the X clients' windows, so the tray app never counts a Wayland session
 * as X11. The command line has no system capture: it keeps to $DISPLAY
 * wherever it is set (as it always has), and with none it shares the test
 * pattern, with a warning that says so and how to choose.
 */
export type DesktopBackend = 'x11' | 'synthetic' | 'system-capture';

export interface BackendChoice {
  backend: DesktopBackend;
  /**
   * The X display, for 'x11'. Missing only when the settings ask for the x11
   * source and no display is known: building it then fails, saying so.
   */
  display?: string;
  /** Why, in a few words (logged at start, and in the control API's state). */
  reason: string;
  /** The settings named it: it is never second-guessed (no fallback when it fails). */
  explicit: boolean;
  /** What the user must hear about this choice at start, when anything. */
  warning?: string;
}

export interface BackendChoiceInput {
  settings: Pick<Settings, 'source' | 'display'>;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Whether the caller can capture the screen through the system (the tray app can; the command line cannot). */
  systemCapture: boolean;
}

/** The warning when the command line found no display and shares the test pattern. */
export const NO_DISPLAY_WARNING =
  'no X display found (no --display, and $DISPLAY is not set): sharing the synthetic test pattern. ' +
  'Use --display :N to share an X display, or --source synthetic to share the test pattern on purpose.';

/** Platforms whose desktop may be an X11 session. */
const X11_PLATFORMS: ReadonlySet<NodeJS.Platform> = new Set(['linux', 'freebsd', 'openbsd', 'netbsd']);

export function isWaylandSession(env: NodeJS.ProcessEnv): boolean {
  return env['XDG_SESSION_TYPE'] === 'wayland' || !!env['WAYLAND_DISPLAY'];
}

/** $DISPLAY when set to something (an empty one counts as none). */
function displayFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  return env['DISPLAY'] || undefined;
}

export function chooseDesktopBackend({ settings, platform, env, systemCapture }: BackendChoiceInput): BackendChoice {
  if (settings.source === 'synthetic') return { backend: 'synthetic', reason: 'the settings choose the synthetic source', explicit: true };
  // Named by the settings, it is tried as named: the command line then refuses it, saying why (screenSourceFor).
  if (settings.source === 'system-capture') return { backend: 'system-capture', reason: "the settings choose the system's screen capture", explicit: true };
  if (settings.display !== undefined) {
    return { backend: 'x11', display: settings.display, reason: `the settings choose X display ${settings.display}`, explicit: true };
  }
  const display = displayFromEnv(env);
  if (settings.source === 'x11') {
    return display
      ? { backend: 'x11', display, reason: `the settings choose the x11 source, on $DISPLAY ${display}`, explicit: true }
      : { backend: 'x11', reason: 'the settings choose the x11 source, but no display is given', explicit: true };
  }
  if (systemCapture) {
    const system = (reason: string): BackendChoice => ({ backend: 'system-capture', reason, explicit: false });
    if (!X11_PLATFORMS.has(platform)) return system(`${platform} desktop`);
    if (isWaylandSession(env)) return system('Wayland session');
    if (display) return { backend: 'x11', display, reason: `X11 session on ${display}`, explicit: false };
    return system('no X display');
  }
  if (display) return { backend: 'x11', display, reason: `X display ${display} from $DISPLAY`, explicit: false };
  const reason = X11_PLATFORMS.has(platform) ? 'no X display' : `no X display, and the ${platform} desktop can be shared only from the tray app`;
  return { backend: 'synthetic', reason, explicit: false, warning: NO_DISPLAY_WARNING };
}
