import type { AuthOutcome, Credentials, SecurityIo } from './security-type.js';

/**
 * VeNCrypt's Plain credential exchange (the community RFB document,
 * "Plain VeNCrypt sub-type"): the client sends U32 username length, U32
 * password length, then both. Used inside TLS (TLSPlain, X509Plain) and, if
 * the user insists, without (Plain).
 */

/**
 * Bounds on the lengths a client may announce. The peer chooses them, so
 * without a bound one connection could make us wait for, and hold, 4 GiB.
 * User names are short; 1 KiB of password leaves room for any passphrase.
 */
export const PLAIN_LIMITS = { maxUser: 255, maxPassword: 1024 } as const;

/** Said to the client for every refusal, whichever part was wrong. */
export const PLAIN_FAILED = 'authentication failed';

/** Strict UTF-8: the bytes of a name that is not valid UTF-8 cannot match a stored one. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Read the client's user name and password and check them; never throws for bad input, only for a dead connection. */
export async function plainAuthenticate(io: SecurityIo, credentials: Credentials, limits = PLAIN_LIMITS): Promise<AuthOutcome> {
  const header = await io.read(8);
  const userLength = header.readUInt32BE(0);
  const passwordLength = header.readUInt32BE(4);
  if (userLength > limits.maxUser || passwordLength > limits.maxPassword) {
    // Refuse at once rather than read (and wait for) what may be gigabytes.
    return { ok: false, reason: 'user name or password too long' };
  }
  const body = userLength + passwordLength > 0 ? await io.read(userLength + passwordLength) : Buffer.alloc(0);
  let user: string;
  let password: string;
  try {
    user = utf8.decode(body.subarray(0, userLength));
    password = utf8.decode(body.subarray(userLength));
  } catch {
    return { ok: false, reason: PLAIN_FAILED };
  } finally {
    // The password's bytes are not kept past the check (the string is, until collected: JavaScript cannot wipe it).
    body.fill(0);
  }
  if (user === '') return { ok: false, reason: PLAIN_FAILED };
  const access = await credentials.checkUser(user, password);
  return access ? { ok: true, access, user } : { ok: false, reason: PLAIN_FAILED };
}
