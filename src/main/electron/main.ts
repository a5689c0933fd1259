import { app, BrowserWindow, clipboard, desktopCapturer, dialog, ipcMain, Menu, Notification, safeStorage, screen, session, Tray } from 'electron';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appPaths, packageRootFrom } from './app-paths.js';
import type { ElectronSeam, TrayLike } from './electron-seam.js';
import { runTrayApp } from './tray-app.js';

/**
 * The tray app's entry (electron-builder's `main`): the real Electron
 * objects, handed to runTrayApp. Nothing else happens here.
 */

/** Must match electron-builder.yml's appId, or Windows shows no notifications. */
const APP_ID = 'org.trayvnc.app';

function createTray(iconPath: string): TrayLike {
  const tray = new Tray(iconPath);
  return {
    setImage: (p) => tray.setImage(p),
    setToolTip: (t) => tray.setToolTip(t),
    setContextMenu: (template) => tray.setContextMenu(Menu.buildFromTemplate(template)),
    on: (event, listener) => tray.on(event, listener),
    destroy: () => tray.destroy(),
  };
}

const seam: ElectronSeam = {
  platform: process.platform,
  app,
  ipcMain,
  safeStorage,
  clipboard,
  screen,
  createTray,
  createWindow: (options) => new BrowserWindow(options),
  notify: (notice) => {
    if (Notification.isSupported()) new Notification(notice).show();
  },
  showMessageBox: (options) => dialog.showMessageBox(options),
  getScreenSources: (options) => desktopCapturer.getSources(options),
  setPermissionPolicy: (allow) => {
    session.defaultSession.setPermissionRequestHandler((_wc, permission, callback, details) => callback(allow(permission, details.requestingUrl)));
    session.defaultSession.setPermissionCheckHandler((_wc, permission, _origin, details) => allow(permission, details.requestingUrl ?? ''));
  },
};

if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
// The same settings folder (and single-instance lock) whether run from a checkout or installed.
app.setPath('userData', join(app.getPath('appData'), 'TrayVNC'));

const entry = fileURLToPath(import.meta.url);
runTrayApp({
  seam,
  paths: appPaths({ root: packageRootFrom(import.meta.url), isPackaged: app.isPackaged, resourcesPath: process.resourcesPath }),
  argv: process.argv,
  env: process.env,
  home: os.homedir(),
  execPath: process.execPath,
  entry,
}).catch((e: unknown) => {
  dialog.showErrorBox('TrayVNC could not start', e instanceof Error ? (e.stack ?? e.message) : String(e));
  app.exit(1);
});
