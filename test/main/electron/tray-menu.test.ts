import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { ClientInfo, ServerState } from '../../../src/shared/control-contract.js';
import {
  addressesToShare,
  buildTrayMenu,
  toMenuTemplate,
  trayState,
  trayTooltip,
  type MenuAction,
  type MenuItemModel,
} from '../../../src/main/electron/tray-menu.js';

function state(over: Partial<ServerState> = {}): ServerState {
  return {
    running: true,
    address: { host: '0.0.0.0', port: 5900 },
    websocket: null,
    source: 'synthetic',
    desktop: { name: 'test', width: 640, height: 480 },
    clients: 0,
    passwordSet: true,
    restartRequired: [],
    metrics: false,
    ...over,
  };
}

const stopped = state({ running: false, address: null });

function client(id: string, address: string, viewOnly = false): ClientInfo {
  return {
    id,
    address,
    connectedAt: 0,
    encodings: [],
    encodingsInUse: [],
    pixelFormat: {
      bitsPerPixel: 32,
      depth: 24,
      bigEndian: false,
      trueColour: true,
      redMax: 255,
      greenMax: 255,
      blueMax: 255,
      redShift: 16,
      greenShift: 8,
      blueShift: 0,
      summary: '32 bpp',
    },
    fps: null,
    bandwidth: null,
    bytesSent: 0,
    bytesReceived: 0,
    updatesSent: 0,
    viewOnly,
    shared: true,
  };
}

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
      '---',
      'Open TrayVNC',
      'Quit',
    ]);
    expect(actions(m)).toEqual([
      { action: 'stop' },
      { action: 'copy-address', address: '192.168.1.5:5900' },
      { action: 'copy-address', address: '10.0.0.2:5900' },
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
