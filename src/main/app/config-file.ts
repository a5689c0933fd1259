import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import type { SettingKey, Settings } from '../../shared/settings-schema.js';

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
export function writeFileAtomic(path: string, text: string): string {
  const target = existsSync(path) ? realpathSync(path) : path;
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
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

const PASSWORD_KEYS: ReadonlySet<string> = new Set(['password', 'password_file']);

/**
 * Write the settings that `changed` into the config file at `path` and
 * return the path written. Only those keys change: keys of the file that did
 * not change, and keys this version does not know, stay as they are, and
 * nothing given on the command line is written unless it was changed.
 *
 * The password is kept as config.json keeps it: in the file the config's
 * `password_file` names, when it names one (first line, mode 0600), else
 * inline as `password` (the config file is mode 0600).
 */
export function saveSettingsToFile(path: string, settings: Settings, changed: readonly SettingKey[]): string {
  const file = readObject(path);
  for (const key of changed) {
    if (PASSWORD_KEYS.has(key)) continue;
    const value = settings[key];
    if (value === undefined) delete file[key];
    else file[key] = value;
  }
  if (changed.some((k) => PASSWORD_KEYS.has(k))) savePassword(file, settings);
  return writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

function savePassword(file: Record<string, unknown>, settings: Settings): void {
  if (settings.password_file !== undefined) {
    file['password_file'] = settings.password_file;
    delete file['password'];
  } else if (typeof settings.password === 'string') {
    const named = file['password_file'];
    if (typeof named === 'string' && named !== '') {
      writeFileAtomic(named, `${settings.password}\n`);
      delete file['password'];
    } else {
      file['password'] = settings.password;
    }
  } else {
    delete file['password'];
    delete file['password_file'];
  }
}
