import { CAPTURE_CHANNELS, type CaptureBridge, type CaptureCommand, type CaptureFrameMessage, type CaptureRequest } from '../../shared/capture-contract.js';
import type { IpcRendererLike } from './preload-bridge.js';

/**
 * What the capture preload exposes as `window.trayvncCapture`: four calls,
 * each bound to its own channel, so the page can neither pick a channel nor
 * reach anything else of Electron. Kept apart from capture-preload.ts (which
 * only hands it to contextBridge) so it can be tested with a fake
 * ipcRenderer.
 */
export type { CaptureBridge };

function isCommand(c: unknown): c is CaptureCommand {
  const type = (c as { type?: unknown } | null)?.type;
  return type === 'pause' || type === 'resume';
}

export function createCaptureBridge(ipc: IpcRendererLike): CaptureBridge {
  return Object.freeze({
    ready: () => ipc.invoke(CAPTURE_CHANNELS.ready) as Promise<CaptureRequest>,
    sendFrame: async (frame: CaptureFrameMessage) => {
      // Only the fields main reads cross, whatever else the object carries.
      const { width, height, format, stride, data } = frame;
      await ipc.invoke(CAPTURE_CHANNELS.frame, { width, height, format, stride, data });
    },
    reportError: async (message: string) => {
      await ipc.invoke(CAPTURE_CHANNELS.error, String(message).slice(0, 2000));
    },
    onCommand: (listener: (command: CaptureCommand) => void) => {
      const wrapped = (_event: unknown, command: unknown) => {
        if (isCommand(command)) listener({ type: command.type });
      };
      ipc.on(CAPTURE_CHANNELS.command, wrapped);
      return () => {
        ipc.removeListener(CAPTURE_CHANNELS.command, wrapped);
      };
    },
  });
}
