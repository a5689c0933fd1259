import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { VncService } from '../../../../src/main/app/vnc-service.js';
import type { LoginItem } from '../../../../src/main/electron/tray/login-item.js';
import { createService } from '../../../../src/main/electron/service/service-factory.js';
import { SETTINGS_FILE, SettingsStore } from '../../../../src/main/electron/service/settings-store.js';
import { TrayShell } from '../../../../src/main/electron/tray/tray-shell.js';
import type { ControlReply, ServerState, SettingsView } from '../../../../src/shared/control-contract.js';
import type { Settings } from '../../../../src/shared/settings-schema.js';
import { handshake38 } from '../../../support/rfb-handshake.js';
import { TestViewer } from '../../../support/test-viewer.js';
import { fakeSafeStorage, fakeSeam, preventable, until, type FakeSeam, type FakeTray } from '../fake-electron.js';

const IFACES: ReturnType<typeof os.networkInterfaces> = {
  eth0: [{ address: '192.168.1.5', netmask: '255.255.255.0', family: 'IPv4', mac: 'aa:bb:cc:dd:ee:ff', internal: false, cidr: '192.168.1.5/24' }],
};

/** A desktop that needs no display: the synthetic source, small, on loopback, any free port. */
const LOCAL = { host: '127.0.0.1', port: 0, source: 'synthetic', width: 64, height: 48 };

let dir: string;
const shells: TrayShell[] = [];
const viewers: TestViewer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trayvnc-shell-'));
});
afterEach(async () => {
  for (const v of viewers.splice(0)) v.close();
  for (const s of shells.splice(0)) await s.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

function fakeLoginItem(): LoginItem & { on: boolean } {
  const item = {
    on: false,
    isEnabled: () => item.on,
    setEnabled: (v: boolean) => {
      item.on = v;
    },
  };
  return item;
}

interface Setup {
  seam: FakeSeam;
  store: SettingsStore;
  shell: TrayShell;
  login: LoginItem & { on: boolean };
  opened: () => number;
  tray: () => FakeTray;
  starts: () => number;
}

function setup(opts: { settings?: Record<string, unknown> | null; platform?: NodeJS.Platform; messageBoxResponse?: number; failStart?: string } = {}): Setup {
  if (opts.settings !== null) writeFileSync(join(dir, SETTINGS_FILE), JSON.stringify(opts.settings ?? LOCAL));
  const seam = fakeSeam({ userData: dir, platform: opts.platform ?? 'linux', ...(opts.messageBoxResponse !== undefined ? { messageBoxResponse: opts.messageBoxResponse } : {}) });
  const store = new SettingsStore(dir, fakeSafeStorage());
  store.load();
  const login = fakeLoginItem();
  let opened = 0;
  let starts = 0;
  let k = 0;
  const shell = new TrayShell({
    seam,
    store,
    createService: async (settings: Settings) => {
      starts++;
      if (opts.failStart) throw new Error(opts.failStart);
      return createService(settings, {
        platform: 'linux',
        env: {},
        create: (s, d) => VncService.create(s, d),
        desktopCapture: async () => {
          throw new Error('not in this test');
        },
      });
    },
    trayIcon: (state) => `/icons/${state}.png`,
    loginItem: login,
    openWindow: () => void opened++,
    interfaces: () => IFACES,
    randomBytes: (n) => Uint8Array.from({ length: n }, () => (k++ * 37) & 0xff),
  });
  shells.push(shell);
  const tray = () => {
    const t = seam.trays[0];
    if (!t) throw new Error('no tray icon');
    return t;
  };
  return { seam, store, shell, login, opened: () => opened, tray, starts: () => starts };
}

function state(shell: TrayShell): ServerState {
  return shell.control.service.getState();
}

function port(shell: TrayShell): number {
  const p = state(shell).address?.port;
  if (!p) throw new Error('not listening');
  return p;
}

async function viewer(p: number): Promise<TestViewer> {
  const v = await TestViewer.connect(p);
  viewers.push(v);
  return v;
}

async function call(shell: TrayShell, method: string, params?: unknown): Promise<ControlReply> {
  const conn = shell.control.openConnection(() => undefined);
  try {
    return await conn.call(method, params);
  } finally {
    conn.close();
  }
}

function refused(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port: p, host: '127.0.0.1' });
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

describe('TrayShell', () => {
  it('starts in the tray, not sharing, when told not to share', async () => {
    const { shell, tray } = setup();
    await shell.init({ share: false });
    expect(tray().image).toBe('/icons/stopped.png');
    expect(tray().tooltip).toBe('TrayVNC — not sharing');
    expect(tray().labels()).toEqual(['(Not sharing)', 'Start sharing', '---', 'Start at login', 'Open TrayVNC', 'Quit']);
    expect(shell.isSharing).toBe(false);
    expect(state(shell).running).toBe(false);
  });

  it('shares on start: the icon, the tooltip and the address to copy', async () => {
    const { shell, tray, seam } = setup();
    await shell.init({ share: true });
    const p = port(shell);
    expect(tray().image).toBe('/icons/sharing.png');
    expect(tray().tooltip).toBe(`TrayVNC — sharing on port ${p}, no viewers, no password`);
    expect(tray().labels()).toContain(`Copy 127.0.0.1:${p}`);
    tray().clickItem(`Copy 127.0.0.1:${p}`);
    await until(() => seam.clipboardWrites.length === 1, 2000, 'the copy');
    expect(seam.clipboardWrites).toEqual([`127.0.0.1:${p}`]);
  });

  it('copies an invitation link from the menu when the web dashboard serves the viewer, and says why not otherwise', async () => {
    const plain = setup();
    await plain.shell.init({ share: true });
    plain.tray().clickItem('Copy an invitation link');
    await until(() => plain.seam.notices.length === 1, 2000, 'the notice');
    expect(plain.seam.notices[0]).toMatchObject({ title: 'Could not make an invitation' });
    expect(plain.seam.notices[0]?.body).toMatch(/dashboard/);
    expect(plain.seam.clipboardWrites).toEqual([]);
    await plain.shell.shutdown();

    rmSync(join(dir, SETTINGS_FILE));
    const served = setup({ settings: { ...LOCAL, dashboard_port: 0 } });
    await served.shell.init({ share: true });
    served.tray().clickItem('Copy an invitation link');
    await until(() => served.seam.clipboardWrites.length === 1, 2000, 'the copy');
    expect(served.seam.clipboardWrites[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/viewer#invite=[A-Za-z0-9_-]{43}$/);
    expect(served.seam.notices.map((n) => n.title)).toContain('Invitation link copied');
    const listed = await call(served.shell, 'listInvitations');
    expect('result' in listed && (listed.result as Array<{ label: string; state: string }>)[0]).toMatchObject({ label: 'invited from the tray', state: 'open' });
  });

  it('notifies viewers arriving and leaving, shows them in the icon and the menu, and disconnects one from the menu', async () => {
    const { shell, tray, seam } = setup();
    await shell.init({ share: true });
    const v = await viewer(port(shell));
    await until(() => tray().image === '/icons/viewed.png', 3000, 'the viewed icon');
    expect(seam.notices).toHaveLength(1);
    expect(seam.notices[0]?.title).toBe('Viewer connected');
    expect(seam.notices[0]?.body).toMatch(/^127\.0\.0\.1:\d+ is viewing and can control your screen$/);
    expect(tray().labels()).toContain('Disconnect');
    expect(tray().tooltip).toMatch(/^TrayVNC — 1 viewer: 127\.0\.0\.1:\d+$/);

    tray().clickItem('Disconnect');
    await v.sock.waitClosed();
    await until(() => tray().image === '/icons/sharing.png', 3000, 'the sharing icon');
    expect(seam.notices.map((n) => n.title)).toEqual(['Viewer connected', 'Viewer left']);
    expect(seam.notices[1]?.body).toBe(seam.notices[0]?.body.replace(/ is viewing.*$/, ' disconnected'));
    expect(tray().labels()).not.toContain('Disconnect');
  });

  it('stops and starts sharing from the menu, with a new service each time', async () => {
    const { shell, tray, seam, starts } = setup();
    await shell.init({ share: true });
    const first = port(shell);
    tray().clickItem('Stop sharing');
    await until(() => !shell.isSharing, 3000, 'the stop');
    await until(() => tray().image === '/icons/stopped.png', 1000, 'the stopped icon');
    expect(await refused(first)).toBe(true);
    expect(state(shell).running).toBe(false);
    expect(seam.notices).toEqual([]);

    tray().clickItem('Start sharing');
    await until(() => shell.isSharing, 3000, 'the start');
    expect(starts()).toBe(2);
    const v = await viewer(port(shell));
    expect([v.width, v.height]).toEqual([64, 48]);
  });

  it('runs start and stop one after another, however fast they are clicked', async () => {
    const { shell, starts } = setup();
    await shell.init({ share: false });
    const ops = [shell.startSharing(), shell.stopSharing(), shell.startSharing(), shell.startSharing()];
    await Promise.all(ops);
    expect(starts()).toBe(2);
    expect(shell.isSharing).toBe(true);
  });

  it('restarts at once for a setting that needs it when nobody is watching', async () => {
    const { shell, store, starts } = setup();
    await shell.init({ share: true });
    const reply = await call(shell, 'updateSettings', { width: 80 });
    expect(reply).toMatchObject({ result: { restartRequired: ['width'] } });
    await until(() => starts() === 2 && shell.isSharing && state(shell).desktop.width === 80, 5000, 'the restart');
    expect(state(shell).restartRequired).toEqual([]);
    expect(store.settings.width).toBe(80);
    expect(JSON.parse(readFileSync(join(dir, SETTINGS_FILE), 'utf8'))).toMatchObject({ width: 80 });
  });

  it('waits for the viewers to leave before restarting, and offers the restart in the menu meanwhile', async () => {
    const { shell, tray, starts } = setup();
    await shell.init({ share: true });
    const v = await viewer(port(shell));
    await until(() => state(shell).clients === 1, 3000, 'the viewer');
    await call(shell, 'updateSettings', { height: 60 });
    await until(() => tray().labels().includes('Restart sharing to apply changes'), 2000, 'the restart item');
    expect(starts()).toBe(1);
    v.close();
    await until(() => starts() === 2 && shell.isSharing && state(shell).desktop.height === 60, 5000, 'the restart');
    expect(tray().labels()).not.toContain('Restart sharing to apply changes');
  });

  it('restarts from the menu even with viewers, which are disconnected', async () => {
    const { shell, tray, starts } = setup();
    await shell.init({ share: true });
    const v = await viewer(port(shell));
    await until(() => state(shell).clients === 1, 3000, 'the viewer');
    await call(shell, 'updateSettings', { height: 60 });
    await until(() => tray().labels().includes('Restart sharing to apply changes'), 2000, 'the restart item');
    tray().clickItem('Restart sharing to apply changes');
    await v.sock.waitClosed();
    await until(() => starts() === 2 && shell.isSharing, 5000, 'the restart');
    expect(state(shell).desktop.height).toBe(60);
  });

  it('applies live settings without a restart', async () => {
    const { shell, starts } = setup();
    await shell.init({ share: true });
    await call(shell, 'updateSettings', { frame_rate: 5, desktop_name: 'Living room' });
    await new Promise((r) => setTimeout(r, 50));
    expect(starts()).toBe(1);
    expect(state(shell).desktop.name).toBe('Living room');
  });

  it('saves a change made through the web dashboard, when the tray app serves one', async () => {
    const { shell } = setup({ settings: { ...LOCAL, dashboard_port: 0 } });
    await shell.init({ share: true });
    const service = (shell as unknown as { running: { service: VncService } }).running.service;
    expect(service.dashboard).not.toBeNull();
    const ws = new WebSocket(service.dashboard!.url);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const reply = new Promise<{ result?: unknown }>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)) as { result?: unknown })));
    ws.send(JSON.stringify({ id: 1, method: 'updateSettings', params: { frame_rate: 7 } }));
    expect(await reply).toMatchObject({ result: { applied: ['frame_rate'] } });
    ws.close();
    expect(JSON.parse(readFileSync(join(dir, SETTINGS_FILE), 'utf8'))).toMatchObject({ frame_rate: 7 });
    // The window sees the same control API.
    expect(await call(shell, 'getSettings')).toMatchObject({ result: { frame_rate: 7 } });
  });

  it('keeps settings changed while not sharing, and starts with them', async () => {
    const { shell } = setup();
    await shell.init({ share: false });
    expect(await call(shell, 'updateSettings', { width: 96 })).toMatchObject({ result: { settings: { width: 96 } } });
    await shell.startSharing();
    expect(state(shell).desktop.width).toBe(96);
  });

  it('on first run, generates a password, saves it encrypted and shows it once with a button to copy it', async () => {
    const { shell, seam, store } = setup({ settings: null, messageBoxResponse: 0, failStart: 'no desktop here' });
    await shell.init({ share: true });
    const pw = store.settings.password;
    expect(pw).toMatch(/^[2-9a-hjkmnp-z]{8}$/);
    await until(() => seam.messageBoxes.length === 1 && seam.clipboardWrites.length === 1, 2000, 'the password box');
    expect(seam.messageBoxes[0]).toMatchObject({ message: 'Viewers will need this password', buttons: ['Copy password', 'Close'] });
    expect(seam.messageBoxes[0]?.detail).toContain(`Password: ${pw}`);
    expect(seam.clipboardWrites).toEqual([pw]);
    const file = readFileSync(join(dir, SETTINGS_FILE), 'utf8');
    expect(file).not.toContain(pw as string);
    expect(JSON.parse(file)).toMatchObject({ password_secret: { encoding: 'safeStorage' } });
    // the window's API (idle, as the start failed) knows the password, and a later change keeps it
    expect(state(shell).passwordSet).toBe(true);
    await call(shell, 'updateSettings', { frame_rate: 10 });
    expect(store.settings.password).toBe(pw);
    // shown once: the next start generates nothing
    await shell.startSharing();
    expect(seam.messageBoxes).toHaveLength(1);
  });

  it('does not copy the password unless asked', async () => {
    const { shell, seam } = setup({ settings: null, messageBoxResponse: 1, failStart: 'no desktop here' });
    await shell.init({ share: true });
    await until(() => seam.messageBoxes.length === 1, 2000, 'the password box');
    await new Promise((r) => setTimeout(r, 20));
    expect(seam.clipboardWrites).toEqual([]);
  });

  it('never serves the network without a password: one is set before such a start', async () => {
    const { shell, seam } = setup({ settings: { ...LOCAL, host: '0.0.0.0' } });
    await shell.init({ share: true });
    expect(state(shell)).toMatchObject({ running: true, passwordSet: true });
    expect(seam.messageBoxes[0]?.message).toMatch(/reachable from the network/);
  });

  it('says why sharing could not start, in a notification and in the menu', async () => {
    const { shell, seam, tray } = setup({ failStart: 'listen EADDRINUSE: address already in use 127.0.0.1:5900' });
    await shell.init({ share: true });
    expect(shell.isSharing).toBe(false);
    expect(seam.notices).toEqual([{ title: 'Could not start sharing', body: 'listen EADDRINUSE: address already in use 127.0.0.1:5900' }]);
    expect(tray().labels()[1]).toBe('(Could not share: listen EADDRINUSE: address already in use 127.0.0.1:5900)');
    expect(tray().image).toBe('/icons/stopped.png');
  });

  it('toggles "Start at login" from the menu', async () => {
    const { shell, tray, login } = setup();
    await shell.init({ share: false });
    expect(tray().item('Start at login')).toMatchObject({ type: 'checkbox', checked: false });
    tray().clickItem('Start at login');
    await until(() => login.on, 1000, 'the login item');
    expect(tray().item('Start at login')).toMatchObject({ checked: true });
    tray().clickItem('Start at login');
    await until(() => !login.on, 1000, 'the login item off');
    expect(tray().item('Start at login')).toMatchObject({ checked: false });
  });

  it('opens the window from the menu, and from a click on the icon on Windows only', async () => {
    const linux = setup();
    await linux.shell.init({ share: false });
    linux.tray().clickIcon();
    expect(linux.opened()).toBe(0);
    linux.tray().clickItem('Open TrayVNC');
    expect(linux.opened()).toBe(1);

    const win = setup({ platform: 'win32' });
    await win.shell.init({ share: false });
    win.tray().clickIcon();
    expect(win.opened()).toBe(1);
  });

  it('holds a quit until sharing has stopped, then quits and removes the icon', async () => {
    const { shell, seam, tray } = setup();
    seam.app.on('before-quit', (e: ReturnType<typeof preventable>) => shell.onBeforeQuit(e));
    await shell.init({ share: true });
    const p = port(shell);
    tray().clickItem('Quit');
    expect(seam.app.quits).toBe(1);
    expect(shell.isQuitting).toBe(true);
    await until(() => seam.app.quitted, 3000, 'the quit');
    expect(seam.app.quits).toBe(2);
    expect(tray().destroyed).toBe(true);
    expect(await refused(p)).toBe(true);
    // a late start does nothing
    await shell.startSharing();
    expect(shell.isSharing).toBe(false);
  });

  it('lets a quit through at once once shut down', async () => {
    const { shell } = setup();
    await shell.init({ share: false });
    await shell.shutdown();
    const e = preventable();
    shell.onBeforeQuit(e);
    expect(e.prevented).toBe(false);
  });

  it('serves the window the settings without the password', async () => {
    const { shell } = setup({ settings: { ...LOCAL, password: 'abcdefgh' } });
    await shell.init({ share: true });
    const reply = (await call(shell, 'getSettings')) as { result: SettingsView };
    expect(reply.result.password_set).toBe(true);
    expect(JSON.stringify(reply)).not.toContain('abcdefgh');
  });
});

describe('TrayShell recording', () => {
  it('starts and stops a recording from the menu, with a red dot meanwhile, and the file is in the folder', async () => {
    const recordings = join(dir, 'recordings');
    const { shell, tray } = setup({ settings: { ...LOCAL, record_dir: recordings, record_mode: 'manual' } });
    await shell.init({ share: true });
    await until(() => tray().labels().includes('Start recording'));
    tray().clickItem('Start recording');
    await until(() => tray().image === '/icons/recording.png');
    expect(tray().labels()).toContain('Stop recording');
    expect(tray().tooltip).toBe('TrayVNC — recording, no viewers');
    tray().clickItem('Stop recording');
    await until(() => tray().image === '/icons/sharing.png');
    const files = readdirSync(recordings);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^trayvnc-\d{8}-\d{6}\.vnc\.gz$/);
  });

  it('asks in a dialog before a viewer gets in (accept_prompt), and lets it in with the answer given', async () => {
    // The "person" clicks the second button: Accept view-only.
    const { seam, shell } = setup({ settings: { ...LOCAL, accept_prompt: true }, messageBoxResponse: 1 });
    await shell.init({ share: true });
    const port = (await shell.control.service.getState()).address!.port;
    const v = await handshake38(port, { resultTimeoutMs: 10_000 });
    expect(v.ok).toBe(true);
    v.sock.destroy();
    const box = seam.messageBoxes.find((b) => b.title === 'TrayVNC: a viewer wants to connect');
    expect(box?.message).toMatch(/^127\.0\.0\.1:\d+ wants to connect$/);
    expect(box?.buttons).toEqual(['Accept', 'Accept view-only', 'Refuse']);
    const clients = shell.control.service.listClients();
    expect(clients.map((c) => c.viewOnly)).toEqual([true]);
  });

  it('says so in a notification when a recording cannot start', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'x');
    const { shell, tray, seam } = setup({ settings: { ...LOCAL, record_dir: join(blocker, 'recordings'), record_mode: 'manual' } });
    await shell.init({ share: true });
    await until(() => tray().labels().includes('Start recording'));
    tray().clickItem('Start recording');
    await until(() => seam.notices.some((n) => n.title === 'Could not start recording'));
    expect(tray().image).toBe('/icons/sharing.png');
  });
});
