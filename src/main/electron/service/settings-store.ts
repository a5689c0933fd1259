import type { SafeStorage } from 'electron';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateSettings, type FieldErrors, type Settings } from '../../../shared/settings-schema.js';

/**
 * The tray app's settings, kept as JSON in the user-data folder (passed in).
 *
 * - Loading never throws: a missing file gives the defaults; a file that is
 *   not JSON gives the defaults and a problem; a field the schema refuses
 *   falls back to its default and is reported under its name.
 * - Saving writes a temporary file next to the real one and renames it over,
 *   so a crash mid-write leaves the old file whole.
 * - The passwords are not written as text: they go through the OS keychain
 *   (Electron's safeStorage, injected). Where that is unavailable (some Linux
 *   desktops) they are stored base64 with a flag saying so, and
 *   `passwordProtected` is false so the UI can warn.
 */

/** The parts of Electron's safeStorage used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

// Electron's own object must fit this shape (a compile error here means Electron's API moved).
const safeStorageFits = (s: SafeStorage): SafeStorageLike => s;
void safeStorageFits;

/** How the password is kept in the file. */
export interface StoredSecret {
  /** 'safeStorage': encrypted by the OS keychain; 'base64': not encrypted. */
  encoding: 'safeStorage' | 'base64';
  data: string;
}

/** The file's key holding the password (the settings' own `password` key is never written). */
export const SECRET_KEY = 'password_secret';
/** The same for the view-only password. */
export const VIEW_ONLY_SECRET_KEY = 'view_only_password_secret';

/** Each password setting and the file key its secret is kept under. */
const SECRETS = [
  ['password', SECRET_KEY],
  ['view_only_password', VIEW_ONLY_SECRET_KEY],
] as const;

export const SETTINGS_FILE = 'settings.json';

export interface SettingsLoadReport {
  settings: Settings;
  /** Whether a settings file was there (false on first run). */
  existed: boolean;
  /** Messages per field ('settings' for the file as a whole); empty when all was well. */
  problems: FieldErrors;
  /** False when a password is stored without encryption. */
  passwordProtected: boolean;
}

function defaults(): Settings {
  const v = validateSettings({});
  if (!v.ok) throw new Error('settings schema has no valid defaults');
  return v.settings;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function addProblem(problems: FieldErrors, key: string, message: string): void {
  (problems[key] ??= []).push(message);
}

export class SettingsStore {
  readonly path: string;
  private current: Settings = defaults();
  private fileExisted = false;
  private plainPassword = false;
  private lastProblems: FieldErrors = {};

  constructor(
    readonly dir: string,
    private readonly safeStorage: SafeStorageLike,
    fileName: string = SETTINGS_FILE,
  ) {
    this.path = join(dir, fileName);
  }

  /** The settings last loaded or saved. */
  get settings(): Settings {
    return this.current;
  }

  /** Whether the settings file was there at the last load, or has been saved since. */
  get existed(): boolean {
    return this.fileExisted;
  }

  /** Problems found by the last load. */
  get problems(): FieldErrors {
    return this.lastProblems;
  }

  /** False when a password is stored (or would be kept) without encryption. */
  get passwordProtected(): boolean {
    return !this.plainPassword;
  }

  /** Whether a password saved now would be encrypted. */
  encryptionAvailable(): boolean {
    try {
      return this.safeStorage.isEncryptionAvailable();
    } catch {
      return false;
    }
  }

  load(): SettingsLoadReport {
    const problems: FieldErrors = {};
    this.current = defaults();
    this.plainPassword = false;
    this.fileExisted = existsSync(this.path);
    this.lastProblems = problems;
    if (!this.fileExisted) return this.report();

    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      addProblem(problems, 'settings', `${this.path} could not be read as JSON (${(e as Error).message}); using the defaults`);
      return this.report();
    }
    if (!isRecord(raw)) {
      addProblem(problems, 'settings', `${this.path} does not hold a settings object; using the defaults`);
      return this.report();
    }

    const fields: Record<string, unknown> = { ...raw };
    for (const [key, secretKey] of SECRETS) {
      const secret = fields[secretKey];
      delete fields[secretKey];
      // A password written by hand is plain text until the next save encrypts it.
      let plain = typeof fields[key] === 'string';
      const password = secret !== undefined ? this.readSecret(secret, key, problems) : null;
      if (password !== null) {
        fields[key] = password.text;
        plain = !password.encrypted;
      }
      if (plain) this.plainPassword = true;
    }

    let v = validateSettings(fields);
    if (!v.ok) {
      // Keep what is valid; every refused field falls back to its default.
      for (const [key, messages] of Object.entries(v.fieldErrors)) {
        for (const m of messages) addProblem(problems, key, m);
        delete fields[key];
      }
      v = validateSettings(fields);
    }
    if (v.ok) this.current = v.settings;
    else for (const [key, messages] of Object.entries(v.fieldErrors)) for (const m of messages) addProblem(problems, key, m);
    if (SECRETS.every(([key]) => this.current[key] === null || this.current[key] === undefined)) this.plainPassword = false;
    return this.report();
  }

  /** Write the settings (atomically); the password is encrypted when the OS allows it. */
  save(settings: Settings): void {
    const out: Record<string, unknown> = { ...settings };
    let plain = false;
    for (const [key, secretKey] of SECRETS) {
      const password = settings[key];
      delete out[key];
      if (password === null || password === undefined) continue;
      const secret = this.writeSecret(password);
      if (secret.encoding !== 'safeStorage') plain = true;
      out[secretKey] = secret;
    }
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(out, null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    this.current = settings;
    this.plainPassword = plain;
    this.fileExisted = true;
  }

  private report(): SettingsLoadReport {
    return { settings: this.current, existed: this.fileExisted, problems: this.lastProblems, passwordProtected: this.passwordProtected };
  }

  private writeSecret(password: string): StoredSecret {
    if (this.encryptionAvailable()) {
      return { encoding: 'safeStorage', data: this.safeStorage.encryptString(password).toString('base64') };
    }
    return { encoding: 'base64', data: Buffer.from(password, 'utf8').toString('base64') };
  }

  private readSecret(secret: unknown, key: string, problems: FieldErrors): { text: string; encrypted: boolean } | null {
    const unreadable = (why: string): null => {
      addProblem(problems, key, `${why}; set a new one`);
      return null;
    };
    if (!isRecord(secret) || typeof secret['data'] !== 'string') return unreadable('is malformed');
    const data = Buffer.from(secret['data'], 'base64');
    if (secret['encoding'] === 'base64') return { text: data.toString('utf8'), encrypted: false };
    if (secret['encoding'] !== 'safeStorage') return unreadable('is in an unknown form');
    if (!this.encryptionAvailable()) return unreadable('is encrypted but the system keychain is not available');
    try {
      return { text: this.safeStorage.decryptString(data), encrypted: true };
    } catch {
      return unreadable('could not be decrypted');
    }
  }
}
