import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { SettingKey, Settings } from '../../shared/settings-schema.js';
import { decodeVncPasswd, encodeVncPasswd, passwordFileFormat, vncpasswdIsUnambiguous } from './vncpasswd.js';

/**
 * The headless server's settings file: where `trayvnc serve` finds it when
 * no --config is given, and how changes made from the dashboard are written
 * back into it. The tray app keeps its own (electron/settings-store.ts).
 */

/**
 * `$XDG_CONFIG_HOME/trayvnc/config.json`, or `~/.config/trayvnc/config.json`
 * when XDG_CONFIG_HOME is unset or not absolute (as the XDG Base Directory
 * specification says to treat it).
 */
export function userConfigPath(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && isAbsolute(xdg) ? xdg : join(home, '.config');
  return join(base, 'trayvnc', 'config.json');
}

/**
 * Replace `path` with `text` so that a reader sees the old file or the new
 * one, never half of either: write a temporary file beside it (mode 0600,
 * flushed to disk), then rename it over. A symbolic link is followed, so the
 * file it points to is the one replaced.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array): string {
  const target = existsSync(path) ? realpathSync(path) : path;
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      if (typeof text === 'string') writeSync(fd, text);
      else writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return target;
}

function readObject(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    // Never overwrite a file we could not read: it may hold what the user meant to keep.
    throw new Error(`${path} is not valid JSON (${(e as Error).message}); fix it or move it away`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`${path} does not hold a JSON object`);
  return data as Record<string, unknown>;
}

const FULL_KEYS: ReadonlySet<string> = new Set(['password', 'password_file']);
const VIEW_ONLY_KEYS: ReadonlySet<string> = new Set(['view_only_password', 'view_only_password_file']);

/**
 * Write the settings that `changed` into the config file at `path` and
 * return the path written. Only those keys change: keys of the file that did
 * not change, and keys this version does not know, stay as they are, and
 * nothing given on the command line is written unless it was changed.
 *
 * Passwords are kept where the config file keeps them: in the file its
 * `password_file` (or `view_only_password_file`) names, in that file's
 * format (a vncpasswd file keeps both passwords, a text file holds the
 * first line, mode 0600); else inline (the config file is mode 0600, and
 * the server warns at start that a password file is better).
 */
export function saveSettingsToFile(path: string, settings: Settings, changed: readonly SettingKey[]): string {
  const file = readObject(path);
  for (const key of changed) {
    if (FULL_KEYS.has(key) || VIEW_ONLY_KEYS.has(key)) continue;
    const value = settings[key];
    if (value === undefined) delete file[key];
    else file[key] = value;
  }
  const full = changed.some((k) => FULL_KEYS.has(k));
  const viewOnly = changed.some((k) => VIEW_ONLY_KEYS.has(k));
  if (full || viewOnly) savePasswords(file, settings, full, viewOnly);
  return writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** A config key naming a file, when it does. */
function named(file: Record<string, unknown>, key: string): string | null {
  const v = file[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

/** A file's bytes, or null when it is not there or cannot be read. */
function bytesOf(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

/** Write a vncpasswd file, refusing one that would be read back as text (see passwordFileFormat). */
function writeVncpasswd(path: string, full: string, viewOnly: string | null): void {
  const bytes = encodeVncPasswd(full, viewOnly);
  if (!vncpasswdIsUnambiguous(bytes)) {
    throw new Error(`${path}: this password, encrypted, would read as a text file: choose another password`);
  }
  writeFileAtomic(path, bytes);
}

function savePasswords(file: Record<string, unknown>, settings: Settings, fullChanged: boolean, viewOnlyChanged: boolean): void {
  // A vncpasswd password_file holds both passwords: changes to either are gathered and written once.
  const pending: { vnc: { path: string; full: string; viewOnly: string | null } | null } = { vnc: null };
  const vncFile = (): typeof pending.vnc => {
    const path = named(file, 'password_file');
    const bytes = path ? bytesOf(path) : null;
    if (!path || !bytes || passwordFileFormat(bytes) !== 'vncpasswd') return null;
    return (pending.vnc ??= { path, ...decodeVncPasswd(bytes) });
  };

  if (fullChanged) {
    if (settings.password_file !== undefined) {
      file['password_file'] = settings.password_file;
      delete file['password'];
    } else if (typeof settings.password === 'string') {
      const path = named(file, 'password_file');
      const v = vncFile();
      if (v) v.full = settings.password;
      else if (path) writeFileAtomic(path, `${settings.password}\n`);
      else file['password'] = settings.password;
      if (path) delete file['password'];
    } else {
      delete file['password'];
      delete file['password_file'];
    }
  }

  if (viewOnlyChanged) {
    if (settings.view_only_password_file !== undefined) {
      file['view_only_password_file'] = settings.view_only_password_file;
      delete file['view_only_password'];
    } else if (typeof settings.view_only_password === 'string') {
      const own = named(file, 'view_only_password_file');
      const ownBytes = own ? bytesOf(own) : null;
      const v = own ? null : vncFile();
      if (own && ownBytes && passwordFileFormat(ownBytes) === 'vncpasswd') writeVncpasswd(own, settings.view_only_password, null);
      else if (own) writeFileAtomic(own, `${settings.view_only_password}\n`);
      else if (v) v.viewOnly = settings.view_only_password;
      else file['view_only_password'] = settings.view_only_password;
      if (own || v) delete file['view_only_password'];
    } else {
      delete file['view_only_password'];
      delete file['view_only_password_file'];
      const v = vncFile();
      if (v) v.viewOnly = null;
    }
  }

  if (pending.vnc) writeVncpasswd(pending.vnc.path, pending.vnc.full, pending.vnc.viewOnly);
}
