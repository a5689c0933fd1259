import { join } from 'node:path';
import type { TrayState } from './tray-menu.js';

/**
 * Which image the tray icon shows for each state. The files live in
 * assets/tray/ (packaged as resources/tray/, outside the archive, so the OS
 * tray can read them): a monitor, grey when not sharing, with a green dot
 * while sharing, an orange one while someone is viewing and a red one while
 * recording. Each has an @2x
 * twin that Electron picks on high-density screens. On macOS the menu bar
 * wants template images (black shapes it tints for light and dark menu bars),
 * so the states differ by shape there: an empty screen, a dot, a filled
 * screen with a dot, and a record dot inside the screen.
 */

export const TRAY_STATES: readonly TrayState[] = ['stopped', 'sharing', 'viewed', 'recording'];

/** The file name of a state's icon on a platform (its @2x twin sits beside it). */
export function trayIconFile(state: TrayState, platform: NodeJS.Platform): string {
  // Electron treats a name ending in "Template" as a template image.
  return platform === 'darwin' ? `${state}Template.png` : `${state}.png`;
}

export function trayIconPath(dir: string, state: TrayState, platform: NodeJS.Platform): string {
  return join(dir, trayIconFile(state, platform));
}
