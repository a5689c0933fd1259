import { readFileSync } from 'node:fs';
import os from 'node:os';
import { getLogger } from '../base/logger.js';
import { sameVncPassword } from '../../shared/password.js';
import { fieldErrorLines, SettingsSchema, validateSettings, type Settings, type SettingsInput } from '../../shared/settings-schema.js';
import { decodeVncPasswd, passwordFileFormat } from './vncpasswd.js';

const log = getLogger('config');

/**
 * The configuration file's schema: the shared settings schema
 * (src/shared/settings-schema.ts), which the control API and the UI validate with too.
 * Keys keep PyVNCServer's names so its config.json files load unchanged.
 */
export const ConfigSchema = SettingsSchema;

export type Config = Settings;
export type ConfigInput = SettingsInput;

/** A configuration problem, with one message per offending field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Validate raw settings (file contents merged with flags); throws ConfigError naming each bad field. */
export function parseConfig(raw: unknown): Config {
  const v = validateSettings(raw);
  // Named by key, as in the file and the README: "frame_rate must be a whole number from 1 to 60".
  if (!v.ok) throw new ConfigError(fieldErrorLines(v.fieldErrors));
  return v.settings;
}

/** Keys present in a config file that we do not know (reported as a warning, not an error). */
export function unknownKeys(raw: Record<string, unknown>): string[] {
  const known = new Set(Object.keys(ConfigSchema.shape));
  return Object.keys(raw).filter((k) => !known.has(k));
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError([`cannot read config file ${path}: ${(e as Error).message}`]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`config file ${path} is not valid JSON: ${(e as Error).message}`]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError([`config file ${path} must hold a JSON object`]);
  }
  return data as Record<string, unknown>;
}

/** The passwords a server runs with: full control and view-only, either may be unset. */
export interface Passwords {
  full: string | null;
  viewOnly: string | null;
}

/** What a password file holds, and in which format it was written. */
export interface PasswordFile {
  full: string;
  viewOnly: string | null;
  format: 'vncpasswd' | 'text';
}

/** The password(s) in a password file: TigerVNC's vncpasswd format (one or two), or the first line of text. */
export function readPasswordFile(path: string, key: string): PasswordFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ConfigError([`${key}: cannot read ${path}: ${(e as Error).message}`]);
  }
  if (passwordFileFormat(bytes) === 'vncpasswd') {
    try {
      return { ...decodeVncPasswd(bytes), format: 'vncpasswd' };
    } catch (e) {
      throw new ConfigError([`${key}: ${path}: ${(e as Error).message}`]);
    }
  }
  const line = bytes.toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw new ConfigError([`${key}: ${path} has an empty first line`]);
  return { full: line, viewOnly: null, format: 'text' };
}

/** The full-control password in force: inline, or from password_file. */
export function resolvePassword(cfg: Config): string | null {
  return cfg.password_file ? readPasswordFile(cfg.password_file, 'password_file').full : (cfg.password ?? null);
}

type FileReader = (path: string, key: string) => PasswordFile | null;

/** Both passwords from the settings, files read by `read` (null: leave that file out). */
function passwordsOf(cfg: Config, read: FileReader): Passwords {
  const fromFile = cfg.password_file ? read(cfg.password_file, 'password_file') : null;
  const full = cfg.password_file ? (fromFile?.full ?? null) : (cfg.password ?? null);
  if (cfg.view_only_password_file) {
    const vo = read(cfg.view_only_password_file, 'view_only_password_file');
    if (vo && vo.viewOnly !== null) {
      throw new ConfigError([
        `view_only_password_file: ${cfg.view_only_password_file} holds two passwords (a vncpasswd file with a view-only password): give it as password_file`,
      ]);
    }
    return { full, viewOnly: vo?.full ?? null };
  }
  return { full, viewOnly: cfg.view_only_password ?? fromFile?.viewOnly ?? null };
}

/**
 * Both passwords in force. The full one: `password`, or `password_file`.
 * The view-only one: `view_only_password`, or `view_only_password_file`,
 * or else the second password of a vncpasswd `password_file`. Throws a
 * ConfigError when a file cannot be read, or when the two passwords are the
 * same to VNC Authentication (the view-only one would give full control).
 * Logs which format each file is in (never what it holds).
 */
export function resolvePasswords(cfg: Config): Passwords {
  const passwords = passwordsOf(cfg, (path, key) => {
    const file = readPasswordFile(path, key);
    const what = file.format === 'text' ? 'a text file (the password is its first line)' : `a vncpasswd file (${file.viewOnly !== null ? 'full and view-only passwords' : 'one password'})`;
    log.info({ setting: key, file: path, format: file.format }, `${key}: ${path} is ${what}`);
    return file;
  });
  const clash = passwordClash(passwords, cfg);
  if (clash) throw new ConfigError([clash]);
  return passwords;
}

/**
 * Why these passwords cannot go together, or null: a view-only password that
 * VNC Authentication cannot tell from the full one (DES reads 8 characters)
 * would give full control.
 */
export function passwordClash(p: Passwords, cfg: Pick<Config, 'password_file' | 'view_only_password_file'>): string | null {
  if (p.full === null || p.viewOnly === null || !sameVncPassword(p.full, p.viewOnly)) return null;
  const where = (file: string | undefined) => (file ? ` (from ${file})` : '');
  return (
    `the view-only password${where(cfg.view_only_password_file)} and the password${where(cfg.password_file)} are the same in their first 8 characters, ` +
    'the only ones VNC Authentication reads: the view-only password would give full control. Choose a different view-only password'
  );
}

/** A password file's contents, or null when it cannot be read (reported when the server starts instead). */
const tolerantRead: FileReader = (path, key) => {
  try {
    return readPasswordFile(path, key);
  } catch {
    return null;
  }
};

/** The clash of the settings' passwords (see passwordClash), for a change made from the control API; unreadable files are left out. */
export function settingsPasswordClash(cfg: Config): string | null {
  try {
    return passwordClash(passwordsOf(cfg, tolerantRead), cfg);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.join('; ');
    throw e;
  }
}

/** Whether the settings give a view-only password (inline, its own file, or a vncpasswd password_file's second password). */
export function hasViewOnlyPassword(cfg: Config): boolean {
  if (cfg.view_only_password_file !== undefined || (cfg.view_only_password !== null && cfg.view_only_password !== undefined)) return true;
  return cfg.password_file !== undefined && tolerantRead(cfg.password_file, 'password_file')?.viewOnly != null;
}

/** Without a password (full or view-only) the server listens on loopback only, unless a host is given explicitly. */
export function resolveHost(cfg: Config, passwords: Passwords): string {
  return cfg.host ?? (passwords.full === null && passwords.viewOnly === null ? '127.0.0.1' : '0.0.0.0');
}

export function defaultDesktopName(): string {
  return os.hostname();
}
