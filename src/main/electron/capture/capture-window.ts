import type { Logger } from 'pino';
import { getLogger } from '../../base/logger.js';
import { isPage } from '../app-paths.js';
import { CAPTURE_CHANNELS, type CaptureCommand, type CaptureRequest } from '../../../shared/capture-contract.js';
import type { CapturePage, CapturePageHandlers } from './capture-source.js';
import type { ElectronSeam, WindowLike } from '../electron-seam.js';
import type { InvokeEventLike } from '../window/control-ipc.js';
import { captureWindowOptions, lockNavigation } from '../window/window-options.js';

/**
 * The capture page in a hidden window: loads dist/renderer/capture/index.html
 * with its own preload, answers its `ready()` with the request, and passes its
 * frames and errors on. Only that window's main frame, showing that page, is
 * listened to.
 */
export class CaptureWindow implements CapturePage {
  private win: WindowLike | null = null;
  private closing = false;
  private readonly log: Logger;

  constructor(
    private readonly seam: Pick<ElectronSeam, 'createWindow' | 'ipcMain'>,
    private readonly files: { capturePreload: string; captureIndex: string },
    log?: Logger,
  ) {
    this.log = log ?? getLogger('capture-page');
  }

  async open(request: CaptureRequest, handlers: CapturePageHandlers): Promise<void> {
    if (this.win) throw new Error('the capture page is already open');
    const win = this.seam.createWindow(captureWindowOptions(this.files.capturePreload));
    this.win = win;
    lockNavigation(win);
    const ipc = this.seam.ipcMain;
    const fromPage = (e: InvokeEventLike): boolean => {
      const ok = !win.isDestroyed() && e.sender.id === win.webContents.id && !!e.senderFrame && e.senderFrame.parent === null && isPage(e.senderFrame.url, this.files.captureIndex);
      if (!ok) this.log.warn({ sender: e.sender.id, url: e.senderFrame?.url }, 'capture message from an unknown sender ignored');
      return ok;
    };
    ipc.handle(CAPTURE_CHANNELS.ready, (e) => (fromPage(e) ? request : null));
    ipc.handle(CAPTURE_CHANNELS.frame, (e, message) => {
      if (fromPage(e)) handlers.frame(message);
    });
    ipc.handle(CAPTURE_CHANNELS.error, (e, message) => {
      if (fromPage(e)) handlers.error(String(message));
    });
    win.webContents.on('render-process-gone', (_e, details) => {
      if (!this.closing) handlers.error(`the capture page's process ended (${details.reason})`);
    });
    win.on('closed', () => {
      if (!this.closing) handlers.error('the capture page was closed');
    });
    try {
      await win.loadFile(this.files.captureIndex);
    } catch (e) {
      throw new Error(`cannot load the capture page ${this.files.captureIndex}: ${(e as Error).message}`, { cause: e });
    }
  }

  send(command: CaptureCommand): void {
    const win = this.win;
    if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(CAPTURE_CHANNELS.command, command);
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    for (const channel of [CAPTURE_CHANNELS.ready, CAPTURE_CHANNELS.frame, CAPTURE_CHANNELS.error]) this.seam.ipcMain.removeHandler(channel);
    if (this.win && !this.win.isDestroyed()) this.win.destroy();
    this.win = null;
  }
}
