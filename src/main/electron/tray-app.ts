import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Settings } from '../../shared/settings-schema.js';
import { VncService, type DesktopOverride } from '../app/vnc-service.js';
import type { InputSink } from '../desktop/input.js';
import { configureLogging, getLogger } from '../base/logger.js';
import { isPage, type AppPaths } from './app-paths.js';
import { desktopCapture } from './capture/desktop-capture.js';
import type { ElectronSeam } from './electron-seam.js';
import { ControlWindow } from './window/control-window.js';
import { bindControlIpc, ownWindowsOnly } from './window/control-ipc.js';
import { launchedHidden, loginItemFor } from './tray/login-item.js';
import { permissionPolicy } from './permissions.js';
import { createService, type ServiceLike } from './service/service-factory.js';
import { SettingsStore } from './service/settings-store.js';
import { TrayShell } from './tray/tray-shell.js';
import { trayIconPath } from './tray/tray-icons.js';

/**
 * The tray app put together: one instance per user, settings from the
 * user-data folder, the tray shell, the window and its IPC, the desktop
 * backend. Everything Electron comes in through the seam, so this runs in
 * tests with fakes; main.ts only builds the real seam and calls it.
 */
export interface TrayAppOptions {
  seam: ElectronSeam;
  paths: AppPaths;
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  home: string;
  execPath: string;
  /** The compiled entry (dist/main/electron/main.js), for a login item outside a package. */
  entry: string;
  interfaces?: () => ReturnType<typeof os.networkInterfaces>;
  randomBytes?: (n: number) => Uint8Array;
  /** Build a service (default VncService.create). */
  createVnc?: (settings: Settings, desktop?: DesktopOverride) => Promise<ServiceLike>;
  /** The input backend where X11 is not used (default nut-js). */
  createInput?: () => InputSink;
  /** How long the capture page may take to deliver its first frame (default 15 s). */
  firstFrameTimeoutMs?: number;
  /** Leave logging as it is (tests). */
  keepLogging?: boolean;
}

export interface TrayApp {
  shell: TrayShell;
  window: ControlWindow;
  store: SettingsStore;
}

/**
 * Start the app. Resolves to null when another instance is running (that
 * one is asked to show its window, and this one quits).
 */
export async function runTrayApp(opts: TrayAppOptions): Promise<TrayApp | null> {
  const { seam, paths } = opts;
  const { app } = seam;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  // Set once ready; events before that have nothing to act on yet.
  let ready: TrayApp | null = null;
  app.on('second-instance', () => ready?.window.show());
  // The app lives in the tray: closing (or never opening) windows does not end it.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    if (ready) ready.shell.onBeforeQuit(event);
  });

  await app.whenReady();
  seam.setPermissionPolicy(permissionPolicy(paths));

  const store = new SettingsStore(app.getPath('userData'), seam.safeStorage);
  const loaded = store.load();
  if (!opts.keepLogging) configureLogging({ level: store.settings.log_level, ...(store.settings.log_format ? { format: store.settings.log_format } : {}) });
  const log: Logger = getLogger('tray');
  for (const [field, problems] of Object.entries(loaded.problems)) log.warn({ field, problems, file: store.path }, 'settings problem');
  if (!loaded.passwordProtected) log.warn('the password is stored without encryption: this system offers no keychain to Electron');

  let shell: TrayShell | null = null;
  const window = new ControlWindow(seam, paths, () => shell?.isQuitting ?? false, log);
  const report = (title: string, body: string) => seam.notify({ title, body });
  const createVnc = opts.createVnc ?? ((settings: Settings, desktop?: DesktopOverride) => VncService.create(settings, desktop));

  shell = new TrayShell({
    seam,
    store,
    createService: (settings) =>
      createService(settings, {
        platform: seam.platform,
        env: opts.env,
        create: createVnc,
        desktopCapture: (s) =>
          desktopCapture(s, {
            seam,
            files: paths,
            report,
            log,
            ...(opts.createInput ? { createInput: opts.createInput } : {}),
            ...(opts.firstFrameTimeoutMs !== undefined ? { firstFrameTimeoutMs: opts.firstFrameTimeoutMs } : {}),
          }),
        log,
      }),
    trayIcon: (state) => trayIconPath(paths.trayIcons, state, seam.platform),
    loginItem: loginItemFor({ platform: seam.platform, app, env: opts.env, home: opts.home, execPath: opts.execPath, entry: opts.entry }),
    openWindow: () => window.show(),
    interfaces: opts.interfaces ?? os.networkInterfaces,
    randomBytes: opts.randomBytes ?? ((n) => cryptoRandomBytes(n)),
    log,
  });

  bindControlIpc(seam.ipcMain, shell.control, {
    isTrustedSender: ownWindowsOnly(
      () => window.windows(),
      (url) => isPage(url, paths.rendererIndex),
    ),
  });

  ready = { shell, window, store };
  await shell.init({ share: true });
  if (!launchedHidden(opts.argv, seam.platform, app)) window.show();
  return ready;
}
