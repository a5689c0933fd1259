import type { CaptureSourceInfo, DisplayLike } from '../electron-seam.js';

/**
 * Which screen the desktopCapturer backend shares: the display named by the
 * `monitor` setting (an index into Electron's display list), else the
 * primary one, matched to its capture source by display id. Where sources
 * carry no display id (Wayland, where the desktop portal has the user pick
 * one) the single source offered is taken as it is.
 */
export interface CaptureTarget {
  sourceId: string;
  display: DisplayLike;
  /** The display's size in device pixels. */
  width: number;
  height: number;
  /** Something the user should know (a monitor setting that could not be followed). */
  warning?: string;
}

export function devicePixels(d: DisplayLike): { width: number; height: number } {
  return { width: Math.round(d.bounds.width * d.scaleFactor), height: Math.round(d.bounds.height * d.scaleFactor) };
}

export function pickCaptureTarget(
  sources: readonly CaptureSourceInfo[],
  displays: readonly DisplayLike[],
  primary: DisplayLike,
  monitor?: string,
): CaptureTarget {
  if (sources.length === 0) throw new Error('no screen to capture (on macOS, allow TrayVNC under Privacy & Security → Screen Recording)');
  let display = primary;
  let warning: string | undefined;
  if (monitor !== undefined) {
    const chosen = /^\d+$/.test(monitor) ? displays[Number(monitor)] : undefined;
    if (chosen) display = chosen;
    else warning = `monitor "${monitor}" is not one of the ${displays.length} displays (0–${displays.length - 1}); sharing the primary display`;
  }
  const forDisplay = (d: DisplayLike) => sources.find((s) => s.display_id !== '' && s.display_id === String(d.id));
  let source = forDisplay(display);
  if (!source && sources.every((s) => s.display_id === '')) {
    // The platform cannot tell which source is which display (Wayland's portal offers the one the user picked).
    source = sources[0];
  } else if (!source) {
    if (display !== primary) warning ??= `display ${monitor} has no capture source; sharing the primary display`;
    display = primary;
    source = forDisplay(primary) ?? sources[0];
  }
  if (!source) throw new Error('no screen to capture');
  return { sourceId: source.id, display, ...devicePixels(display), ...(warning ? { warning } : {}) };
}
