import { scryptSync, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserStore, UserStoreError, usersFilePath, verifyPassword } from '../../../src/main/app/user-store.js';

const temps: string[] = [];
const tempFile = () => {
  const d = mkdtempSync(join(tmpdir(), 'trayvnc-users-'));
  temps.push(d);
  return join(d, 'users.json');
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('the user store', () => {
  it('lives beside the command line config: $XDG_CONFIG_HOME/trayvnc/users.json', () => {
    expect(usersFilePath({ XDG_CONFIG_HOME: '/x/conf' })).toBe('/x/conf/trayvnc/users.json');
  });

  it('keeps salted scrypt hashes, never the password, in a file only the owner reads', async () => {
    const file = tempFile();
    const store = await UserStore.open(file);
    expect(store.hasUsers).toBe(false);
    expect(await store.set('alice', 'correct horse', 'full')).toBe(true);
    expect(await store.set('bob', 'correct horse', 'view-only')).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('correct horse');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const users = (JSON.parse(text) as { users: Array<{ name: string; hash: string }> }).users;
    // The same password, two different salts, two different hashes.
    expect(users[0]!.hash).not.toBe(users[1]!.hash);
    // Checked with Node's scrypt directly from the stored parameters: the format is what it says it is.
    const [, N, r, p, salt, hash] = users[0]!.hash.split('$') as [string, string, string, string, string, string];
    const derived = scryptSync('correct horse', Buffer.from(salt, 'base64'), 32, { N: +N, r: +r, p: +p, maxmem: 128 * 1024 * 1024 });
    expect(timingSafeEqual(derived, Buffer.from(hash, 'base64'))).toBe(true);
    expect(+N).toBeGreaterThanOrEqual(1 << 15);
  });

  it('checks a user name and password, and gives the user\u2019s access', async () => {
    const store = await UserStore.open(tempFile());
    await store.set('alice', 'sesame', 'full');
    await store.set('bob', 'pässwörd', 'view-only');
    expect(await store.checkUser('alice', 'sesame')).toBe('full');
    expect(await store.checkUser('bob', 'pässwörd')).toBe('view-only');
    expect(await store.checkUser('alice', 'Sesame')).toBeNull();
    expect(await store.checkUser('alice', '')).toBeNull();
    expect(await store.checkUser('Alice', 'sesame')).toBeNull();
    expect(await store.checkUser('carol', 'sesame')).toBeNull();
  });

  it('an unknown name costs about as long as a wrong password (a decoy hash is checked)', async () => {
    const store = await UserStore.open(tempFile());
    await store.set('alice', 'sesame', 'full');
    await store.checkUser('nobody', 'x'); // make the decoy once
    const time = async (name: string) => {
      const t0 = performance.now();
      await store.checkUser(name, 'wrong');
      return performance.now() - t0;
    };
    const known = Math.min(await time('alice'), await time('alice'));
    const unknown = Math.min(await time('nobody'), await time('nobody'));
    expect(unknown).toBeGreaterThan(known * 0.5);
  });

  it('updates a user\u2019s password and access, removes users, and lists them', async () => {
    const file = tempFile();
    const store = await UserStore.open(file);
    await store.set('alice', 'one', 'full');
    expect(await store.set('alice', 'two', 'view-only')).toBe(false);
    expect(await store.checkUser('alice', 'one')).toBeNull();
    expect(await store.checkUser('alice', 'two')).toBe('view-only');
    expect(store.list()).toEqual([{ name: 'alice', access: 'view-only' }]);
    expect(await store.remove('alice')).toBe(true);
    expect(await store.remove('alice')).toBe(false);
    expect(store.hasUsers).toBe(false);
  });

  it('sees users added by another process (trayvnc user) at the next check', async () => {
    const file = tempFile();
    const server = await UserStore.open(file);
    expect(await server.checkUser('dave', 'pw')).toBeNull();
    const cli = await UserStore.open(file);
    await cli.set('dave', 'pw', 'full');
    expect(await server.checkUser('dave', 'pw')).toBe('full');
    expect(server.hasUsers).toBe(true);
    await cli.remove('dave');
    expect(await server.checkUser('dave', 'pw')).toBeNull();
  });

  it.each([
    ['', /not a valid user name/],
    ['has space', /not a valid user name/],
    ['x'.repeat(65), /not a valid user name/],
    ['ctl\u0007', /not a valid user name/],
  ])('refuses the user name %j', async (name, message) => {
    const store = await UserStore.open(tempFile());
    await expect(store.set(name, 'pw', 'full')).rejects.toThrow(message);
  });

  it('refuses an empty password and one too long for the Plain exchange', async () => {
    const store = await UserStore.open(tempFile());
    await expect(store.set('alice', '', 'full')).rejects.toThrow(/empty/);
    await expect(store.set('alice', 'é'.repeat(513), 'full')).rejects.toThrow(/longer than 1024 bytes/);
    expect(await store.set('émile.o@x-y_z', 'p'.repeat(1024), 'full')).toBe(true);
  });

  it.each([
    ['not JSON', '{"version":1,', /is not valid JSON/],
    ['another version', '{"version":2,"users":[]}', /not a version 1 users file/],
    ['users not a list', '{"version":1,"users":{}}', /"users" is not a list/],
    ['a user without a hash', '{"version":1,"users":[{"name":"a","access":"full"}]}', /user "a" has no valid password hash/],
    ['an unknown access level', '{"version":1,"users":[{"name":"a","access":"admin","hash":"x"}]}', /unknown access level/],
    ['a name twice', `{"version":1,"users":[${'{"name":"a","access":"full","hash":"scrypt$16384$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA=="},'.repeat(2).slice(0, -1)}]}`, /listed twice/],
    ['a cost that would take minutes', '{"version":1,"users":[{"name":"a","access":"full","hash":"scrypt$1073741824$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA=="}]}', /no valid password hash/],
  ])('a damaged file (%s) is an error that names it, and the file is left alone', async (_what, text, message) => {
    const file = tempFile();
    writeFileSync(file, text);
    const err = await UserStore.open(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserStoreError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a hash in another format never matches', async () => {
    expect(await verifyPassword('pw', 'plain$pw')).toBe(false);
    expect(await verifyPassword('pw', 'scrypt$3$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==')).toBe(false);
  });
});

describe('a flood of user-name logins', () => {
  it('runs at most two scrypt checks at once, queues a bounded number, and fails the rest at once', async () => {
    const { hashPassword, passwordChecksInFlight } = await import('../../../src/main/app/user-store.js');
    const stored = await hashPassword('right one');
    let peakRunning = 0;
    const watch = setInterval(() => (peakRunning = Math.max(peakRunning, passwordChecksInFlight().running)), 1);
    const started = Date.now();
    // 40 at once: 2 run, 32 wait, 6 are turned away without a check.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => verifyPassword(i === 39 ? 'right one' : 'wrong', stored)));
    clearInterval(watch);
    expect(peakRunning).toBeLessThanOrEqual(2);
    expect(results.filter((r) => r)).toHaveLength(0); // the last, right one, came when the queue was full
    expect(passwordChecksInFlight()).toEqual({ running: 0, waiting: 0 });
    // After the flood, a right password works again.
    expect(await verifyPassword('right one', stored)).toBe(true);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
