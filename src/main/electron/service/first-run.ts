import { isLoopbackHost } from '../../../shared/hosts.js';
import { generatePassword } from '../../../shared/password.js';
import type { Settings } from '../../../shared/settings-schema.js';

/**
 * The password a new install starts with. On first run (no settings file yet)
 * with no password, one is generated, saved, and handed back once so the UI
 * can show it. At any later start, a server that would listen beyond loopback
 * with no password gets one too: the app never leaves an open desktop on the
 * network.
 */

/** The parts of SettingsStore used here (call `load()` first). */
export interface FirstRunStore {
  readonly settings: Settings;
  /** Whether a settings file was there when loaded (false on first run). */
  readonly existed: boolean;
  save(settings: Settings): void;
}

export interface FirstRunResult {
  /** The new password, to show once; null when none was generated. */
  password: string | null;
  generated: boolean;
}

function hasPassword(s: Settings): boolean {
  return (s.password !== null && s.password !== undefined) || s.password_file !== undefined;
}

/**
 * Set a generated password when this is the first run and none is set, or
 * when the server would be reachable from the network without one (an
 * explicit non-loopback host; with no host it listens on loopback until a
 * password is set).
 */
export function ensureFirstRunPassword(store: FirstRunStore, randomBytes: (n: number) => Uint8Array): FirstRunResult {
  const s = store.settings;
  if (hasPassword(s)) return { password: null, generated: false };
  const exposed = s.host !== undefined && !isLoopbackHost(s.host);
  if (store.existed && !exposed) return { password: null, generated: false };
  const password = generatePassword(randomBytes);
  store.save({ ...s, password });
  return { password, generated: true };
}

/** How a generated password is shown (once, in a message box with a button to copy it). */
export interface PasswordNotice {
  title: string;
  message: string;
  detail: string;
  buttons: [copy: string, close: string];
}

export function passwordNotice(password: string, firstRun: boolean): PasswordNotice {
  return {
    title: 'TrayVNC',
    message: firstRun ? 'Viewers will need this password' : 'TrayVNC set a password, as it is reachable from the network',
    detail: `Password: ${password}\n\nIt is shown only this once. You can change it in TrayVNC's settings.`,
    buttons: ['Copy password', 'Close'],
  };
}
