import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { saveSettingsToFile, userConfigPath, writeFileAtomic } from '../../../src/main/app/config-file.js';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'trayvnc-config-file-'));
  temps.push(d);
  return d;
};
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const mode = (path: string) => statSync(path).mode & 0o777;

describe('the config file', () => {
  it('lives under $XDG_CONFIG_HOME, else ~/.config (a relative XDG_CONFIG_HOME is ignored)', () => {
    expect(userConfigPath({ XDG_CONFIG_HOME: '/x/conf' }, '/home/me')).toBe('/x/conf/trayvnc/config.json');
    expect(userConfigPath({}, '/home/me')).toBe('/home/me/.config/trayvnc/config.json');
    expect(userConfigPath({ XDG_CONFIG_HOME: '' }, '/home/me')).toBe('/home/me/.config/trayvnc/config.json');
    expect(userConfigPath({ XDG_CONFIG_HOME: 'relative/conf' }, '/home/me')).toBe('/home/me/.config/trayvnc/config.json');
  });

  it('is a temporary one while tests run (vitest.config.ts), never the user’s', () => {
    expect(process.env['XDG_CONFIG_HOME']).toBeDefined();
    expect(userConfigPath().startsWith(tmpdir())).toBe(true);
  });

  it('writes only the changed keys, keeps the rest (unknown keys too), and removes a key changed back to unset', () => {
    const dir = tempDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 5901, colour: 'blue', host: '0.0.0.0' }));
    const settings = parseConfig({ port: 6000, frame_rate: 12, desktop_name: 'office' });
    expect(saveSettingsToFile(file, settings, ['frame_rate', 'desktop_name', 'host'])).toBe(file);
    expect(json(file)).toEqual({ port: 5901, colour: 'blue', frame_rate: 12, desktop_name: 'office' });
    expect(mode(file)).toBe(0o600);
    // No temporary file is left beside it.
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('creates the file and its folder (0700) when there is none', () => {
    const dir = tempDir();
    const file = join(dir, 'new', 'trayvnc', 'config.json');
    saveSettingsToFile(file, parseConfig({ view_only: true }), ['view_only']);
    expect(json(file)).toEqual({ view_only: true });
    expect(mode(file)).toBe(0o600);
    expect(mode(join(dir, 'new', 'trayvnc'))).toBe(0o700);
  });

  it('never overwrites a file it cannot read as a JSON object', () => {
    const dir = tempDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, '{ "port": 5901, oops');
    expect(() => saveSettingsToFile(file, parseConfig({ frame_rate: 5 }), ['frame_rate'])).toThrow(/is not valid JSON/);
    expect(readFileSync(file, 'utf8')).toBe('{ "port": 5901, oops');
    writeFileSync(file, '[1, 2]');
    expect(() => saveSettingsToFile(file, parseConfig({ frame_rate: 5 }), ['frame_rate'])).toThrow(/does not hold a JSON object/);
  });

  it('replaces the file a symbolic link points to, keeping the link', () => {
    const dir = tempDir();
    const real = join(dir, 'real.json');
    const link = join(dir, 'link.json');
    writeFileSync(real, JSON.stringify({ port: 5901 }));
    symlinkSync(real, link);
    expect(saveSettingsToFile(link, parseConfig({ frame_rate: 9 }), ['frame_rate'])).toBe(real);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(json(real)).toEqual({ port: 5901, frame_rate: 9 });
  });

  it('keeps a password inline, or in the file password_file names, and drops both when it is removed', () => {
    const dir = tempDir();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ port: 5901 }));
    saveSettingsToFile(file, parseConfig({ password: 'inline-pw' }), ['password']);
    expect(json(file)).toEqual({ port: 5901, password: 'inline-pw' });

    const pw = join(dir, 'pw');
    writeFileSync(pw, 'old\n', { mode: 0o644 });
    writeFileSync(file, JSON.stringify({ port: 5901, password_file: pw }));
    saveSettingsToFile(file, parseConfig({ password: 'in-the-file' }), ['password', 'password_file']);
    expect(json(file)).toEqual({ port: 5901, password_file: pw });
    expect(readFileSync(pw, 'utf8')).toBe('in-the-file\n');
    expect(mode(pw)).toBe(0o600);

    // A password file chosen in the change replaces an inline password.
    writeFileSync(file, JSON.stringify({ password: 'inline-pw' }));
    saveSettingsToFile(file, parseConfig({ password_file: pw }), ['password', 'password_file']);
    expect(json(file)).toEqual({ password_file: pw });

    saveSettingsToFile(file, parseConfig({}), ['password', 'password_file']);
    expect(json(file)).toEqual({});
  });

  it('writes atomically: a reader sees the old text or the new, and a failed write leaves the old file', () => {
    const dir = tempDir();
    const file = join(dir, 'f.txt');
    writeFileSync(file, 'old');
    writeFileAtomic(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('new');
    // A folder where the file should be: the rename fails and nothing else changes.
    expect(() => writeFileAtomic(dir, 'x')).toThrow();
    expect(readdirSync(dir)).toEqual(['f.txt']);
  });
});
