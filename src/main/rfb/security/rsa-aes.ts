import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { RsaAesCipher } from './rsa-aes-cipher.js';
import { checkClientKeyBits, decryptRandom, encryptRandom, parseClientKey, serverKeyPair } from './rsa-aes-keys.js';
import type { Access, AuthOutcome, Credentials, SecurityContext, SecurityIo, SecurityType } from './security-type.js';

/**
 * The RSA-AES security types of the RFB community registry, spoken by
 * TigerVNC (1.13 and later, server and viewer), noVNC (1.4 and later, RA2ne
 * only) and RealVNC:
 *
 *   5   RA2        SHA-1 / AES-128-EAX, the whole session encrypted
 *   6   RA2ne      SHA-1 / AES-128-EAX, only the security handshake encrypted
 *   129 RA2_256    SHA-256 / AES-256-EAX, the whole session encrypted
 *   130 RA2ne_256  SHA-256 / AES-256-EAX, only the security handshake encrypted
 *
 * The exchange, after the client picked one of them:
 *
 *   server → client  its public key (U32 bits, modulus, exponent)
 *   client → server  its public key, the same way
 *   server → client  U16 length, a random number encrypted to the client's key (PKCS#1 v1.5)
 *   client → server  U16 length, a random number encrypted to the server's key
 *   — both derive the session keys; from here on every message is an AES-EAX record —
 *   server → client  ServerHash = H(server key message || client key message)
 *   client → server  ClientHash = H(client key message || server key message)
 *   server → client  subtype: 1 = user name and password, 2 = password only
 *   client → server  U8 length, user name, U8 length, password (UTF-8; the user name empty for 2)
 *
 * with ClientSessionKey = H(ServerRandom || ClientRandom) (what the client
 * sends is encrypted with it), ServerSessionKey = H(ClientRandom || ServerRandom),
 * H = SHA-1 cut to 16 bytes for 5 and 6, SHA-256 for 129 and 130. The random
 * numbers are as long as the AES key: 16 bytes, or 32 for the 256 types (the
 * registry's text says 16 everywhere; TigerVNC, the reference for the 256
 * types, sends 32 and refuses anything else).
 *
 * What "ne" (not encrypted) means, as the registry, TigerVNC and noVNC agree:
 * the security handshake itself is encrypted exactly as in RA2 — hashes,
 * subtype and credentials travel in AES-EAX records, so the password is never
 * sent in the clear and the server is authenticated by its key — but the
 * SecurityResult and everything after it (ClientInit, ServerInit, the whole
 * session: pixels, keys typed, clipboard) are plain RFB. noVNC, which speaks
 * only RA2ne, goes back to reading plain bytes for SecurityResult. With RA2
 * the cipher stays on for the rest of the connection, SecurityResult included,
 * and the record counters simply continue.
 */

interface Variant {
  readonly id: number;
  readonly name: string;
  readonly hash: 'sha1' | 'sha256';
  /** AES key, session key and random number length in bytes. */
  readonly keyBytes: 16 | 32;
  /** Whether the cipher stays on after authentication (RA2, RA2_256). */
  readonly wholeSession: boolean;
}

/** The credentials subtypes. */
export const SUBTYPE_USER_PASSWORD = 1;
export const SUBTYPE_PASSWORD = 2;

/** Reads and writes of whole messages, plain to the code that uses it, records on the wire. */
interface Channel {
  read(n: number): Promise<Buffer>;
  write(data: Buffer): void;
}

/**
 * RA2ne: only the handshake is in records, so this side opens and seals them
 * over the plain connection and the session's streams never change. Reading
 * takes a record at a time (its 2-byte length says how much to read next), so
 * nothing of what follows the credentials is read ahead.
 */
function recordChannel(io: SecurityIo, cipher: RsaAesCipher): Channel & { leftover(): number } {
  let plain = Buffer.alloc(0);
  return {
    async read(n) {
      // Every record carries at least one byte or is empty; bounded by what the client sends, and reads fail when it goes.
      while (plain.length < n) {
        const header = await io.read(2);
        const body = await io.read(header.readUInt16BE(0) + 16);
        cipher.open(header);
        plain = Buffer.concat([plain, cipher.open(body)]);
      }
      const out = plain.subarray(0, n);
      plain = plain.subarray(n);
      return out;
    },
    write(data) {
      io.write(cipher.seal(data));
    },
    leftover: () => plain.length,
  };
}

function digest(v: Variant, ...parts: Buffer[]): Buffer {
  const h = createHash(v.hash);
  for (const p of parts) h.update(p);
  return h.digest().subarray(0, v.keyBytes);
}

/** UTF-8 as the protocol says; a name or password that is not valid UTF-8 can match nothing. */
function utf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

async function checkCredentials(credentials: Credentials, subtype: number, userBytes: Buffer, passwordBytes: Buffer): Promise<AuthOutcome> {
  const failed: AuthOutcome = { ok: false, reason: 'authentication failed' };
  const password = utf8(passwordBytes);
  if (password === null) return failed;
  if (subtype === SUBTYPE_PASSWORD) {
    // A user name sent anyway is ignored: the subtype asked for none.
    const access: Access | null = credentials.checkPassword(password);
    return access ? { ok: true, access } : failed;
  }
  const user = utf8(userBytes);
  if (user === null) return failed;
  const access = await credentials.checkUser(user, password);
  return access ? { ok: true, access, user } : failed;
}

async function authenticate(v: Variant, ctx: SecurityContext): Promise<AuthOutcome> {
  const { io, credentials } = ctx;
  const server = serverKeyPair(await ctx.keys.rsa());
  io.write(server.publicKey.message);

  // The client's key: its size is checked before the rest is even read.
  const clientHead = await io.read(4);
  const clientBits = checkClientKeyBits(clientHead.readUInt32BE(0));
  const client = parseClientKey(clientBits, await io.read(2 * Math.ceil(clientBits / 8)));

  // Random numbers: ours goes out at once; the client sends its own without waiting for ours.
  const serverRandom = randomBytes(v.keyBytes);
  const lengthOut = Buffer.alloc(2);
  lengthOut.writeUInt16BE(client.size);
  io.write(Buffer.concat([lengthOut, encryptRandom(client, serverRandom)]));
  const lengthIn = (await io.read(2)).readUInt16BE(0);
  if (lengthIn !== server.publicKey.size) {
    throw new ProtocolError(`RSA-AES: the client's encrypted random is ${lengthIn} bytes, not the ${server.publicKey.size} of our key`);
  }
  const clientRandom = decryptRandom(server.privateKey, server.publicKey.size, await io.read(lengthIn), v.keyBytes);

  const cipher = new RsaAesCipher({
    sendKey: digest(v, clientRandom, serverRandom),
    receiveKey: digest(v, serverRandom, clientRandom),
  });
  clientRandom.fill(0);
  serverRandom.fill(0);
  let channel: Channel;
  let ne: ReturnType<typeof recordChannel> | null = null;
  if (v.wholeSession) {
    // RA2: the connection is encrypted from here to its end; the runner seals and opens every byte.
    io.setCipher(cipher);
    channel = io;
  } else {
    ne = recordChannel(io, cipher);
    channel = ne;
  }

  const hashLength = v.hash === 'sha1' ? 20 : 32;
  channel.write(createHash(v.hash).update(server.publicKey.message).update(client.message).digest());
  const clientHash = await channel.read(hashLength);
  const expected = createHash(v.hash).update(client.message).update(server.publicKey.message).digest();
  // A wrong hash means someone in the middle swapped a key (or a broken client): not a password failure.
  if (!timingSafeEqual(clientHash, expected)) throw new ProtocolError("RSA-AES: the client's hash of the two keys is wrong");

  const subtype = credentials.hasUsers ? SUBTYPE_USER_PASSWORD : SUBTYPE_PASSWORD;
  channel.write(Buffer.from([subtype]));
  const userBytes = await channel.read((await channel.read(1))[0]!);
  const passwordBytes = await channel.read((await channel.read(1))[0]!);
  if (ne && ne.leftover() > 0) throw new ProtocolError('RSA-AES: the client sent more than its credentials before SecurityResult');
  const outcome = await checkCredentials(credentials, subtype, userBytes, passwordBytes);
  passwordBytes.fill(0);
  return outcome;
}

function rsaAesType(v: Variant): SecurityType {
  return {
    id: v.id,
    name: v.name,
    encrypts: v.wholeSession,
    needsKey: 'rsa',
    // It needs something to check: a user list (subtype 1) or a VNC password (subtype 2).
    usable: (credentials) => credentials.hasUsers || credentials.hasVncPassword,
    authenticate: (ctx) => authenticate(v, ctx),
  };
}

export const RA2 = rsaAesType({ id: 5, name: 'ra2', hash: 'sha1', keyBytes: 16, wholeSession: true });
export const RA2NE = rsaAesType({ id: 6, name: 'ra2ne', hash: 'sha1', keyBytes: 16, wholeSession: false });
export const RA2_256 = rsaAesType({ id: 129, name: 'ra2_256', hash: 'sha256', keyBytes: 32, wholeSession: true });
export const RA2NE_256 = rsaAesType({ id: 130, name: 'ra2ne_256', hash: 'sha256', keyBytes: 32, wholeSession: false });

/** All four, strongest first (the order a server offers them in). */
export const RSA_AES_TYPES: readonly SecurityType[] = [RA2_256, RA2, RA2NE_256, RA2NE];
