import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CONTROL_METHODS, IPC_EVENT_CHANNEL, ipcChannel, type ControlReply, type WireEvent } from '../../../shared/control-contract.js';
import { getLogger } from '../../base/logger.js';

/**
 * The control API over Electron IPC: every method of the contract's list is
 * bound to `ipcMain.handle('trayvnc:<method>')`, each call is checked to come
 * from one of our own windows, and events go back on 'trayvnc:event' to the
 * renderers that subscribed. Handlers resolve to a ControlReply (errors as
 * data), never reject, so field errors reach the settings form.
 *
 * The Electron objects are injected (`ipcMain`, the sender check), so this
 * runs in tests with a small fake; the import above is types only.
 */

/** The parts of a WebContents used here. */
export interface SenderLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

/** The parts of an IpcMainInvokeEvent used here. */
export interface InvokeEventLike {
  readonly sender: SenderLike;
  /** The frame that sent it (null when it navigated away or was destroyed). */
  readonly senderFrame?: { readonly url: string; readonly parent: unknown } | null;
}

/** The parts of ipcMain used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

// Electron's own objects must fit these shapes (a compile error here means Electron's API moved).
const ipcMainFits = (m: IpcMain): IpcMainLike => m;
const eventFits = (e: IpcMainInvokeEvent): InvokeEventLike => e;
const webContentsFits = (w: WebContents): SenderLike => w;
void ipcMainFits;
void eventFits;
void webContentsFits;

/** One peer's connection to the control API (a ControlConnection, or one that follows service restarts). */
export interface ControlPeer {
  call(method: unknown, params: unknown): Promise<ControlReply>;
  close(): void;
}

/** What the binding serves: a ControlService, or a ControlSwitch over the services of the app's life. */
export interface ControlHost {
  openConnection(send: (message: WireEvent) => void): ControlPeer;
}

export interface ControlIpcOptions {
  /**
   * Whether a call comes from a window of ours. Any renderer can send IPC
   * (a compromised page, a stray webview), so every call is checked before it
   * reaches the service. See `ownWindowsOnly`.
   */
  isTrustedSender(event: InvokeEventLike): boolean;
}

const log = getLogger('ipc');

/**
 * Sender check for the usual case: the sender is the main frame of one of
 * `windows()` (pass `() => BrowserWindow.getAllWindows()`), showing a page
 * whose URL `allowUrl` accepts (the app's own file:// or app:// pages).
 */
export function ownWindowsOnly(
  windows: () => Iterable<{ readonly webContents: { readonly id: number } }>,
  allowUrl: (url: string) => boolean,
): (event: InvokeEventLike) => boolean {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !allowUrl(frame.url)) return false;
    for (const w of windows()) if (w.webContents.id === event.sender.id) return true;
    return false;
  };
}

/**
 * Bind the control API to IPC. Each renderer (WebContents) gets its own
 * connection, and with it its own subscriptions, dropped when it is
 * destroyed. Returns a function that removes the handlers and connections.
 */
export function bindControlIpc(ipcMain: IpcMainLike, control: ControlHost, opts: ControlIpcOptions): () => void {
  const connections = new Map<number, ControlPeer>();

  const connectionFor = (sender: SenderLike): ControlPeer => {
    let conn = connections.get(sender.id);
    if (!conn) {
      const c = control.openConnection((message: WireEvent) => {
        if (!sender.isDestroyed()) sender.send(IPC_EVENT_CHANNEL, message);
      });
      connections.set(sender.id, c);
      sender.once('destroyed', () => {
        c.close();
        if (connections.get(sender.id) === c) connections.delete(sender.id);
      });
      conn = c;
    }
    return conn;
  };

  for (const method of CONTROL_METHODS) {
    ipcMain.handle(ipcChannel(method), async (event, params): Promise<ControlReply> => {
      // Refused before anything else: an unknown sender learns nothing and changes nothing.
      if (!opts.isTrustedSender(event)) {
        log.warn({ method, sender: event.sender.id, url: event.senderFrame?.url }, 'control call from an unknown sender refused');
        return { error: { message: 'refused: not a TrayVNC window', code: 'unauthorized' } };
      }
      return connectionFor(event.sender).call(method, params);
    });
  }

  return () => {
    for (const method of CONTROL_METHODS) ipcMain.removeHandler(ipcChannel(method));
    for (const c of connections.values()) c.close();
    connections.clear();
  };
}
