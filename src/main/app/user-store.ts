import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Access } from '../rfb/security/security-type.js';
import type { UserDirectory } from '../rfb/security/server-credentials.js';
import { userConfigPath, writeFileAtomic } from './config-file.js';

/**
 * The users VeNCrypt's Plain subtypes check: a JSON file (mode 0600) with,
 * for each user, an access level and a salted scrypt hash of the password —
 * never the password. `trayvnc user add|remove|list` edits it; a running
 * server sees the change at the next login (the file is read again when it
 * changed).
 */

export const USERS_FILE = 'users.json';

/** $XDG_CONFIG_HOME/trayvnc/users.json: beside the command line's config.json. */
export function usersFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(userConfigPath(env)), USERS_FILE);
}

/** scrypt's cost: N=2^15, r=8 (32 MiB, some 50–100 ms a check): slow for a guesser, bearable per login. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } satisfies ScryptOptions;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/** One user as kept in the file. */
interface StoredUser {
  name: string;
  access: Access;
  /** `scrypt$N$r$p$salt$hash`, salt and hash base64: the cost travels with the hash, so it can be raised later. */
  hash: string;
}

interface UsersFile {
  version: 1;
  users: StoredUser[];
}

/** The users file is damaged, or a name or password is not acceptable; the message says which and where. */
export class UserStoreError extends Error {
  override readonly name = 'UserStoreError';
}

/** A user name: letters, digits and . _ @ - (what a viewer's user-name box takes), 1–64 characters. */
const NAME = /^[\p{L}\p{N}._@-]{1,64}$/u;
export const MAX_PASSWORD_BYTES = 1024;

export function checkUserName(name: string): void {
  if (!NAME.test(name)) throw new UserStoreError(`"${name}" is not a valid user name: use 1 to 64 letters, digits, ".", "_", "@" or "-"`);
}

function checkPassword(password: string): void {
  if (password.length === 0) throw new UserStoreError('the password is empty');
  // The Plain exchange refuses longer ones (security/plain.ts), so such a user could never log in.
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw new UserStoreError(`the password is longer than ${MAX_PASSWORD_BYTES} bytes`);
}

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, opts, (e, key) => (e ? reject(e) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(password, salt, HASH_BYTES, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** Parse `scrypt$N$r$p$salt$hash`; null when it is not one we can check. */
function parseHash(text: string): { opts: ScryptOptions; salt: Buffer; hash: Buffer } | null {
  const parts = text.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bounds, so a doctored file cannot make each login take minutes or gigabytes.
  if (!Number.isInteger(Math.log2(N)) || N < 2 || N > 1 << 20 || !(r >= 1 && r <= 32) || !(p >= 1 && p <= 16)) return null;
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || hash.length < 16) return null;
  return { opts: { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, salt, hash };
}

/**
 * Checks running at once, and waiting. scrypt takes 32 MiB and a thread of
 * the pool that also compresses viewers' updates: a flood of user-name
 * logins must not take them all, nor queue without end. Past the queue a
 * login fails at once, as a wrong password would (the blacklist counts it).
 */
const MAX_CHECKS_RUNNING = 2;
const MAX_CHECKS_WAITING = 32;
let checksRunning = 0;
const checksWaiting: Array<() => void> = [];

async function withCheckSlot<T>(run: () => Promise<T>, busy: T): Promise<T> {
  if (checksRunning >= MAX_CHECKS_RUNNING) {
    if (checksWaiting.length >= MAX_CHECKS_WAITING) return busy;
    await new Promise<void>((resolve) => checksWaiting.push(resolve));
  }
  checksRunning++;
  try {
    return await run();
  } finally {
    checksRunning--;
    checksWaiting.shift()?.();
  }
}

/** Checks of user-name logins running and waiting now (for tests and diagnostics). */
export function passwordChecksInFlight(): { running: number; waiting: number } {
  return { running: checksRunning, waiting: checksWaiting.length };
}

/** Whether `password` matches `stored`, in time that does not depend on where they differ. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  return withCheckSlot(async () => {
    const derived = await scryptAsync(password, parsed.salt, parsed.hash.length, parsed.opts);
    return timingSafeEqual(derived, parsed.hash);
  }, false);
}

/**
 * A hash of nothing anyone knows, checked for unknown user names so that a
 * wrong name costs as long as a wrong password: the time does not tell a
 * guesser which names exist.
 */
let decoy: Promise<string> | null = null;

export class UserStore implements UserDirectory {
  private users: StoredUser[] = [];
  /** The file's mtime and size when last read, to see a change made by `trayvnc user`. */
  private seen = '';
  private lastRefresh = 0;

  private constructor(readonly path: string) {}

  /** The users file at `path` (usersFilePath() by default); a missing file is no users, a damaged one an error. */
  static async open(path: string = usersFilePath()): Promise<UserStore> {
    const store = new UserStore(path);
    await store.reload();
    return store;
  }

  get hasUsers(): boolean {
    return this.users.length > 0;
  }

  /**
   * How many users there are: the server offers Plain only when there are
   * some. Synchronous, so it answers from the last read and starts a new
   * read (at most once a second) for the next connection to see users that
   * `trayvnc user` added meanwhile.
   */
  get size(): number {
    const now = Date.now();
    if (now - this.lastRefresh >= 1000) {
      this.lastRefresh = now;
      // A damaged file is reported where the users are checked; here it just leaves the list as it was.
      this.reload().catch(() => undefined);
    }
    return this.users.length;
  }

  /** UserDirectory's name for checkUser. */
  check(name: string, password: string): Promise<Access | null> {
    return this.checkUser(name, password);
  }

  list(): Array<{ name: string; access: Access }> {
    return this.users.map(({ name, access }) => ({ name, access }));
  }

  /** Read the file again if it changed since last read. Throws UserStoreError if it is damaged. */
  async reload(): Promise<void> {
    let stamp: string;
    try {
      const st = await stat(this.path);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserStoreError(`cannot read ${this.path}: ${(e as Error).message}`);
      this.users = [];
      this.seen = '';
      return;
    }
    if (stamp === this.seen) return;
    this.users = parseUsersFile(await readFile(this.path, 'utf8'), this.path);
    this.seen = stamp;
  }

  /**
   * The access `name` and `password` grant, or null. A damaged file grants
   * nothing (and throws, for the caller to log); an unknown name costs one
   * scrypt like a known one.
   */
  async checkUser(name: string, password: string): Promise<Access | null> {
    await this.reload();
    const user = this.users.find((u) => u.name === name);
    if (!user) {
      decoy ??= hashPassword(randomBytes(16).toString('base64'));
      await verifyPassword(password, await decoy);
      return null;
    }
    return (await verifyPassword(password, user.hash)) ? user.access : null;
  }

  /** Add a user, or give an existing one a new password and access. Returns whether the user was new. */
  async set(name: string, password: string, access: Access): Promise<boolean> {
    checkUserName(name);
    checkPassword(password);
    await this.reload();
    const hash = await hashPassword(password);
    const i = this.users.findIndex((u) => u.name === name);
    const entry: StoredUser = { name, access, hash };
    const next = i < 0 ? [...this.users, entry] : this.users.map((u, j) => (j === i ? entry : u));
    this.save(next);
    return i < 0;
  }

  /** Remove a user; false if there was none by that name. */
  async remove(name: string): Promise<boolean> {
    await this.reload();
    const next = this.users.filter((u) => u.name !== name);
    if (next.length === this.users.length) return false;
    this.save(next);
    return true;
  }

  private save(users: StoredUser[]): void {
    const file: UsersFile = { version: 1, users };
    writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
    this.users = users;
    this.seen = ''; // read the stamp again next time rather than trust the clock's resolution
  }
}

/** Parse and check the whole file: a damaged file is an error that says where, never an empty list. */
function parseUsersFile(text: string, path: string): StoredUser[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserStoreError(`${path} is not valid JSON (${(e as Error).message}); fix or remove it`);
  }
  const bad = (what: string) => new UserStoreError(`${path}: ${what}; fix or remove the file`);
  if (typeof data !== 'object' || data === null || (data as { version?: unknown }).version !== 1) throw bad('not a version 1 users file');
  const users = (data as { users?: unknown }).users;
  if (!Array.isArray(users)) throw bad('"users" is not a list');
  const names = new Set<string>();
  return users.map((u: unknown, i) => {
    const { name, access, hash } = (u ?? {}) as Partial<Record<keyof StoredUser, unknown>>;
    if (typeof name !== 'string' || !NAME.test(name)) throw bad(`user ${i + 1} has no valid name`);
    if (names.has(name)) throw bad(`user "${name}" is listed twice`);
    names.add(name);
    if (access !== 'full' && access !== 'view-only') throw bad(`user "${name}" has an unknown access level`);
    if (typeof hash !== 'string' || !parseHash(hash)) throw bad(`user "${name}" has no valid password hash`);
    return { name, access, hash };
  });
}
