import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fieldErrorLines, SettingsSchema, validateSettings, type Settings, type SettingsInput } from '../../shared/settings-schema.js';

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

/** The password in force: inline, or the first line of password_file. */
export function resolvePassword(cfg: Config): string | null {
  if (cfg.password_file) {
    let text: string;
    try {
      text = readFileSync(cfg.password_file, 'utf8');
    } catch (e) {
      throw new ConfigError([`password_file: cannot read ${cfg.password_file}: ${(e as Error).message}`]);
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line.length === 0) throw new ConfigError([`password_file: ${cfg.password_file} has an empty first line`]);
    return line;
  }
  return cfg.password ?? null;
}

/** Without a password the server listens on loopback only, unless a host is given explicitly. */
export function resolveHost(cfg: Config, password: string | null): string {
  return cfg.host ?? (password === null ? '127.0.0.1' : '0.0.0.0');
}

export function defaultDesktopName(): string {
  return os.hostname();
}
