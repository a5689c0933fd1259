import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions, MessageBoxOptions, SourcesOptions } from 'electron';
import type {
  AppLike,
  CaptureSourceInfo,
  DisplayLike,
  ElectronSeam,
  LoginItemSettingsLike,
  NoticeOptions,
  PreventableEvent,
  TrayLike,
  WebContentsLike,
  WindowLike,
} from '../../../src/main/electron/electron-seam.js';
import type { InvokeEventLike, IpcMainLike } from '../../../src/main/electron/window/control-ipc.js';
import type { SafeStorageLike } from '../../../src/main/electron/service/settings-store.js';

/**
 * Stand-ins for the Electron objects behind the seam (electron-seam.ts),
 * recording what the app does with them and letting a test act as the user
 * (click a menu item, close a window) or as a page (invoke over IPC).
 */

type Listener = (...args: never[]) => unknown;

class Emitter {
  private readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }

  count(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

export function preventable(): PreventableEvent & { prevented: boolean } {
  const e = {
    prevented: false,
    preventDefault() {
      e.prevented = true;
    },
  };
  return e;
}

let nextId = 100;

export class FakeWebContents extends Emitter implements WebContentsLike {
  readonly id = nextId++;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  destroyed = false;
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  /** The URL of the page loaded (file://). */
  url = '';

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args: structuredClone(args) });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }

  override on(event: 'will-navigate' | 'render-process-gone' | 'destroyed', listener: Listener): this {
    return super.on(event, listener);
  }

  once(_event: 'destroyed', listener: () => void): this {
    return super.on('destroyed', listener);
  }

  /** An invoke event as this page's main frame would send it. */
  event(frameUrl = this.url): InvokeEventLike {
    return { sender: this, senderFrame: { url: frameUrl, parent: null } };
  }
}

export class FakeWindow extends Emitter implements WindowLike {
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  destroyed = false;
  focused = 0;
  loaded: string | null = null;

  constructor(
    readonly options: BrowserWindowConstructorOptions,
    private readonly onLoad: (win: FakeWindow, file: string) => Promise<void>,
  ) {
    super();
  }

  async loadFile(filePath: string): Promise<void> {
    this.loaded = filePath;
    this.webContents.url = new URL(`file://${filePath}`).href;
    await this.onLoad(this, filePath);
  }

  show(): void {
    this.visible = true;
  }

  hide(): void {
    this.visible = false;
  }

  focus(): void {
    this.focused++;
  }

  restore(): void {
    this.minimized = false;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.webContents.emit('destroyed');
    this.emit('closed');
  }

  override on(event: 'close' | 'closed', listener: Listener): this {
    return super.on(event, listener);
  }

  /** The user clicks the window's close button. Returns whether the close was prevented. */
  userClose(): boolean {
    const e = preventable();
    this.emit('close', e);
    if (!e.prevented) this.destroy();
    return e.prevented;
  }
}

export class FakeTray implements TrayLike {
  image: string;
  tooltip = '';
  template: MenuItemConstructorOptions[] = [];
  destroyed = false;
  readonly images: string[] = [];
  private readonly clicks: Array<() => void> = [];

  constructor(icon: string) {
    this.image = icon;
    this.images.push(icon);
  }

  setImage(iconPath: string): void {
    this.image = iconPath;
    this.images.push(iconPath);
  }

  setToolTip(text: string): void {
    this.tooltip = text;
  }

  setContextMenu(template: MenuItemConstructorOptions[]): void {
    this.template = template;
  }

  on(_event: 'click', listener: () => void): this {
    this.clicks.push(listener);
    return this;
  }

  destroy(): void {
    this.destroyed = true;
  }

  /** The menu's labels, disabled ones in parentheses, separators as '---'. */
  labels(): string[] {
    return this.template.map((i) => (i.type === 'separator' ? '---' : i.enabled === false ? `(${i.label ?? ''})` : (i.label ?? '')));
  }

  item(label: string): MenuItemConstructorOptions {
    const found = this.template.find((i) => i.label === label);
    if (!found) throw new Error(`no menu item "${label}" in ${JSON.stringify(this.labels())}`);
    return found;
  }

  /** Click a menu item by its label. */
  clickItem(label: string): void {
    const click = this.item(label).click as (() => void) | undefined;
    if (!click) throw new Error(`menu item "${label}" does nothing`);
    click();
  }

  /** Click the icon itself. */
  clickIcon(): void {
    for (const c of this.clicks) c();
  }
}

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();

  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  /** What ipcRenderer.invoke does: arguments and the result cross by structured clone. */
  async invoke(event: InvokeEventLike, channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return structuredClone(await h(event, ...structuredClone(args)));
  }
}

export class FakeApp extends Emitter implements AppLike {
  isPackaged = false;
  lock = true;
  quits = 0;
  /** Set once a quit went through (nobody prevented before-quit). */
  quitted = false;
  exitCode: number | null = null;
  loginItem: LoginItemSettingsLike = { openAtLogin: false };
  wasOpenedAtLogin = false;

  constructor(private readonly userData: string) {
    super();
  }

  getPath(_name: 'userData'): string {
    return this.userData;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  requestSingleInstanceLock(): boolean {
    return this.lock;
  }

  override on(event: 'second-instance' | 'before-quit' | 'window-all-closed', listener: Listener): this {
    return super.on(event, listener);
  }

  quit(): void {
    this.quits++;
    const e = preventable();
    this.emit('before-quit', e);
    if (!e.prevented) this.quitted = true;
  }

  exit(exitCode = 0): void {
    this.exitCode = exitCode;
  }

  setLoginItemSettings(settings: LoginItemSettingsLike): void {
    this.loginItem = { ...settings };
  }

  getLoginItemSettings(options?: { args?: string[] }): { openAtLogin: boolean; wasOpenedAtLogin: boolean } {
    // Windows reports a login item only for the arguments it was set with.
    const same = JSON.stringify(options?.args ?? []) === JSON.stringify(this.loginItem.args ?? []);
    return { openAtLogin: this.loginItem.openAtLogin && same, wasOpenedAtLogin: this.wasOpenedAtLogin };
  }
}

/** safeStorage stand-in: reversible, and never the plain text. */
export function fakeSafeStorage(available = true): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (s) => Buffer.from(`enc:${Buffer.from(s).toString('hex')}`),
    decryptString: (b) => {
      const t = b.toString();
      if (!t.startsWith('enc:')) throw new Error('not ours');
      return Buffer.from(t.slice(4), 'hex').toString();
    },
  };
}

export const PRIMARY: DisplayLike = { id: 1, bounds: { x: 0, y: 0, width: 1280, height: 720 }, scaleFactor: 1 };

export interface FakeSeamOptions {
  userData: string;
  platform?: NodeJS.Platform;
  displays?: DisplayLike[];
  sources?: CaptureSourceInfo[];
  /** What a page does once loaded (the capture page fake streams frames from here). */
  onLoad?: (win: FakeWindow, file: string) => Promise<void>;
  /** Which button the message box "user" presses. */
  messageBoxResponse?: number;
}

export interface FakeSeam extends ElectronSeam {
  readonly app: FakeApp;
  readonly ipcMain: FakeIpcMain;
  readonly trays: FakeTray[];
  readonly windows: FakeWindow[];
  readonly notices: NoticeOptions[];
  readonly messageBoxes: MessageBoxOptions[];
  readonly sourceRequests: SourcesOptions[];
  readonly clipboardWrites: string[];
  clipboardText: string;
  permissionPolicy: ((permission: string, url: string) => boolean) | null;
}

export function fakeSeam(opts: FakeSeamOptions): FakeSeam {
  const displays = opts.displays ?? [PRIMARY];
  const seam: FakeSeam = {
    platform: opts.platform ?? 'linux',
    app: new FakeApp(opts.userData),
    ipcMain: new FakeIpcMain(),
    safeStorage: fakeSafeStorage(),
    trays: [],
    windows: [],
    notices: [],
    messageBoxes: [],
    sourceRequests: [],
    clipboardWrites: [],
    clipboardText: '',
    permissionPolicy: null,
    clipboard: {
      writeText: async (text) => {
        seam.clipboardText = text;
        seam.clipboardWrites.push(text);
      },
      readText: async () => seam.clipboardText,
    },
    screen: { getPrimaryDisplay: () => displays[0] ?? PRIMARY, getAllDisplays: () => displays },
    createTray: (icon) => {
      const t = new FakeTray(icon);
      seam.trays.push(t);
      return t;
    },
    createWindow: (options) => {
      const w = new FakeWindow(options, opts.onLoad ?? (async () => undefined));
      seam.windows.push(w);
      return w;
    },
    notify: (notice) => {
      seam.notices.push(notice);
    },
    showMessageBox: async (options) => {
      seam.messageBoxes.push(options);
      return { response: opts.messageBoxResponse ?? 1 };
    },
    getScreenSources: async (options) => {
      seam.sourceRequests.push(options);
      return opts.sources ?? displays.map((d, i) => ({ id: `screen:${i}:0`, name: `Screen ${i + 1}`, display_id: String(d.id) }));
    },
    setPermissionPolicy: (allow) => {
      seam.permissionPolicy = allow;
    },
  };
  return seam;
}

/** Resolves when `check` holds (polled), or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
