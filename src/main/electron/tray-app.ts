import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Settings } from '../../shared/settings-schema.js';
import { VncService, type DesktopOverride } from '../app/vnc-service.js';
import { configureLogging, getLogger } from '../base/logger.js';
import type { BackendChoice } from '../desktop/backend-choice.js';
import type { InputSink } from '../desktop/input.js';
import { isPage, type AppPaths } from './app-paths.js';
import { desktopCapture } from './capture/desktop-capture.js';
import type { AppLike, ElectronSeam } from './electron-seam.js';
import { permissionPolicy } from './permissions.js';
import { createService, type ServiceLike } from './service/service-factory.js';
import { SettingsStore } from './service/settings-store.js';
import { launchedHidden, loginItemFor } from './tray/login-item.js';
import { trayIconPath } from './tray/tray-icons.js';
import { TrayShell } from './tray/tray-shell.js';
import { bindControlIpc, ownWindowsOnly } from './window/control-ipc.js';
import { ControlWindow } from './window/control-window.js';

/**
 * The tray app put together: one instance per user, settings from the
 * user-data folder, the tray shell, the window and its IPC, the desktop
 * backend. Everything Electron comes in through the seam, so this runs in
 * tests with fakes; main.ts only builds the real seam and calls it.
 *
 * Start-up reads as a list: `runTrayApp` claims the single instance and
 * hooks the app's events, and once Electron is ready `onReady` calls one
 * small `setupX()` per part, in the order they depend on each other.
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
  createVnc?: (settings: Settings, desktop?: DesktopOverride, backend?: BackendChoice) => Promise<ServiceLike>;
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
  const { app } = opts.seam;
  if (!setupSingleInstance(app)) return null;
  const appEvents = setupAppEvents(app);
  await app.whenReady();
  return onReady(opts, appEvents);
}

/** Electron is ready: each part of the app, in order. */
async function onReady(opts: TrayAppOptions, appEvents: AppEvents): Promise<TrayApp> {
  setupPermissions(opts);
  const store = setupSettings(opts);
  const log = getLogger('tray');
  // The window asks the shell whether the app is quitting, and the shell opens the window: each is made before the other is asked.
  const window = setupControlWindow(opts, () => shell.isQuitting, log);
  const shell = setupTrayShell(opts, store, () => window.show(), log);
  setupControlIpc(opts, shell, window);
  const app: TrayApp = { shell, window, store };
  // From here a quit waits for sharing to stop, and a second instance brings the window forward, even while sharing starts.
  appEvents.attach(app);
  await setupSharing(shell);
  setupFirstWindow(opts, window);
  return app;
}

/** One instance per user: a second one quits (the first is told, through 'second-instance'). */
function setupSingleInstance(app: AppLike): boolean {
  if (app.requestSingleInstanceLock()) return true;
  app.quit();
  return false;
}

/** The app-wide events; they act on the app once it is attached, and do nothing before. */
interface AppEvents {
  attach(ready: TrayApp): void;
}

/** Hooked before Electron is ready, so no event is missed. */
function setupAppEvents(app: AppLike): AppEvents {
  let ready: TrayApp | null = null;
  app.on('second-instance', () => ready?.window.show());
  // The app lives in the tray: closing (or never opening) windows does not end it.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => ready?.shell.onBeforeQuit(event));
  return { attach: (r) => void (ready = r) };
}

/** What our pages may ask the browser for (permissions.ts). */
function setupPermissions({ seam, paths }: TrayAppOptions): void {
  seam.setPermissionPolicy(permissionPolicy(paths));
}

/** Load the settings, configure logging from them, and report what was wrong with the file. */
function setupSettings(opts: TrayAppOptions): SettingsStore {
  const store = new SettingsStore(opts.seam.app.getPath('userData'), opts.seam.safeStorage);
  const loaded = store.load();
  if (!opts.keepLogging) configureLogging({ level: store.settings.log_level, ...(store.settings.log_format ? { format: store.settings.log_format } : {}) });
  const log = getLogger('tray');
  for (const [field, problems] of Object.entries(loaded.problems)) log.warn({ field, problems, file: store.path }, 'settings problem');
  if (!loaded.passwordProtected) log.warn('the password is stored without encryption: this system offers no keychain to Electron');
  return store;
}

/** The TrayVNC window, made when first opened; closing it hides it unless the app is quitting. */
function setupControlWindow({ seam, paths }: TrayAppOptions, quitting: () => boolean, log: Logger): ControlWindow {
  return new ControlWindow(seam, paths, quitting, log);
}

/** The tray icon and its menu, and the services it starts and stops on the backend the platform calls for. */
function setupTrayShell(opts: TrayAppOptions, store: SettingsStore, openWindow: () => void, log: Logger): TrayShell {
  const { seam, paths } = opts;
  return new TrayShell({
    seam,
    store,
    createService: (settings) => createService(settings, serviceFactoryDeps(opts, log)),
    trayIcon: (state) => trayIconPath(paths.trayIcons, state, seam.platform),
    loginItem: loginItemFor({ platform: seam.platform, app: seam.app, env: opts.env, home: opts.home, execPath: opts.execPath, entry: opts.entry }),
    openWindow,
    interfaces: opts.interfaces ?? os.networkInterfaces,
    randomBytes: opts.randomBytes ?? ((n) => cryptoRandomBytes(n)),
    log,
  });
}

/** How the shell builds a service: VncService, with Electron's screen capture where X11 is not used. */
function serviceFactoryDeps(opts: TrayAppOptions, log: Logger): Parameters<typeof createService>[1] {
  const { seam, paths } = opts;
  return {
    platform: seam.platform,
    env: opts.env,
    create: opts.createVnc ?? ((settings: Settings, desktop?: DesktopOverride, backend?: BackendChoice) => VncService.create(settings, desktop, backend)),
    desktopCapture: (settings) =>
      desktopCapture(settings, {
        seam,
        files: paths,
        report: (title, body) => seam.notify({ title, body }),
        log,
        ...(opts.createInput ? { createInput: opts.createInput } : {}),
        ...(opts.firstFrameTimeoutMs !== undefined ? { firstFrameTimeoutMs: opts.firstFrameTimeoutMs } : {}),
      }),
    log,
  };
}

/** The control API over IPC, answering our own window's page and nothing else. */
function setupControlIpc({ seam, paths }: TrayAppOptions, shell: TrayShell, window: ControlWindow): void {
  bindControlIpc(seam.ipcMain, shell.control, {
    isTrustedSender: ownWindowsOnly(
      () => window.windows(),
      (url) => isPage(url, paths.rendererIndex),
    ),
  });
}

/** Put the icon in the tray and start sharing. */
async function setupSharing(shell: TrayShell): Promise<void> {
  await shell.init({ share: true });
}

/** Open the window, unless this launch came from the login item (then the app starts in the tray). */
function setupFirstWindow({ seam, argv }: TrayAppOptions, window: ControlWindow): void {
  if (!launchedHidden(argv, seam.platform, seam.app)) window.show();
}
