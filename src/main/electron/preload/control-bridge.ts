import type { IpcRenderer } from 'electron';
import {
  CONTROL_METHODS,
  IPC_EVENT_CHANNEL,
  ipcChannel,
  isControlEvent,
  type ControlBridge,
  type ControlReply,
  type WireEvent,
} from '../../../shared/control-contract.js';

/**
 * The object the preload exposes as `window.trayvnc`, built from the
 * contract's method list: one function per method, each an `invoke` on that
 * method's channel, and `onEvent` for pushed events. Kept apart from
 * control-preload.ts (which only hands it to contextBridge) so it can be
 * tested with a fake ipcRenderer; it imports nothing but the contract, so the
 * bundled preload stays small and runs in a sandboxed renderer.
 */

/** The parts of ipcRenderer used here. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

// Electron's ipcRenderer must fit (a compile error here means Electron's API moved).
const ipcRendererFits = (r: IpcRenderer): IpcRendererLike => r;
void ipcRendererFits;

export function createControlBridge(ipc: IpcRendererLike): ControlBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of CONTROL_METHODS) {
    // Only the params cross: the renderer cannot pick a channel or pass anything else.
    bridge[method] = (params?: unknown) => ipc.invoke(ipcChannel(method), params) as Promise<ControlReply>;
  }
  bridge['onEvent'] = (listener: (message: WireEvent) => void): (() => void) => {
    // The IPC event object (with its sender) never reaches the page: only the message.
    const wrapped = (_event: unknown, message: unknown) => {
      if (typeof message === 'object' && message !== null && isControlEvent((message as { event?: unknown }).event)) {
        listener(message as WireEvent);
      }
    };
    ipc.on(IPC_EVENT_CHANNEL, wrapped);
    return () => {
      ipc.removeListener(IPC_EVENT_CHANNEL, wrapped);
    };
  };
  return Object.freeze(bridge) as ControlBridge;
}
