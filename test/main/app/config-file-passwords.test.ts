import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig, resolvePasswords } from '../../../src/main/app/config.js';
import { saveSettingsToFile } from '../../../src/main/app/config-file.js';
import { tigerVncpasswd } from '../../support/tigervnc.js';

const dir = mkdtempSync(join(tmpdir(), 'trayvnc-config-file-pw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => join(dir, `${n++}-${name}`);
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** A config file holding `content`, and settings as the control API would have them after a change. */
function setup(content: Record<string, unknown>): string {
  const config = fresh('config.json');
  writeFileSync(config, JSON.stringify(content));
  return config;
}

describe('saving passwords where the config keeps them', () => {
  it('rewrites a vncpasswd password_file in its format, keeping the view-only password (as TigerVNC would write it)', () => {
    const pw = fresh('passwd');
    writeFileSync(pw, tigerVncpasswd('secret12', 'justlook'), { mode: 0o600 });
    const config = setup({ password_file: pw });
    // The password changes; the file's view-only password stays.
    saveSettingsToFile(config, parseConfig({ password: 'newpass1' }), ['password', 'password_file']);
    expect(readFileSync(pw)).toEqual(tigerVncpasswd('newpass1', 'justlook'));
    expect(json(config)).toEqual({ password_file: pw });
    expect(statSync(pw).mode & 0o777).toBe(0o600);
    // The view-only password changes: into the same file.
    saveSettingsToFile(config, parseConfig({ password_file: pw, view_only_password: 'watching' }), ['view_only_password']);
    expect(readFileSync(pw)).toEqual(tigerVncpasswd('newpass1', 'watching'));
    expect(json(config)).toEqual({ password_file: pw });
    expect(resolvePasswords(parseConfig(json(config)))).toEqual({ full: 'newpass1', viewOnly: 'watching' });
    // Removed: the file keeps only the password.
    saveSettingsToFile(config, parseConfig({ password_file: pw }), ['view_only_password']);
    expect(readFileSync(pw)).toEqual(tigerVncpasswd('newpass1'));
  });

  it('keeps a text password file text, and a view-only password in its own file or inline', () => {
    const pw = fresh('passwd.txt');
    writeFileSync(pw, 'secret12\n');
    const config = setup({ password_file: pw });
    saveSettingsToFile(config, parseConfig({ password_file: pw, view_only_password: 'justlook' }), ['view_only_password']);
    // A text file holds one password: the view-only one goes inline.
    expect(json(config)).toEqual({ password_file: pw, view_only_password: 'justlook' });
    expect(readFileSync(pw, 'utf8')).toBe('secret12\n');

    const vo = fresh('viewonly');
    writeFileSync(vo, tigerVncpasswd('justlook'));
    const config2 = setup({ password_file: pw, view_only_password_file: vo });
    saveSettingsToFile(config2, parseConfig({ password_file: pw, view_only_password: 'watching' }), ['view_only_password', 'view_only_password_file']);
    expect(readFileSync(vo)).toEqual(tigerVncpasswd('watching'));
    expect(json(config2)).toEqual({ password_file: pw, view_only_password_file: vo });

    const vo2 = fresh('viewonly.txt');
    writeFileSync(vo2, 'justlook\n');
    const config3 = setup({ view_only_password_file: vo2 });
    saveSettingsToFile(config3, parseConfig({ view_only_password: 'watching' }), ['view_only_password', 'view_only_password_file']);
    expect(readFileSync(vo2, 'utf8')).toBe('watching\n');
    // And removing it drops both keys.
    saveSettingsToFile(config3, parseConfig({}), ['view_only_password', 'view_only_password_file']);
    expect(json(config3)).toEqual({});
  });
});
