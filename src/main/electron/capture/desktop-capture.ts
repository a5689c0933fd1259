import type { Logger } from 'pino';
import type { Settings } from '../../../shared/settings-schema.js';
import type { InputSink } from '../../desktop/input.js';
import { NutJsInput } from '../../desktop/nutjs-input.js';
import { getLogger } from '../../base/logger.js';
import { CaptureScreen } from './capture-source.js';
import { pickCaptureTarget } from './capture-target.js';
import { CaptureWindow } from './capture-window.js';
import type { ElectronSeam } from '../electron-seam.js';
import { PolledClipboard } from './electron-clipboard.js';
import { MappedInput } from './mapped-input.js';
import { PaintedPointerCursor } from './painted-pointer.js';
import type { DesktopCapture } from '../service/service-factory.js';

/**
 * The desktop where X11 is not available: the chosen screen through
 * desktopCapturer and the hidden capture page, input through nut-js (an
 * optional dependency: without it viewers can watch but not control, and the
 * user is told why), the clipboard through Electron.
 */
export interface DesktopCaptureDeps {
  seam: Pick<ElectronSeam, 'platform' | 'createWindow' | 'ipcMain' | 'getScreenSources' | 'screen' | 'clipboard'>;
  files: { capturePreload: string; captureIndex: string };
  /** Tell the user something about sharing (a notification). */
  report(title: string, body: string): void;
  /** The input backend (default: nut-js). */
  createInput?: () => InputSink;
  /** Passed to the capture source (tests shorten its waits). */
  firstFrameTimeoutMs?: number;
  log?: Logger;
}

export async function desktopCapture(settings: Settings, deps: DesktopCaptureDeps): Promise<DesktopCapture & { source: CaptureScreen }> {
  const log = deps.log ?? getLogger('desktop-capture');
  const { seam } = deps;
  const sources = await seam.getScreenSources({ types: ['screen'], thumbnailSize: { width: 0, height: 0 } });
  const target = pickCaptureTarget(sources, seam.screen.getAllDisplays(), seam.screen.getPrimaryDisplay(), settings.monitor);
  if (target.warning) {
    log.warn(target.warning);
    deps.report('TrayVNC', target.warning);
  }
  const source = new CaptureScreen(
    new CaptureWindow(seam, deps.files, log),
    { sourceId: target.sourceId, frameRate: settings.frame_rate, width: target.width, height: target.height },
    {
      ...(deps.firstFrameTimeoutMs !== undefined ? { firstFrameTimeoutMs: deps.firstFrameTimeoutMs } : {}),
      onError: (message) => deps.report('Screen sharing stopped working', message),
      log,
    },
  );
  const input = new MappedInput(
    deps.createInput?.() ?? new NutJsInput({ platform: seam.platform }),
    { display: target.display, frameSize: () => ({ width: source.width, height: source.height }), platform: seam.platform },
    (reason) => {
      log.warn({ reason }, 'viewers can watch but not control this desktop');
      deps.report('Viewers can only watch', `Remote control is not available: ${reason}`);
    },
  );
  log.info({ source: target.sourceId, display: target.display.id, width: target.width, height: target.height }, 'sharing a screen through desktopCapturer');
  return {
    source,
    // The pointer is in the frames (Chromium paints it in): viewers that draw their own are told to draw none.
    parts: { input, clipboard: settings.clipboard === 'off' ? null : new PolledClipboard(seam.clipboard), cursor: new PaintedPointerCursor(source) },
    // Frames cross processes: only while someone watches.
    attach: (service) => source.followViewers(service.server),
  };
}
