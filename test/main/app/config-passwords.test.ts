import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, hasViewOnlyPassword, parseConfig, resolvePasswords, settingsPasswordClash } from '../../../src/main/app/config.js';
import { configureLogging } from '../../../src/main/base/logger.js';
import { captureLogs } from '../../support/log-capture.js';
import { tigerVncpasswd } from '../../support/tigervnc.js';

const dir = mkdtempSync(join(tmpdir(), 'trayvnc-passwords-'));
let n = 0;
/** A file in the test's folder holding `bytes`. */
function file(bytes: string | Buffer): string {
  const path = join(dir, `pw${n++}`);
  writeFileSync(path, bytes);
  return path;
}

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

afterEach(() => configureLogging({ level: 'silent' }));

describe('resolvePasswords', () => {
  it('reads a file TigerVNC’s vncpasswd wrote: one password, or both', () => {
    expect(resolvePasswords(parseConfig({ password_file: file(tigerVncpasswd('secret12')) }))).toEqual({ full: 'secret12', viewOnly: null });
    expect(resolvePasswords(parseConfig({ password_file: file(tigerVncpasswd('secret12', 'justlook')) }))).toEqual({ full: 'secret12', viewOnly: 'justlook' });
  });

  it('still reads the first line of a text file', () => {
    expect(resolvePasswords(parseConfig({ password_file: file('hunter22\nsecond line\n') }))).toEqual({ full: 'hunter22', viewOnly: null });
    expect(resolvePasswords(parseConfig({ password_file: file('secret12') }))).toEqual({ full: 'secret12', viewOnly: null });
  });

  it('takes the view-only password inline, from its own file (either format), or from the password file', () => {
    expect(resolvePasswords(parseConfig({ password: 'secret12', view_only_password: 'justlook' }))).toEqual({ full: 'secret12', viewOnly: 'justlook' });
    expect(resolvePasswords(parseConfig({ view_only_password_file: file('justlook\n') }))).toEqual({ full: null, viewOnly: 'justlook' });
    expect(resolvePasswords(parseConfig({ password: 'secret12', view_only_password_file: file(tigerVncpasswd('justlook')) }))).toEqual({
      full: 'secret12',
      viewOnly: 'justlook',
    });
    // one given on its own wins over the password file's second password
    const both = file(tigerVncpasswd('secret12', 'justlook'));
    expect(resolvePasswords(parseConfig({ password_file: both, view_only_password: 'another1' }))).toEqual({ full: 'secret12', viewOnly: 'another1' });
  });

  it('refuses a view-only password VNC Authentication cannot tell from the password, saying why', () => {
    const inline = problemsOf(() => parseConfig({ password: 'secret12', view_only_password: 'secret12 but longer' }));
    expect(inline).toEqual([
      'view_only_password must differ from the password in its first 8 characters (VNC Authentication reads only 8, so it would give full control)',
    ]);
    const full = file(tigerVncpasswd('secret12'));
    const fromFiles = problemsOf(() => resolvePasswords(parseConfig({ password_file: full, view_only_password: 'secret12!' })));
    expect(fromFiles).toHaveLength(1);
    expect(fromFiles[0]).toContain(`the password (from ${full}) are the same in their first 8 characters`);
    expect(fromFiles[0]).toContain('the view-only password would give full control');
    // TigerVNC's vncpasswd writes such a pair without complaint; we do not run with it
    expect(problemsOf(() => resolvePasswords(parseConfig({ password_file: file(tigerVncpasswd('samesame', 'samesame')) })))[0]).toMatch(/would give full control/);
    expect(settingsPasswordClash(parseConfig({ password_file: full, view_only_password: 'secret12' }))).toMatch(/would give full control/);
    expect(settingsPasswordClash(parseConfig({ password_file: full, view_only_password: 'secret13' }))).toBeNull();
    // a file that cannot be read is not a clash (the start reports it)
    expect(settingsPasswordClash(parseConfig({ password_file: join(dir, 'missing'), view_only_password: 'secret12' }))).toBeNull();
  });

  it('refuses a two-password file as the view-only file, and files it cannot read', () => {
    const both = file(tigerVncpasswd('secret12', 'justlook'));
    expect(problemsOf(() => resolvePasswords(parseConfig({ view_only_password_file: both })))[0]).toMatch(/holds two passwords.*give it as password_file/);
    expect(problemsOf(() => resolvePasswords(parseConfig({ view_only_password_file: join(dir, 'missing') })))[0]).toMatch(/^view_only_password_file: cannot read/);
    expect(problemsOf(() => resolvePasswords(parseConfig({ password_file: file('\nsecond') })))[0]).toMatch(/empty first line/);
  });

  it('says which format it read, never what the file holds', () => {
    const logs = captureLogs('info');
    resolvePasswords(parseConfig({ password_file: file(tigerVncpasswd('secret12', 'justlook')), view_only_password_file: file('another1\n') }));
    const text = JSON.stringify(logs);
    expect(logs.map((l) => l['format'])).toEqual(['vncpasswd', 'text']);
    for (const secret of ['secret12', 'justlook', 'another1']) expect(text).not.toContain(secret);
  });

  it('knows whether a view-only password is set without showing it', () => {
    expect(hasViewOnlyPassword(parseConfig({ password: 'secret12' }))).toBe(false);
    expect(hasViewOnlyPassword(parseConfig({ view_only_password: 'justlook' }))).toBe(true);
    expect(hasViewOnlyPassword(parseConfig({ password_file: file(tigerVncpasswd('secret12', 'justlook')) }))).toBe(true);
    expect(hasViewOnlyPassword(parseConfig({ password_file: file(tigerVncpasswd('secret12')) }))).toBe(false);
  });
});
