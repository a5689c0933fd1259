import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InputSink } from '../../../src/main/desktop/input.js';
import { appPaths } from '../../../src/main/electron/app-paths.js';
import { CAPTURE_CHANNELS, type CaptureRequest } from '../../../src/shared/capture-contract.js';
import { HIDDEN_ARG } from '../../../src/main/electron/tray/login-item.js';
import { SETTINGS_FILE } from '../../../src/main/electron/service/settings-store.js';
import { runTrayApp, type TrayApp } from '../../../src/main/electron/tray-app.js';
import { ipcChannel, type ControlReply, type ServerState } from '../../../src/shared/control-contract.js';
import { TestViewer } from '../../support/test-viewer.js';
import { fakeSeam, until, type FakeSeam, type FakeWindow } from './fake-electron.js';

/**
 * The whole tray app on fake Electron: a "macOS" desktop of 80×45 points at
 * scale 2, captured by a stand-in for the capture page that streams frames
 * over the fake IPC exactly as the real page does, with a recording input
 * backend in place of nut-js.
 */

const PATHS = appPaths({ root: '/opt/trayvnc', isPackaged: false });
const DISPLAY = { id: 7, bounds: { x: 0, y: 0, width: 80, height: 45 }, scaleFactor: 2 };
const BG = 0x336699;

let dir: string;
const apps: TrayApp[] = [];
const viewers: TestViewer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trayvnc-app-'));
});
afterEach(async () => {
  for (const v of viewers.splice(0)) v.close();
  for (const a of apps.splice(0)) await a.shell.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** BGRA bytes of a width×height frame in `colour`, with an optional square of `mark`. */
function frameMessage(width: number, height: number, colour: number, mark?: { x: number; y: number; size: number; colour: number }) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = mark && x >= mark.x && x < mark.x + mark.size && y >= mark.y && y < mark.y + mark.size ? mark.colour : colour;
      const o = (y * width + x) * 4;
      data[o] = c & 0xff;
      data[o + 1] = (c >> 8) & 0xff;
      data[o + 2] = (c >> 16) & 0xff;
      data[o + 3] = 0xff;
    }
  }
  return { width, height, format: 'bgra', stride: width * 4, data };
}

interface Harness {
  seam: FakeSeam;
  input: string[];
  /** The capture page's request, once it asked. */
  request: () => CaptureRequest | null;
  /** Send a frame as the capture page. */
  sendFrame: (colour: number, mark?: { x: number; y: number; size: number; colour: number }) => Promise<void>;
  app: TrayApp | null;
}

async function start(opts: { argv?: string[]; lock?: boolean; settings?: Record<string, unknown>; inputFails?: string } = {}): Promise<Harness> {
  writeFileSync(join(dir, SETTINGS_FILE), JSON.stringify(opts.settings ?? { host: '127.0.0.1', port: 0 }));
  let request: CaptureRequest | null = null;
  let pageWindow: FakeWindow | null = null;
  const seam: FakeSeam = fakeSeam({
    userData: dir,
    platform: 'darwin',
    displays: [DISPLAY],
    onLoad: async (win, file) => {
      if (file !== PATHS.captureIndex) return;
      // what capture.ts does: ask for the request, then stream
      pageWindow = win;
      request = (await seam.ipcMain.invoke(win.webContents.event(), CAPTURE_CHANNELS.ready)) as CaptureRequest;
      await sendFrame(BG);
    },
  });
  seam.app.lock = opts.lock ?? true;
  const sendFrame = async (colour: number, mark?: { x: number; y: number; size: number; colour: number }) => {
    if (!pageWindow || !request) throw new Error('the capture page is not open');
    await seam.ipcMain.invoke(pageWindow.webContents.event(), CAPTURE_CHANNELS.frame, frameMessage(request.width, request.height, colour, mark));
  };
  const input: string[] = [];
  const createInput = (): InputSink => ({
    name: 'recording-input',
    start: async () => {
      if (opts.inputFails) throw new Error(opts.inputFails);
    },
    key: async (k, d) => void input.push(`key ${k.toString(16)} ${d ? 'down' : 'up'}`),
    pointer: async (x, y, b) => void input.push(`pointer ${x},${y} ${b}`),
    stop: async () => undefined,
  });
  const app = await runTrayApp({
    seam,
    paths: PATHS,
    argv: opts.argv ?? ['/Applications/TrayVNC.app/Contents/MacOS/TrayVNC'],
    env: {},
    home: dir,
    execPath: '/Applications/TrayVNC.app/Contents/MacOS/TrayVNC',
    entry: '/opt/trayvnc/dist/main/electron/main.js',
    interfaces: () => ({}),
    createInput,
    firstFrameTimeoutMs: 2000,
    keepLogging: true,
  });
  if (app) apps.push(app);
  return { seam, input, request: () => request, sendFrame, app };
}

function controlWindow(h: Harness): FakeWindow {
  const w = h.seam.windows.find((x) => x.loaded === PATHS.rendererIndex);
  if (!w) throw new Error('no control window');
  return w;
}

function captureWindow(h: Harness): FakeWindow {
  const w = h.seam.windows.find((x) => x.loaded === PATHS.captureIndex);
  if (!w) throw new Error('no capture window');
  return w;
}

async function getState(h: Harness, win: FakeWindow): Promise<ControlReply<ServerState>> {
  return (await h.seam.ipcMain.invoke(win.webContents.event(), ipcChannel('getState'))) as ControlReply<ServerState>;
}

function stateOf(reply: ControlReply<ServerState>): ServerState {
  if (!('result' in reply)) throw new Error(reply.error.message);
  return reply.result;
}

async function viewer(port: number): Promise<TestViewer> {
  const v = await TestViewer.connect(port);
  viewers.push(v);
  v.setEncodings([0]);
  return v;
}

function pixel(payload: Buffer, i: number): number {
  return payload.readUInt32LE(i * 4) & 0xffffff;
}

describe('runTrayApp', () => {
  it('quits at once when another instance holds the lock', async () => {
    const h = await start({ lock: false });
    expect(h.app).toBeNull();
    expect(h.seam.app.quitted).toBe(true);
    expect(h.seam.trays).toEqual([]);
    expect(h.seam.windows).toEqual([]);
  });

  it('shares the screen through desktopCapturer on macOS, with the window open and the tray showing it', async () => {
    const h = await start();
    expect(h.seam.permissionPolicy?.('media', `file://${PATHS.captureIndex}`)).toBe(true);
    expect(h.seam.permissionPolicy?.('media', `file://${PATHS.rendererIndex}`)).toBe(false);
    expect(h.seam.sourceRequests).toEqual([{ types: ['screen'], thumbnailSize: { width: 0, height: 0 } }]);
    expect(h.request()).toEqual({ sourceId: 'screen:0:0', frameRate: 60, width: 160, height: 90 });
    const cap = captureWindow(h);
    expect(cap.visible).toBe(false);
    expect(cap.options.webPreferences?.preload).toBe(PATHS.capturePreload);

    const win = controlWindow(h);
    await until(() => win.visible, 1000, 'the window');
    expect(win.options).toMatchObject({ minWidth: 800, minHeight: 600 });
    expect(win.options.webPreferences).toMatchObject({ preload: PATHS.preload, sandbox: true, contextIsolation: true, nodeIntegration: false });

    const state = stateOf(await getState(h, win));
    expect(state).toMatchObject({ running: true, source: 'desktop-capturer', desktop: { width: 160, height: 90 } });
    // the tray app's own choice reaches the window: the system's screen capture, because this is a Mac
    expect(state.backend).toMatchObject({ kind: 'system-capture', reason: 'darwin desktop', exact: false, capture: { pixelFormat: 'BGRA', pointerInFrames: true, scaled: false } });
    const tray = h.seam.trays[0];
    expect(tray?.image).toBe(join(PATHS.trayIcons, 'sharingTemplate.png'));
  });

  it('gives viewers the captured pixels, then only what changed, and their pointer in desktop points', async () => {
    const h = await start();
    const win = controlWindow(h);
    const port = stateOf(await getState(h, win)).address?.port ?? 0;
    const commands = () => captureWindow(h).webContents.sent.filter((m) => m.channel === CAPTURE_CHANNELS.command).map((m) => m.args[0]);
    // nobody watching yet: the page is told to stop sending frames
    expect(commands()).toEqual([{ type: 'pause' }]);
    const v = await viewer(port);
    expect([v.width, v.height]).toEqual([160, 90]);
    await until(() => commands().length === 2, 2000, 'the resume');
    expect(commands()).toEqual([{ type: 'pause' }, { type: 'resume' }]);
    v.request(false);
    const full = await v.nextUpdate();
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ x: 0, y: 0, w: 160, h: 90, encoding: 0 });
    expect(pixel(full[0]?.payload as Buffer, 0)).toBe(BG);
    expect(pixel(full[0]?.payload as Buffer, 160 * 90 - 1)).toBe(BG);

    await until(() => h.seam.notices.some((n) => n.title === 'Viewer connected'), 2000, 'the notification');
    expect(h.seam.trays[0]?.image).toBe(join(PATHS.trayIcons, 'viewedTemplate.png'));

    v.request(true);
    await h.sendFrame(BG, { x: 100, y: 70, size: 3, colour: 0xff0000 });
    const changed = await v.nextUpdate();
    const covered = changed.filter((r) => r.x <= 100 && r.y <= 70 && r.x + r.w >= 103 && r.y + r.h >= 73);
    expect(covered).toHaveLength(1);
    const r = covered[0];
    if (!r) throw new Error('no rectangle');
    expect(r.w * r.h).toBeLessThan(160 * 90); // not the whole screen
    expect(pixel(r.payload, (70 - r.y) * r.w + (100 - r.x))).toBe(0xff0000);
    expect(pixel(r.payload, (69 - r.y) * r.w + (100 - r.x))).toBe(BG);

    v.pointer(40, 20, 1);
    v.pointer(40, 20, 0);
    await until(() => h.input.length >= 2, 2000, 'the pointer');
    // 160×90 device pixels of an 80×45-point display: points are half
    expect(h.input).toEqual(['pointer 20,10 1', 'pointer 20,10 0']);
  });

  it('says why viewers can only watch when the input backend is missing', async () => {
    const h = await start({ inputFails: 'nut-js input is not available: cannot load @nut-tree-fork/nut-js' });
    await until(() => h.seam.notices.length > 0, 2000, 'the notice');
    expect(h.seam.notices[0]).toEqual({
      title: 'Viewers can only watch',
      body: 'Remote control is not available: nut-js input is not available: cannot load @nut-tree-fork/nut-js',
    });
  });

  it('answers the control window over IPC and refuses every other page', async () => {
    const h = await start();
    const win = controlWindow(h);
    expect(stateOf(await getState(h, win)).running).toBe(true);
    const fromCapture = await getState(h, captureWindow(h));
    expect(fromCapture).toEqual({ error: { message: 'refused: not a TrayVNC window', code: 'unauthorized' } });
    const navigatedAway = (await h.seam.ipcMain.invoke(win.webContents.event('https://evil.example/'), ipcChannel('getState'))) as ControlReply;
    expect(navigatedAway).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('hides the window on close, and brings it back for a second instance', async () => {
    const h = await start();
    const win = controlWindow(h);
    await until(() => win.visible, 1000, 'the window');
    expect(win.userClose()).toBe(true);
    expect(win.visible).toBe(false);
    expect(win.destroyed).toBe(false);
    win.minimized = true;
    h.seam.app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(win.minimized).toBe(false);
    expect(win.focused).toBeGreaterThan(0);
    expect(h.seam.windows.filter((w) => w.loaded === PATHS.rendererIndex)).toHaveLength(1);
  });

  it('stays in the tray when launched at login, and opens the window from the menu', async () => {
    const h = await start({ argv: ['/Applications/TrayVNC.app/Contents/MacOS/TrayVNC', HIDDEN_ARG] });
    expect(h.seam.windows.some((w) => w.loaded === PATHS.rendererIndex)).toBe(false);
    h.seam.trays[0]?.clickItem('Open TrayVNC');
    const win = controlWindow(h);
    await until(() => win.visible, 1000, 'the window');
  });

  it('keeps running when every window is closed', async () => {
    const h = await start();
    expect(h.seam.app.count('window-all-closed')).toBe(1);
  });

  it('quits cleanly: sharing stops, the capture page and the window close, the icon goes', async () => {
    const h = await start();
    const win = controlWindow(h);
    const cap = captureWindow(h);
    const port = stateOf(await getState(h, win)).address?.port ?? 0;
    const v = await viewer(port);
    h.seam.trays[0]?.clickItem('Quit');
    await until(() => h.seam.app.quitted, 3000, 'the quit');
    await v.sock.waitClosed();
    expect(cap.destroyed).toBe(true);
    expect(h.seam.trays[0]?.destroyed).toBe(true);
    // while quitting, a close is not turned into a hide
    expect(win.userClose()).toBe(false);
    expect(win.destroyed).toBe(true);
  });

  it('offers "Start at login" on macOS through the login item', async () => {
    const h = await start();
    const tray = h.seam.trays[0];
    expect(tray?.item('Start at login')).toMatchObject({ checked: false });
    tray?.clickItem('Start at login');
    await until(() => h.seam.app.loginItem.openAtLogin, 1000, 'the login item');
    expect(h.seam.app.loginItem).toEqual({ openAtLogin: true, args: ['/opt/trayvnc/dist/main/electron/main.js', HIDDEN_ARG] });
  });
});
