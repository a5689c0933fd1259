import { describe, expect, it } from 'vitest';
import { CAPTURE_CHANNELS, type CaptureRequest } from '../../../../src/shared/capture-contract.js';
import { CaptureWindow } from '../../../../src/main/electron/capture/capture-window.js';
import { fakeSeam, preventable, type FakeWindow } from '../fake-electron.js';

const FILES = { capturePreload: '/app/dist/electron/capture-preload.cjs', captureIndex: '/app/dist/renderer/capture/index.html' };
const REQUEST: CaptureRequest = { sourceId: 'screen:0:0', frameRate: 25, width: 640, height: 480 };

function setup() {
  const seam = fakeSeam({ userData: '/nowhere' });
  const frames: unknown[] = [];
  const errors: string[] = [];
  const page = new CaptureWindow(seam, FILES);
  const handlers = { frame: (m: unknown) => frames.push(m), error: (e: string) => errors.push(e) };
  return { seam, page, frames, errors, handlers };
}

function only(seam: ReturnType<typeof fakeSeam>): FakeWindow {
  expect(seam.windows).toHaveLength(1);
  return seam.windows[0] as FakeWindow;
}

describe('CaptureWindow', () => {
  it('loads the capture page in a hidden, sandboxed, unthrottled window with its own preload', async () => {
    const { seam, page, handlers } = setup();
    await page.open(REQUEST, handlers);
    const win = only(seam);
    expect(win.loaded).toBe(FILES.captureIndex);
    expect(win.visible).toBe(false);
    expect(win.options.show).toBe(false);
    expect(win.options.skipTaskbar).toBe(true);
    expect(win.options.webPreferences).toMatchObject({
      preload: FILES.capturePreload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      backgroundThrottling: false,
    });
    // it never navigates or opens windows
    expect(win.webContents.openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const nav = preventable();
    win.webContents.emit('will-navigate', nav, 'https://example.com');
    expect(nav.prevented).toBe(true);
  });

  it('answers the page with the request and passes its frames and errors on', async () => {
    const { seam, page, handlers, frames, errors } = setup();
    await page.open(REQUEST, handlers);
    const win = only(seam);
    const ev = win.webContents.event();
    expect(await seam.ipcMain.invoke(ev, CAPTURE_CHANNELS.ready)).toEqual(REQUEST);
    await seam.ipcMain.invoke(ev, CAPTURE_CHANNELS.frame, { width: 1 });
    await seam.ipcMain.invoke(ev, CAPTURE_CHANNELS.error, 'the screen capture ended');
    expect(frames).toEqual([{ width: 1 }]);
    expect(errors).toEqual(['the screen capture ended']);
  });

  it('ignores other windows, subframes and other pages', async () => {
    const { seam, page, handlers, frames, errors } = setup();
    await page.open(REQUEST, handlers);
    const win = only(seam);
    const stranger = seam.createWindow({}) as FakeWindow;
    const fromStranger = { sender: stranger.webContents, senderFrame: { url: win.webContents.url, parent: null } };
    const fromSubframe = { sender: win.webContents, senderFrame: { url: win.webContents.url, parent: {} } };
    const otherPage = win.webContents.event('file:///app/dist/renderer/index.html');
    for (const ev of [fromStranger, fromSubframe, otherPage]) {
      expect(await seam.ipcMain.invoke(ev, CAPTURE_CHANNELS.ready)).toBeNull();
      await seam.ipcMain.invoke(ev, CAPTURE_CHANNELS.frame, { width: 1 });
      await seam.ipcMain.invoke(ev, CAPTURE_CHANNELS.error, 'x');
    }
    expect(frames).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('sends commands to the page', async () => {
    const { seam, page, handlers } = setup();
    await page.open(REQUEST, handlers);
    page.send({ type: 'pause' });
    expect(only(seam).webContents.sent).toEqual([{ channel: CAPTURE_CHANNELS.command, args: [{ type: 'pause' }] }]);
  });

  it('reports a page that goes away, but not when it closes it itself', async () => {
    const { seam, page, handlers, errors } = setup();
    await page.open(REQUEST, handlers);
    const win = only(seam);
    win.webContents.emit('render-process-gone', {}, { reason: 'crashed' });
    expect(errors).toEqual(["the capture page's process ended (crashed)"]);
    page.close();
    expect(win.destroyed).toBe(true);
    expect(errors).toHaveLength(1);
    expect(seam.ipcMain.handlers.size).toBe(0);
    page.send({ type: 'resume' }); // nothing to send to: no throw
  });

  it('reports a window closed from outside', async () => {
    const { seam, page, handlers, errors } = setup();
    await page.open(REQUEST, handlers);
    only(seam).destroy();
    expect(errors).toEqual(['the capture page was closed']);
  });

  it('says which file it could not load', async () => {
    const seam = fakeSeam({
      userData: '/nowhere',
      onLoad: async () => {
        throw new Error('ERR_FILE_NOT_FOUND (-6)');
      },
    });
    const page = new CaptureWindow(seam, FILES);
    await expect(page.open(REQUEST, { frame: () => undefined, error: () => undefined })).rejects.toThrow(
      `cannot load the capture page ${FILES.captureIndex}: ERR_FILE_NOT_FOUND (-6)`,
    );
    page.close();
    expect(seam.ipcMain.handlers.size).toBe(0);
  });
});
