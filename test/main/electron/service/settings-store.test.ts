import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateSettings, type Settings } from '../../../../src/shared/settings-schema.js';
import { SettingsStore, type SafeStorageLike } from '../../../../src/main/electron/service/settings-store.js';
import { ensureFirstRunPassword } from '../../../../src/main/electron/service/first-run.js';

/** safeStorage stand-in: XOR with a key and a marker prefix, so stored bytes never show the text. */
function fakeSafeStorage(available = true): SafeStorageLike & { calls: number } {
  const MARK = Buffer.from('FAKE');
  return {
    calls: 0,
    isEncryptionAvailable: () => available,
    encryptString(s: string): Buffer {
      this.calls++;
      const b = Buffer.from(s, 'utf8').map((x, i) => x ^ (0x5a + i));
      return Buffer.concat([MARK, b]);
    },
    decryptString(b: Buffer): string {
      if (!b.subarray(0, 4).equals(MARK)) throw new Error('not ours');
      return Buffer.from(b.subarray(4).map((x, i) => x ^ (0x5a + i))).toString('utf8');
    },
  };
}

function settings(raw: Record<string, unknown>): Settings {
  const v = validateSettings(raw);
  if (!v.ok) throw new Error(JSON.stringify(v.fieldErrors));
  return v.settings;
}

/** Counter-based stand-in for crypto.randomBytes. */
function counterBytes(): (n: number) => Uint8Array {
  let k = 0;
  return (n) => Uint8Array.from({ length: n }, () => (k++ * 37) & 0xff);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trayvnc-settings-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const file = () => join(dir, 'settings.json');

describe('SettingsStore', () => {
  it('gives the defaults with no file', () => {
    const r = new SettingsStore(dir, fakeSafeStorage()).load();
    expect(r.existed).toBe(false);
    expect(r.problems).toEqual({});
    expect(r.settings).toEqual(settings({}));
  });

  it('saves and loads the same settings', () => {
    const s = settings({ port: 5901, frame_rate: 15, host: '0.0.0.0', clipboard: 'off', password: 'hunter22' });
    new SettingsStore(dir, fakeSafeStorage()).save(s);
    const r = new SettingsStore(dir, fakeSafeStorage()).load();
    expect(r.existed).toBe(true);
    expect(r.problems).toEqual({});
    expect(r.settings).toEqual(s);
    expect(r.passwordProtected).toBe(true);
  });

  it('keeps the view-only password encrypted beside the password, and reports it unreadable by its own name', () => {
    const s = settings({ password: 'hunter22', view_only_password: 'justlook' });
    new SettingsStore(dir, fakeSafeStorage()).save(s);
    const text = readFileSync(file(), 'utf8');
    expect(text).not.toContain('justlook');
    expect(text).not.toContain('hunter22');
    expect(Object.keys(JSON.parse(text) as object)).toEqual(expect.arrayContaining(['password_secret', 'view_only_password_secret']));
    const r = new SettingsStore(dir, fakeSafeStorage()).load();
    expect(r.settings).toEqual(s);
    expect(r.passwordProtected).toBe(true);
    // Without a keychain: stored base64, flagged, and readable again.
    new SettingsStore(dir, fakeSafeStorage(false)).save(settings({ view_only_password: 'justlook' }));
    const plain = new SettingsStore(dir, fakeSafeStorage(false)).load();
    expect(plain.settings.view_only_password).toBe('justlook');
    expect(plain.passwordProtected).toBe(false);
    // Encrypted, then the keychain is gone: the problem names the view-only password.
    new SettingsStore(dir, fakeSafeStorage()).save(settings({ view_only_password: 'justlook' }));
    const lost = new SettingsStore(dir, fakeSafeStorage(false)).load();
    expect(lost.problems['view_only_password']?.[0]).toMatch(/keychain is not available/);
    expect(lost.settings.view_only_password).toBeUndefined();
  });

  it('keeps the defaults and reports a file that is not JSON', () => {
    writeFileSync(file(), '{"port": 59');
    const store = new SettingsStore(dir, fakeSafeStorage());
    const r = store.load();
    expect(r.settings).toEqual(settings({}));
    expect(r.problems['settings']?.[0]).toMatch(/could not be read as JSON/);
    expect(store.problems).toBe(r.problems);
    // The file is left for the user to fix.
    expect(readFileSync(file(), 'utf8')).toBe('{"port": 59');
  });

  it('reports a file that holds no object', () => {
    writeFileSync(file(), '[1, 2]');
    const r = new SettingsStore(dir, fakeSafeStorage()).load();
    expect(r.settings).toEqual(settings({}));
    expect(r.problems['settings']?.[0]).toMatch(/does not hold a settings object/);
  });

  it('reports invalid values by field, keeping their defaults and the valid rest', () => {
    writeFileSync(file(), JSON.stringify({ port: 'abc', frame_rate: 500, max_connections: 3, clipboard: 'sideways' }));
    const r = new SettingsStore(dir, fakeSafeStorage()).load();
    expect(r.problems['port']).toEqual(['must be a whole number from 0 to 65535']);
    expect(r.problems['frame_rate']).toEqual(['must be a whole number from 1 to 60']);
    expect(r.problems['clipboard']?.[0]).toMatch(/^must be one of/);
    expect(r.settings.port).toBe(5900);
    expect(r.settings.frame_rate).toBe(60);
    expect(r.settings.clipboard).toBe('both');
    expect(r.settings.max_connections).toBe(3);
  });

  it('writes atomically and leaves no temporary file', () => {
    const store = new SettingsStore(dir, fakeSafeStorage());
    store.save(settings({ port: 1 }));
    store.save(settings({ port: 2 }));
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(JSON.parse(readFileSync(file(), 'utf8')).port).toBe(2);
  });

  it('leaves the old file whole and no temporary file when the write fails', () => {
    const store = new SettingsStore(dir, fakeSafeStorage());
    store.save(settings({ port: 1 }));
    const broken = new SettingsStore(join(dir, 'missing-folder'), fakeSafeStorage());
    expect(() => broken.save(settings({ port: 2 }))).toThrow();
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(JSON.parse(readFileSync(file(), 'utf8')).port).toBe(1);
  });

  it('stores the password encrypted: the file shows neither it nor its base64', () => {
    const safe = fakeSafeStorage();
    const store = new SettingsStore(dir, safe);
    store.save(settings({ password: 'correct-horse' }));
    const text = readFileSync(file(), 'utf8');
    const bytes = readFileSync(file());
    expect(safe.calls).toBe(1);
    expect(bytes.includes(Buffer.from('correct-horse'))).toBe(false);
    expect(text).not.toContain(Buffer.from('correct-horse').toString('base64'));
    expect(JSON.parse(text).password).toBeUndefined();
    expect(JSON.parse(text).password_secret.encoding).toBe('safeStorage');
    expect(store.passwordProtected).toBe(true);
    expect(new SettingsStore(dir, safe).load().settings.password).toBe('correct-horse');
  });

  it('falls back to base64 with a flag when encryption is unavailable, and says so', () => {
    const store = new SettingsStore(dir, fakeSafeStorage(false));
    expect(store.encryptionAvailable()).toBe(false);
    store.save(settings({ password: 'correct-horse' }));
    expect(store.passwordProtected).toBe(false);
    const stored = JSON.parse(readFileSync(file(), 'utf8'));
    expect(stored.password_secret).toEqual({ encoding: 'base64', data: Buffer.from('correct-horse').toString('base64') });
    const r = new SettingsStore(dir, fakeSafeStorage(false)).load();
    expect(r.settings.password).toBe('correct-horse');
    expect(r.passwordProtected).toBe(false);
    expect(r.problems).toEqual({});
  });

  it('reports a password it cannot decrypt and drops it', () => {
    new SettingsStore(dir, fakeSafeStorage()).save(settings({ password: 'correct-horse', port: 5902 }));
    const r = new SettingsStore(dir, fakeSafeStorage(false)).load();
    expect(r.settings.password).toBeUndefined();
    expect(r.settings.port).toBe(5902);
    expect(r.problems['password']?.[0]).toMatch(/keychain is not available/);
  });

  it('counts a hand-written plain password as unprotected until saved again', () => {
    writeFileSync(file(), JSON.stringify({ password: 'typed-in' }));
    const store = new SettingsStore(dir, fakeSafeStorage());
    expect(store.load().passwordProtected).toBe(false);
    store.save(store.settings);
    expect(store.passwordProtected).toBe(true);
    expect(readFileSync(file(), 'utf8')).not.toContain('typed-in');
  });
});

describe('ensureFirstRunPassword', () => {
  it('generates a password on first run once, and persists it', () => {
    const store = new SettingsStore(dir, fakeSafeStorage());
    store.load();
    const first = ensureFirstRunPassword(store, counterBytes());
    expect(first.generated).toBe(true);
    expect(first.password).toMatch(/^[2-9a-z]{8}$/);
    expect(store.settings.password).toBe(first.password);

    const again = new SettingsStore(dir, fakeSafeStorage());
    again.load();
    expect(again.settings.password).toBe(first.password);
    expect(ensureFirstRunPassword(again, counterBytes())).toEqual({ password: null, generated: false });
    expect(again.settings.password).toBe(first.password);
  });

  it('leaves a set password or password file alone', () => {
    const store = new SettingsStore(dir, fakeSafeStorage());
    store.save(settings({ password_file: '/etc/trayvnc/pw', host: '0.0.0.0' }));
    store.load();
    expect(ensureFirstRunPassword(store, counterBytes()).generated).toBe(false);
  });

  it('lets a later start stay password-less on loopback', () => {
    const store = new SettingsStore(dir, fakeSafeStorage());
    store.save(settings({ host: '127.0.0.1' }));
    store.load();
    expect(ensureFirstRunPassword(store, counterBytes()).generated).toBe(false);
    store.save(settings({}));
    store.load();
    expect(ensureFirstRunPassword(store, counterBytes()).generated).toBe(false);
  });

  it('sets a password on a later start when the server would be on the network without one', () => {
    const store = new SettingsStore(dir, fakeSafeStorage());
    store.save(settings({ host: '0.0.0.0' }));
    store.load();
    const r = ensureFirstRunPassword(store, counterBytes());
    expect(r.generated).toBe(true);
    expect(new SettingsStore(dir, fakeSafeStorage()).load().settings.password).toBe(r.password);
  });
});
