import type { Settings } from '../../../shared/settings-schema.js';

/**
 * Where the tray app's pixels and input come from:
 *
 * - 'settings': the settings name a source (`source`, or an X `display`), and
 *   the service builds it as the command line would.
 * - 'x11': an X11 session: the pure-JS X11 backend (capture with DAMAGE and
 *   MIT-SHM, XTEST input, selections, cursor), the fastest path by far.
 * - 'desktop-capturer': everywhere else (macOS, Windows, Wayland): frames
 *   from Electron's desktopCapturer through a hidden page, input through
 *   nut-js when it is installed (otherwise viewers can only watch).
 *
 * Under Wayland, $DISPLAY usually names XWayland, which shows only the X
 * clients' windows, not the desktop: a Wayland session never counts as X11.
 */
export type BackendKind = 'settings' | 'x11' | 'desktop-capturer';

export interface BackendChoice {
  kind: BackendKind;
  /** Why, in a few words (logged at start). */
  reason: string;
}

export function isWaylandSession(env: NodeJS.ProcessEnv): boolean {
  return env['XDG_SESSION_TYPE'] === 'wayland' || !!env['WAYLAND_DISPLAY'];
}

export function chooseBackend(settings: Pick<Settings, 'source' | 'display'>, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): BackendChoice {
  if (settings.source !== undefined) return { kind: 'settings', reason: `the settings choose the ${settings.source} source` };
  if (settings.display !== undefined) return { kind: 'settings', reason: `the settings choose X display ${settings.display}` };
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd' || platform === 'netbsd') {
    if (isWaylandSession(env)) return { kind: 'desktop-capturer', reason: 'Wayland session' };
    if (env['DISPLAY']) return { kind: 'x11', reason: `X11 session on ${env['DISPLAY']}` };
    return { kind: 'desktop-capturer', reason: 'no X display' };
  }
  return { kind: 'desktop-capturer', reason: `${platform} desktop` };
}
