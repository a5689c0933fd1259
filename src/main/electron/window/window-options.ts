import type { BrowserWindowConstructorOptions } from 'electron';
import type { WindowLike } from '../electron-seam.js';

/**
 * How our windows are made. Every page runs isolated from Node and Electron:
 * context isolation, a sandboxed renderer, no Node integration; its only way
 * out is the preload's bridge. Windows never navigate away from their page
 * or open others.
 */

const SECURE = { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true } as const;

/** The control window (settings, clients, metrics). Hidden until ready, so it never flashes blank. */
export function controlWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 960,
    height: 720,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'TrayVNC',
    autoHideMenuBar: true,
    webPreferences: { ...SECURE, preload },
  };
}

/**
 * The hidden capture page. Not throttled in the background (it is never
 * visible, and a throttled page delivers frames late or not at all).
 */
export function captureWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 320,
    height: 240,
    show: false,
    skipTaskbar: true,
    paintWhenInitiallyHidden: false,
    title: 'TrayVNC screen capture',
    webPreferences: { ...SECURE, preload, backgroundThrottling: false },
  };
}

/** Keep a window on its page: no navigation, no new windows. */
export function lockNavigation(win: WindowLike): void {
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event) => event.preventDefault());
}
