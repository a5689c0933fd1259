import type { Logger } from 'pino';
import { getLogger } from '../../base/logger.js';
import type { ElectronSeam, WindowLike } from '../electron-seam.js';
import { controlWindowOptions, lockNavigation } from './window-options.js';

/**
 * The TrayVNC window (settings, clients, metrics). Made when first opened;
 * closing it only hides it (the app lives in the tray), unless the app is
 * quitting. Opening it again, or starting a second instance, brings it back
 * to the front.
 */
export class ControlWindow {
  private win: WindowLike | null = null;
  private readonly log: Logger;

  constructor(
    private readonly seam: Pick<ElectronSeam, 'createWindow'>,
    private readonly files: { preload: string; rendererIndex: string },
    private readonly quitting: () => boolean,
    log?: Logger,
  ) {
    this.log = log ?? getLogger('tray');
  }

  /** The window, when it exists (for the IPC sender check). */
  windows(): WindowLike[] {
    return this.win && !this.win.isDestroyed() ? [this.win] : [];
  }

  show(): void {
    const existing = this.win;
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return;
    }
    const win = this.seam.createWindow(controlWindowOptions(this.files.preload));
    this.win = win;
    lockNavigation(win);
    win.on('close', (event) => {
      if (this.quitting()) return;
      event.preventDefault();
      win.hide();
    });
    win.on('closed', () => {
      if (this.win === win) this.win = null;
    });
    win.loadFile(this.files.rendererIndex).then(
      () => {
        if (!win.isDestroyed()) {
          win.show();
          win.focus();
        }
      },
      (e: unknown) => this.log.error({ err: e, page: this.files.rendererIndex }, 'cannot load the TrayVNC window (was the renderer built?)'),
    );
  }

  /** Close for good (the app is quitting). */
  destroy(): void {
    if (this.win && !this.win.isDestroyed()) this.win.destroy();
    this.win = null;
  }
}
