import type {
  App,
  BrowserWindow,
  BrowserWindowConstructorOptions,
  Clipboard,
  DesktopCapturerSource,
  Display,
  MenuItemConstructorOptions,
  MessageBoxOptions,
  Screen,
  SourcesOptions,
  WebContents,
} from 'electron';
import type { IpcMainLike } from './window/control-ipc.js';
import type { SafeStorageLike } from './service/settings-store.js';

/**
 * Everything the tray app takes from Electron, in one place. main.ts builds
 * it from the real modules; tests hand in fakes. Each part is the narrow
 * slice actually used, and the checks at the bottom make sure Electron's own
 * objects still fit (a compile error there means Electron's API moved).
 */

/** An event whose default can be prevented (window close, app quit, navigation). */
export interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of a WebContents used by the shell. */
export interface WebContentsLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string }) => void): unknown;
}

/** The parts of a BrowserWindow used by the shell. */
export interface WindowLike {
  readonly webContents: WebContentsLike;
  loadFile(filePath: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  destroy(): void;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

/** The tray icon. Unlike Electron's Tray, it takes a menu template (main.ts builds the Menu). */
export interface TrayLike {
  setImage(iconPath: string): void;
  setToolTip(text: string): void;
  setContextMenu(template: MenuItemConstructorOptions[]): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

/** What `app.setLoginItemSettings` is given here (macOS and Windows). */
export interface LoginItemSettingsLike {
  openAtLogin: boolean;
  /** Windows: arguments for the login launch; also needed to read the setting back. */
  args?: string[];
}

/** The parts of `app` used by the shell. */
export interface AppLike {
  readonly isPackaged: boolean;
  getPath(name: 'userData'): string;
  whenReady(): Promise<void>;
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  quit(): void;
  exit(exitCode?: number): void;
  setLoginItemSettings(settings: LoginItemSettingsLike): void;
  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin?: boolean };
}

/** One display, as `screen` describes it (bounds in device-independent pixels). */
export interface DisplayLike {
  readonly id: number;
  readonly bounds: { x: number; y: number; width: number; height: number };
  readonly scaleFactor: number;
}

/** A capturable screen, as `desktopCapturer.getSources` lists it. */
export interface CaptureSourceInfo {
  readonly id: string;
  readonly name: string;
  /** The matching Display's id as a string; empty where the platform cannot tell. */
  readonly display_id: string;
}

export interface NoticeOptions {
  title: string;
  body: string;
}

export interface ElectronSeam {
  readonly platform: NodeJS.Platform;
  readonly app: AppLike;
  readonly ipcMain: IpcMainLike;
  readonly safeStorage: SafeStorageLike;
  /** Electron's clipboard is asynchronous (modelled on navigator.clipboard). */
  readonly clipboard: { writeText(text: string): Promise<void>; readText(): Promise<string> };
  createTray(iconPath: string): TrayLike;
  createWindow(options: BrowserWindowConstructorOptions): WindowLike;
  /** A desktop notification; does nothing where the platform has none. */
  notify(notice: NoticeOptions): void;
  showMessageBox(options: MessageBoxOptions): Promise<{ response: number }>;
  getScreenSources(options: SourcesOptions): Promise<CaptureSourceInfo[]>;
  readonly screen: { getPrimaryDisplay(): DisplayLike; getAllDisplays(): DisplayLike[] };
  /**
   * Install the permission policy of the default session: `allow` decides
   * each request and check by permission name and the requesting page's URL.
   */
  setPermissionPolicy(allow: (permission: string, url: string) => boolean): void;
}

// Electron's own objects must fit these shapes (a compile error here means Electron's API moved).
const appFits = (a: App): AppLike => a;
const windowFits = (w: BrowserWindow): WindowLike => w;
const webContentsFits = (w: WebContents): WebContentsLike => w;
const clipboardFits = (c: Clipboard): ElectronSeam['clipboard'] => c;
const screenFits = (s: Screen): ElectronSeam['screen'] => s;
const displayFits = (d: Display): DisplayLike => d;
const sourceFits = (s: DesktopCapturerSource): CaptureSourceInfo => s;
void appFits;
void windowFits;
void webContentsFits;
void clipboardFits;
void screenFits;
void displayFits;
void sourceFits;
