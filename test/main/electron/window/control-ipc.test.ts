import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/main/app/config.js';
import { ControlService, type ControlTarget } from '../../../../src/main/app/control-service.js';
import type { ScreenSource } from '../../../../src/main/desktop/screen.js';
import { bindControlIpc, ownWindowsOnly, type SenderLike } from '../../../../src/main/electron/window/control-ipc.js';
import { createControlBridge, type IpcRendererLike } from '../../../../src/main/electron/preload/control-bridge.js';
import { FakeIpcMain } from '../fake-electron.js';
import { RfbServer } from '../../../../src/main/rfb/server.js';
import { createControlClient, ipcTransport } from '../../../../src/renderer/api/control-client.js';
import {
  CONTROL_METHODS,
  ControlError,
  IPC_EVENT_CHANNEL,
  ipcChannel,
  type ControlReply,
  type UpdateSettingsResult,
} from '../../../../src/shared/control-contract.js';

/** A stand-in for one window's WebContents plus its ipcRenderer. */
class FakeRenderer implements SenderLike {
  private static next = 1;
  readonly id = FakeRenderer.next++;
  private destroyed = false;
  private readonly onDestroyed: Array<() => void> = [];
  private readonly listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  frame: { url: string; parent: unknown } | null = { url: 'app://trayvnc/index.html', parent: null };

  constructor(private readonly main: FakeIpcMain) {}

  send(channel: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l({ sender: 'ipc-renderer-internals' }, ...structuredClone(args));
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  once(_event: 'destroyed', listener: () => void): void {
    this.onDestroyed.push(listener);
  }

  destroy(): void {
    this.destroyed = true;
    for (const l of this.onDestroyed.splice(0)) l();
  }

  readonly ipcRenderer: IpcRendererLike = {
    invoke: (channel, ...args) => this.main.invoke({ sender: this, senderFrame: this.frame }, channel, ...args),
    on: (channel, listener) => {
      let set = this.listeners.get(channel);
      if (!set) this.listeners.set(channel, (set = new Set()));
      set.add(listener);
    },
    removeListener: (channel, listener) => {
      this.listeners.get(channel)?.delete(listener);
    },
  };
}

function fakeTarget(): ControlTarget {
  const config = parseConfig({ source: 'synthetic', width: 320, height: 200 });
  return {
    server: new RfbServer({ frameRate: config.frame_rate }),
    config,
    source: { name: 'synthetic', width: 320, height: 200 } as ScreenSource,
    listening: null,
    password: null,
    websocket: null,
  };
}

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

function setup() {
  const target = fakeTarget();
  const control = new ControlService(target);
  const ipcMain = new FakeIpcMain();
  const windows: Array<{ webContents: { id: number } }> = [];
  const unbind = bindControlIpc(ipcMain, control, {
    isTrustedSender: ownWindowsOnly(
      () => windows,
      (url) => url.startsWith('app://trayvnc/'),
    ),
  });
  cleanup.push(() => control.close(), unbind);
  const window = () => {
    const r = new FakeRenderer(ipcMain);
    windows.push({ webContents: { id: r.id } });
    return r;
  };
  return { target, control, ipcMain, unbind, window };
}

describe('control API over Electron IPC', () => {
  it('binds every method of the list, and nothing else; unbinding removes them', () => {
    const { ipcMain, unbind } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(CONTROL_METHODS.map(ipcChannel).sort());
    unbind();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('refuses a sender that is not one of our windows, before touching the service', async () => {
    const { ipcMain, target } = setup();
    const stranger = new FakeRenderer(ipcMain); // not in the windows list
    const reply = (await stranger.ipcRenderer.invoke(ipcChannel('updateSettings'), { frame_rate: 5 })) as ControlReply;
    expect(reply).toEqual({ error: { message: 'refused: not a TrayVNC window', code: 'unauthorized' } });
    expect(target.server.options.frameRate).toBe(60);
    for (const m of CONTROL_METHODS) {
      expect(await stranger.ipcRenderer.invoke(ipcChannel(m), undefined)).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('refuses our window when the call comes from a subframe or a foreign page', async () => {
    const { window } = setup();
    const w = window();
    w.frame = { url: 'app://trayvnc/index.html', parent: {} };
    expect(await w.ipcRenderer.invoke(ipcChannel('getState'))).toMatchObject({ error: { code: 'unauthorized' } });
    w.frame = { url: 'https://evil.example/', parent: null };
    expect(await w.ipcRenderer.invoke(ipcChannel('getState'))).toMatchObject({ error: { code: 'unauthorized' } });
    w.frame = null;
    expect(await w.ipcRenderer.invoke(ipcChannel('getState'))).toMatchObject({ error: { code: 'unauthorized' } });
    w.frame = { url: 'app://trayvnc/index.html', parent: null };
    expect(await w.ipcRenderer.invoke(ipcChannel('getState'))).toMatchObject({ result: { running: false, source: 'synthetic' } });
  });

  it('the preload bridge has one function per method plus onEvent, and the typed client works through it', async () => {
    const { window, target } = setup();
    const w = window();
    const bridge = createControlBridge(w.ipcRenderer);
    expect(Object.keys(bridge).sort()).toEqual([...CONTROL_METHODS, 'onEvent'].sort());
    expect(Object.isFrozen(bridge)).toBe(true);

    const client = createControlClient(ipcTransport(bridge));
    expect((await client.getState()).desktop).toMatchObject({ width: 320, height: 200 });
    expect(await client.listClients()).toEqual([]);
    const r = await client.updateSettings({ frame_rate: 5 });
    expect(r.applied).toEqual(['frame_rate']);
    expect(target.server.options.frameRate).toBe(5);

    // Field errors survive the trip (they travel as data, not as an Error's properties).
    const err = await client.updateSettings({ port: 70000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlError);
    expect((err as ControlError).fieldErrors).toEqual({ port: ['must be a whole number from 0 to 65535'] });
    const notFound = await client.disconnectClient({ id: 'nobody' }).catch((e: unknown) => e);
    expect((notFound as ControlError).code).toBe('not-found');
  });

  it('sends events only to windows that subscribed, and drops their subscriptions when they are destroyed', async () => {
    const { window, control } = setup();
    const a = window();
    const b = window();
    const clientA = createControlClient(ipcTransport(createControlBridge(a.ipcRenderer)));
    const clientB = createControlClient(ipcTransport(createControlBridge(b.ipcRenderer)));
    const seenA: UpdateSettingsResult[] = [];
    const seenB: unknown[] = [];
    clientA.on('settings', (s) => seenA.push(s));
    b.ipcRenderer.on(IPC_EVENT_CHANNEL, (_e, m) => seenB.push(m));
    await new Promise((r) => setTimeout(r, 0));
    expect(control.listenerCount('settings')).toBe(1);

    await clientB.updateSettings({ max_connections: 4 });
    expect(seenA).toHaveLength(1);
    expect(seenA[0]!.settings.max_connections).toBe(4);
    expect(seenB).toEqual([]);

    a.destroy();
    expect(control.listenerCount('settings')).toBe(0);
    await clientB.updateSettings({ max_connections: 5 });
    expect(seenA).toHaveLength(1);
  });

  it('an unsubscribed listener stops receiving and the bridge never hands the page the IPC event object', async () => {
    const { window, control } = setup();
    const w = window();
    const bridge = createControlBridge(w.ipcRenderer);
    const raw: unknown[][] = [];
    const stop = bridge.onEvent((...args: unknown[]) => raw.push(args));
    await bridge.subscribe({ event: 'settings' });
    await bridge.updateSettings({ view_only: true });
    expect(raw).toHaveLength(1);
    expect(raw[0]).toHaveLength(1);
    expect(raw[0]![0]).toMatchObject({ event: 'settings' });
    stop();
    await bridge.updateSettings({ view_only: false });
    expect(raw).toHaveLength(1);
    expect(await bridge.unsubscribe({ event: 'settings' })).toEqual({ result: { subscribed: [] } });
    expect(control.listenerCount('settings')).toBe(0);
  });
});
