import { CAPTURE_CHANNELS, type CaptureBridge, type CaptureCommand, type CaptureFrameMessage, type CaptureRequest } from '../../../shared/capture-contract.js';
import { isFrameRate } from '../../../shared/frame-rate.js';
import type { IpcRendererLike } from './control-bridge.js';

/**
 * What the capture preload exposes as `window.trayvncCapture`: four calls,
 * each bound to its own channel, so the page can neither pick a channel nor
 * reach anything else of Electron. Kept apart from capture-preload.ts (which
 * only hands it to contextBridge) so it can be tested with a fake
 * ipcRenderer.
 */
export type { CaptureBridge };

/** A command as it may arrive (anything main sent), rebuilt from the fields that belong to it. */
function asCommand(c: unknown): CaptureCommand | null {
  const { type, frameRate } = (c ?? {}) as { type?: unknown; frameRate?: unknown };
  if (type === 'pause' || type === 'resume' || type === 'refresh') return { type };
  if (type === 'frame-rate' && isFrameRate(frameRate)) return { type, frameRate };
  return null;
}

export function createCaptureBridge(ipc: IpcRendererLike): CaptureBridge {
  return Object.freeze({
    ready: () => ipc.invoke(CAPTURE_CHANNELS.ready) as Promise<CaptureRequest>,
    sendFrame: async (frame: CaptureFrameMessage) => {
      // Only the fields main reads cross, whatever else the object carries.
      const { width, height, format, stride, planes, colorSpace, sourceFormat, pointer, top, rows, left, cols, data } = frame;
      const optional = { planes, colorSpace, sourceFormat, pointer, top, rows, left, cols };
      const given = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
      await ipc.invoke(CAPTURE_CHANNELS.frame, { width, height, format, stride, ...given, data });
    },
    reportError: async (message: string) => {
      await ipc.invoke(CAPTURE_CHANNELS.error, String(message).slice(0, 2000));
    },
    onCommand: (listener: (command: CaptureCommand) => void) => {
      const wrapped = (_event: unknown, command: unknown) => {
        const c = asCommand(command);
        if (c) listener(c);
      };
      ipc.on(CAPTURE_CHANNELS.command, wrapped);
      return () => {
        ipc.removeListener(CAPTURE_CHANNELS.command, wrapped);
      };
    },
  });
}
