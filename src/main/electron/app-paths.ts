import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where the tray app finds its files, in a source checkout after
 * `npm run build` and in a packaged app alike:
 *
 *   dist/main/electron/main.js         the entry (this file's neighbours)
 *   dist/electron/preload.cjs          preload of the control window
 *                                      (bundled from preload/control-preload.ts)
 *   dist/electron/capture-preload.cjs  preload of the hidden capture page
 *                                      (bundled from preload/capture-preload.ts)
 *   dist/renderer/index.html           the control window's page
 *   dist/renderer/capture/index.html   the capture page
 *   assets/tray/                       tray icons; packaged: <resources>/tray/
 *
 * Tray icons are packaged outside the app archive because some trays (Linux
 * AppIndicator) are handed a file path, which must be a real file.
 */
export interface AppPaths {
  readonly root: string;
  readonly preload: string;
  readonly capturePreload: string;
  readonly rendererIndex: string;
  readonly captureIndex: string;
  readonly trayIcons: string;
}

export interface AppPathsOptions {
  /** The package root (holding dist/ and assets/). */
  root: string;
  isPackaged: boolean;
  /** process.resourcesPath in a packaged app. */
  resourcesPath?: string;
}

export function appPaths(opts: AppPathsOptions): AppPaths {
  const root = resolve(opts.root);
  const trayIcons = opts.isPackaged && opts.resourcesPath ? join(opts.resourcesPath, 'tray') : join(root, 'assets', 'tray');
  return {
    root,
    preload: join(root, 'dist', 'electron', 'preload.cjs'),
    capturePreload: join(root, 'dist', 'electron', 'capture-preload.cjs'),
    rendererIndex: join(root, 'dist', 'renderer', 'index.html'),
    captureIndex: join(root, 'dist', 'renderer', 'capture', 'index.html'),
    trayIcons,
  };
}

/** The package root seen from the compiled entry's URL (dist/main/electron/main.js). */
export function packageRootFrom(entryUrl: string): string {
  return resolve(fileURLToPath(new URL('.', entryUrl)), '..', '..', '..');
}

/** Whether a URL is exactly this file (query and fragment ignored). */
export function isPage(url: string, file: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === 'file:' && `${u.protocol}//${u.host}${u.pathname}` === pathToFileURL(file).href;
}
