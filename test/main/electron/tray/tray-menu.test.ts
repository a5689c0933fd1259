import type os from 'node:os';
import { clientInfo as client, serverState as state } from '../../../support/control-fixtures.js';
import { describe, expect, it } from 'vitest';
import {
  addressesToShare,
  buildTrayMenu,
  toMenuTemplate,
  trayState,
  trayTooltip,
  type MenuAction,
  type MenuItemModel,
} from '../../../../src/main/electron/tray/tray-menu.js';


const stopped = state({ running: false, address: null });


const one = [client('c1', '10.0.0.7:51000')];
const two = [client('c1', '10.0.0.7:51000'), client('c2', '10.0.0.8:52000', true)];

/** Labels, with separators as '---' and disabled items in parentheses. */
function labels(items: MenuItemModel[]): string[] {
  return items.map((i) => (i.type === 'separator' ? '---' : i.enabled ? i.label : `(${i.label})`));
}

function actions(items: MenuItemModel[]): MenuAction[] {
  return items.flatMap((i) => (i.type === 'normal' && i.click ? [i.click] : []));
}

describe('trayState', () => {
  it('is stopped, sharing or viewed', () => {
    expect(trayState(stopped)).toBe('stopped');
    expect(trayState(state())).toBe('sharing');
    expect(trayState(state({ clients: 2 }))).toBe('viewed');
  });
});

describe('buildTrayMenu', () => {
  it('offers Start sharing when stopped, and no addresses or clients', () => {
    const m = buildTrayMenu(stopped, [], ['192.168.1.5:5900']);
    expect(labels(m)).toEqual(['(Not sharing)', 'Start sharing', '---', 'Open TrayVNC', 'Quit']);
    expect(actions(m)).toEqual([{ action: 'start' }, { action: 'open' }, { action: 'quit' }]);
  });

  it('offers Stop sharing and the addresses when sharing with no clients', () => {
    const m = buildTrayMenu(state(), [], ['192.168.1.5:5900', '10.0.0.2:5900']);
    expect(labels(m)).toEqual([
      '(Sharing — no viewers)',
      'Stop sharing',
      '---',
      '(Connect to:)',
      'Copy 192.168.1.5:5900',
      'Copy 10.0.0.2:5900',
      'Copy an invitation link',
      '---',
      'Open TrayVNC',
      'Quit',
    ]);
    expect(actions(m)).toEqual([
      { action: 'stop' },
      { action: 'copy-address', address: '192.168.1.5:5900' },
      { action: 'copy-address', address: '10.0.0.2:5900' },
      { action: 'invite' },
      { action: 'open' },
      { action: 'quit' },
    ]);
  });

  it('has a section with Disconnect for one client', () => {
    const m = buildTrayMenu(state({ clients: 1 }), one, ['192.168.1.5:5900']);
    expect(labels(m)).toEqual([
      '(Sharing — 1 viewer)',
      'Stop sharing',
      '---',
      '(Connect to:)',
      'Copy 192.168.1.5:5900',
      'Copy an invitation link',
      '---',
      '(10.0.0.7:51000)',
      'Disconnect',
      '---',
      'Open TrayVNC',
      'Quit',
    ]);
    expect(actions(m)).toContainEqual({ action: 'disconnect', id: 'c1' });
  });

  it('has a section per client for two clients, each disconnecting its own', () => {
    const m = buildTrayMenu(state({ clients: 2 }), two, ['192.168.1.5:5900']);
    expect(labels(m)).toEqual([
      '(Sharing — 2 viewers)',
      'Stop sharing',
      '---',
      '(Connect to:)',
      'Copy 192.168.1.5:5900',
      'Copy an invitation link',
      '---',
      '(10.0.0.7:51000)',
      'Disconnect',
      '---',
      '(10.0.0.8:52000 (view only))',
      'Disconnect',
      '---',
      'Open TrayVNC',
      'Quit',
    ]);
    expect(actions(m).filter((a) => a.action === 'disconnect')).toEqual([
      { action: 'disconnect', id: 'c1' },
      { action: 'disconnect', id: 'c2' },
    ]);
  });

  it('says so when there is no address to give out or no password', () => {
    const m = buildTrayMenu(state({ passwordSet: false }), [], []);
    expect(labels(m)).toContain('(No network address to share)');
    expect(labels(m)).toContain('(No password set)');
    expect(actions(m).some((a) => a.action === 'copy-address')).toBe(false);
  });

  it('warns when the server is open to the network without authentication', () => {
    const m = buildTrayMenu(state({ passwordSet: false, securityWarnings: [{ kind: 'no-auth', message: 'No authentication: …' }] }), [], []);
    expect(labels(m)).toContain('(Warning: no authentication on the network)');
  });
});

describe('trayTooltip', () => {
  it('describes each state', () => {
    expect(trayTooltip(stopped, [])).toBe('TrayVNC — not sharing');
    expect(trayTooltip(state(), [])).toBe('TrayVNC — sharing on port 5900, no viewers');
    expect(trayTooltip(state({ passwordSet: false }), [])).toBe('TrayVNC — sharing on port 5900, no viewers, no password');
    expect(trayTooltip(state({ clients: 1 }), one)).toBe('TrayVNC — 1 viewer: 10.0.0.7:51000');
    expect(trayTooltip(state({ clients: 2 }), two)).toBe('TrayVNC — 2 viewers: 10.0.0.7:51000, 10.0.0.8:52000');
  });
});

describe('toMenuTemplate', () => {
  it('maps items to Electron template entries and dispatches clicks', () => {
    const seen: MenuAction[] = [];
    const t = toMenuTemplate(buildTrayMenu(state({ clients: 1 }), one, []), (a) => seen.push(a));
    const disconnect = t.find((i) => i.label === 'Disconnect');
    const click = disconnect?.click as (() => void) | undefined;
    click?.();
    expect(seen).toEqual([{ action: 'disconnect', id: 'c1' }]);
    expect(t.filter((i) => i.type === 'separator').length).toBeGreaterThan(0);
    expect(t[0]).toEqual({ type: 'normal', label: 'Sharing — 1 viewer', enabled: false });
  });
});

describe('addressesToShare', () => {
  const ifaces: ReturnType<typeof os.networkInterfaces> = {
    lo: [
      { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
      { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6', mac: '00:00:00:00:00:00', internal: true, cidr: '::1/128', scopeid: 0 },
    ],
    eth0: [
      { address: '192.168.1.5', netmask: '255.255.255.0', family: 'IPv4', mac: 'aa:bb:cc:dd:ee:ff', internal: false, cidr: '192.168.1.5/24' },
      { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: 'aa:bb:cc:dd:ee:ff', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
    ],
    wlan0: [{ address: '10.0.0.2', netmask: '255.255.255.0', family: 'IPv4', mac: 'aa:bb:cc:dd:ee:00', internal: false, cidr: '10.0.0.2/24' }],
    down: undefined,
  };

  it('lists every non-internal IPv4 address when bound to all', () => {
    expect(addressesToShare(ifaces, 5900, '0.0.0.0')).toEqual(['192.168.1.5:5900', '10.0.0.2:5900']);
    expect(addressesToShare(ifaces, 5901, '::')).toEqual(['192.168.1.5:5901', '10.0.0.2:5901']);
  });

  it('gives only loopback when bound to loopback', () => {
    expect(addressesToShare(ifaces, 5900, '127.0.0.1')).toEqual(['127.0.0.1:5900']);
    expect(addressesToShare(ifaces, 5900, '::1')).toEqual(['[::1]:5900']);
  });

  it('gives the one address it is bound to', () => {
    expect(addressesToShare(ifaces, 5900, '10.0.0.2')).toEqual(['10.0.0.2:5900']);
  });

  it('is empty with no external interface', () => {
    expect(addressesToShare({ lo: ifaces['lo'] }, 5900, '0.0.0.0')).toEqual([]);
  });
});

describe('buildTrayMenu extras', () => {
  it('has a "Start at login" check box where the platform has one', () => {
    const on = buildTrayMenu(stopped, [], [], { startAtLogin: true });
    expect(labels(on)).toEqual(['(Not sharing)', 'Start sharing', '---', 'Start at login', 'Open TrayVNC', 'Quit']);
    expect(on.find((i) => i.type === 'checkbox')).toEqual({
      type: 'checkbox',
      label: 'Start at login',
      enabled: true,
      checked: true,
      click: { action: 'toggle-login' },
    });
    const off = buildTrayMenu(stopped, [], [], { startAtLogin: false });
    expect(off.find((i) => i.type === 'checkbox')).toMatchObject({ checked: false });
    expect(buildTrayMenu(stopped, [], [], { startAtLogin: null }).some((i) => i.type === 'checkbox')).toBe(false);
  });

  it('offers a restart when changed settings wait for one', () => {
    const m = buildTrayMenu(state({ clients: 1 }), one, [], { restartPending: true });
    expect(labels(m).slice(0, 3)).toEqual(['(Sharing — 1 viewer)', 'Stop sharing', 'Restart sharing to apply changes']);
    expect(actions(m)).toContainEqual({ action: 'restart' });
    expect(labels(buildTrayMenu(stopped, [], [], { restartPending: true }))).not.toContain('Restart sharing to apply changes');
  });

  it('says why sharing could not start, cut to a menu-friendly length', () => {
    const m = buildTrayMenu(stopped, [], [], { problem: 'listen EADDRINUSE: address already in use 0.0.0.0:5900' });
    expect(labels(m)[1]).toBe('(Could not share: listen EADDRINUSE: address already in use 0.0.0.0:5900)');
    const long = buildTrayMenu(stopped, [], [], { problem: 'x'.repeat(300) });
    const label = labels(long)[1] ?? '';
    expect(label.length).toBe(82); // 80 and the parentheses
    expect(label.endsWith('…)')).toBe(true);
  });

  it('turns the check box into an Electron checkbox that dispatches its action', () => {
    const seen: MenuAction[] = [];
    const t = toMenuTemplate(buildTrayMenu(stopped, [], [], { startAtLogin: false }), (a) => seen.push(a));
    const box = t.find((i) => i.type === 'checkbox');
    expect(box).toMatchObject({ type: 'checkbox', label: 'Start at login', checked: false, enabled: true });
    (box?.click as () => void)();
    expect(seen).toEqual([{ action: 'toggle-login' }]);
  });
});

describe('recording in the tray', () => {
  const idle = { mode: 'manual' as const, active: null, error: null, keys: false, clipboardText: false };
  const busy = { ...idle, active: { name: 'trayvnc-20261206-120000.vnc.gz', startedAt: 0 } };

  it('shows a red dot while recording, whoever watches', () => {
    expect(trayState(state({ recording: busy }))).toBe('recording');
    expect(trayState(state({ recording: busy, clients: 2 }))).toBe('recording');
    expect(trayState(state({ recording: idle, clients: 2 }))).toBe('viewed');
    expect(trayTooltip(state({ recording: busy, clients: 1 }), one)).toBe('TrayVNC — recording, 1 viewer');
  });

  it('offers Start recording while sharing, and Stop recording with the file while recording', () => {
    const start = buildTrayMenu(state({ recording: idle }), [], []);
    expect(labels(start)).toContain('Start recording');
    expect(actions(start)).toContainEqual({ action: 'start-recording' });
    const stop = buildTrayMenu(state({ recording: busy }), [], []);
    expect(labels(stop)).toEqual(expect.arrayContaining(['(Recording — trayvnc-20261206-120000.vnc.gz)', 'Stop recording']));
    expect(actions(stop)).toContainEqual({ action: 'stop-recording' });
    expect(labels(stop)).not.toContain('Start recording');
  });

  it('says why a recording stopped on its own, and offers none while not sharing', () => {
    const failed = buildTrayMenu(state({ recording: { ...idle, error: 'the disk is full' } }), [], []);
    expect(labels(failed)).toContain('(Recording stopped: the disk is full)');
    expect(labels(buildTrayMenu(stopped, [], []))).not.toContain('Start recording');
  });
});
