import type { MenuItemConstructorOptions } from 'electron';
import type os from 'node:os';
import type { ClientInfo, ServerState } from '../../../shared/control-contract.js';
import { hostPort, isWildcardHost } from '../../../shared/hosts.js';

/**
 * The tray icon's menu and tooltip as plain data. The model is built from the
 * server's state, its clients and the addresses to give out; `toMenuTemplate`
 * turns it into Electron's template with one dispatch function for every
 * click. Everything here but that last step runs without Electron.
 */

/** What a menu item does when clicked. */
export type MenuAction =
  | { action: 'start' }
  | { action: 'stop' }
  | { action: 'copy-address'; address: string }
  | { action: 'invite' }
  | { action: 'disconnect'; id: string }
  | { action: 'restart' }
  | { action: 'start-recording' }
  | { action: 'stop-recording' }
  | { action: 'toggle-login' }
  | { action: 'open' }
  | { action: 'quit' };

export type MenuItemModel =
  | { type: 'normal'; label: string; enabled: boolean; click?: MenuAction }
  | { type: 'checkbox'; label: string; enabled: boolean; checked: boolean; click: MenuAction }
  | { type: 'separator' };

/** What the menu shows beyond the server's state. */
export interface TrayMenuExtras {
  /** "Start at login" as a check box; null or left out where the platform has none. */
  startAtLogin?: boolean | null;
  /** Settings changed that apply after a restart, which waits for the viewers to leave. */
  restartPending?: boolean;
  /** Why sharing is not running (the last start failed). */
  problem?: string | null;
}

/** Longer menu labels get cut: some trays show a menu as wide as its widest item. */
const MAX_NOTE = 80;

function clip(text: string): string {
  return text.length > MAX_NOTE ? `${text.slice(0, MAX_NOTE - 1)}…` : text;
}

/** What the icon shows: not listening, listening with no viewer, being viewed, recording (a red dot, whoever watches). */
export type TrayState = 'stopped' | 'sharing' | 'viewed' | 'recording';

export function trayState(state: ServerState): TrayState {
  if (!state.running) return 'stopped';
  if (state.recording?.active) return 'recording';
  return state.clients > 0 ? 'viewed' : 'sharing';
}

const SEPARATOR: MenuItemModel = { type: 'separator' };

function item(label: string, click: MenuAction): MenuItemModel {
  return { type: 'normal', label, enabled: true, click };
}

function note(label: string): MenuItemModel {
  return { type: 'normal', label, enabled: false };
}

/** The section header naming a client. */
export function clientLabel(c: ClientInfo): string {
  return c.viewOnly ? `${c.address} (view only)` : c.address;
}

function viewers(n: number): string {
  return n === 1 ? '1 viewer' : `${n} viewers`;
}

/**
 * The menu: Start/Stop sharing; while sharing, the addresses to connect to
 * (each copies itself to the clipboard), an invitation link to copy, and a section per connected client
 * with "Disconnect"; then "Start at login" where the platform has it, Open
 * TrayVNC and Quit.
 */
export function buildTrayMenu(
  state: ServerState,
  clients: readonly ClientInfo[],
  addresses: readonly string[],
  extras: TrayMenuExtras = {},
): MenuItemModel[] {
  const items: MenuItemModel[] = [];
  if (!state.running) {
    items.push(note('Not sharing'));
    if (extras.problem) items.push(note(clip(`Could not share: ${extras.problem}`)));
    items.push(item('Start sharing', { action: 'start' }));
  } else {
    items.push(note(clients.length > 0 ? `Sharing — ${viewers(clients.length)}` : 'Sharing — no viewers'), item('Stop sharing', { action: 'stop' }));
    if (extras.restartPending) items.push(item('Restart sharing to apply changes', { action: 'restart' }));
    if (!state.passwordSet) items.push(note('No password set'));
    for (const w of state.securityWarnings ?? []) items.push(note(w.kind === 'no-auth' ? 'Warning: no authentication on the network' : 'Warning: unencrypted logins from the network'));
    if (state.recording?.active) items.push(note(clip(`Recording — ${state.recording.active.name}`)), item('Stop recording', { action: 'stop-recording' }));
    else if (state.recording) {
      if (state.recording.error) items.push(note(clip(`Recording stopped: ${state.recording.error}`)));
      items.push(item('Start recording', { action: 'start-recording' }));
    }

    items.push(SEPARATOR);
    if (addresses.length === 0) items.push(note('No network address to share'));
    else {
      items.push(note('Connect to:'));
      for (const address of addresses) items.push(item(`Copy ${address}`, { action: 'copy-address', address }));
    }
    // A one-use link to the browser viewer (served by the web dashboard), copied to the clipboard.
    items.push(item('Copy an invitation link', { action: 'invite' }));

    for (const c of clients) {
      items.push(SEPARATOR, note(clientLabel(c)), item('Disconnect', { action: 'disconnect', id: c.id }));
    }
  }
  items.push(SEPARATOR);
  if (typeof extras.startAtLogin === 'boolean') {
    items.push({ type: 'checkbox', label: 'Start at login', enabled: true, checked: extras.startAtLogin, click: { action: 'toggle-login' } });
  }
  items.push(item('Open TrayVNC', { action: 'open' }), item('Quit', { action: 'quit' }));
  return items;
}

/** The icon's tooltip: the state in a few words. */
export function trayTooltip(state: ServerState, clients: readonly ClientInfo[]): string {
  switch (trayState(state)) {
    case 'stopped':
      return 'TrayVNC — not sharing';
    case 'recording': {
      const n = clients.length > 0 ? clients.length : state.clients;
      return `TrayVNC — recording, ${n > 0 ? viewers(n) : 'no viewers'}`;
    }
    case 'sharing': {
      const port = state.address ? ` on port ${state.address.port}` : '';
      return `TrayVNC — sharing${port}, no viewers${state.passwordSet ? '' : ', no password'}`;
    }
    case 'viewed': {
      const n = clients.length > 0 ? clients.length : state.clients;
      const who = clients.length > 0 ? `: ${clients.map((c) => c.address).join(', ')}` : '';
      return `TrayVNC — ${viewers(n)}${who}`;
    }
  }
}

type Interfaces = ReturnType<typeof os.networkInterfaces>;

/**
 * The host:port strings a user would give to a viewer: the listen address
 * itself when bound to one address (loopback included), every non-internal
 * IPv4 address when bound to all of them.
 */
export function addressesToShare(interfaces: Interfaces, port: number, host: string): string[] {
  if (!isWildcardHost(host)) return [hostPort(host, port)];
  const out: string[] = [];
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      // Node 18.0–18.3 gave the family as a number.
      const family = String(a.family);
      if (a.internal || (family !== 'IPv4' && family !== '4')) continue;
      const s = hostPort(a.address, port);
      if (!out.includes(s)) out.push(s);
    }
  }
  return out;
}

/** Electron's menu template for a model; every click goes to `dispatch`. */
export function toMenuTemplate(items: readonly MenuItemModel[], dispatch: (action: MenuAction) => void): MenuItemConstructorOptions[] {
  return items.map((i): MenuItemConstructorOptions => {
    if (i.type === 'separator') return { type: 'separator' };
    if (i.type === 'checkbox') {
      const action = i.click;
      return { type: 'checkbox', label: i.label, enabled: i.enabled, checked: i.checked, click: () => dispatch(action) };
    }
    const click = i.click;
    return click ? { type: 'normal', label: i.label, enabled: i.enabled, click: () => dispatch(click) } : { type: 'normal', label: i.label, enabled: i.enabled };
  });
}
