import { constants, createHash, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { ProtocolError } from '../errors.js';

/**
 * The RSA half of the RSA-AES security types: public keys as they travel
 * (U32 key length in bits, then the modulus and the public exponent, each a
 * big-endian number of ceil(bits / 8) bytes), the random numbers each side
 * encrypts to the other with PKCS#1 v1.5, and the key's fingerprint.
 */

/** Key sizes we accept from a client, as TigerVNC does: smaller is weak, bigger is a way to make us work. */
export const MIN_KEY_BITS = 1024;
export const MAX_KEY_BITS = 8192;
/** The largest public exponent we take (OpenSSL's own bound for big moduli): a huge one makes encryption slow. */
const MAX_EXPONENT_BYTES = 8;

/** An RSA public key in the form RSA-AES sends it. */
export interface RfbRsaPublicKey {
  /** The key length in bits as announced. */
  readonly bits: number;
  /** ceil(bits / 8): the width of the modulus, the exponent and every block encrypted with this key. */
  readonly size: number;
  /** The whole message as on the wire: U32 bits, modulus, exponent (hashed into ServerHash and ClientHash). */
  readonly message: Buffer;
  readonly key: KeyObject;
}

function leftPad(b: Buffer, size: number): Buffer {
  if (b.length === size) return b;
  const out = Buffer.alloc(size);
  b.copy(out, size - b.length);
  return out;
}

function stripZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

function bitLength(b: Buffer): number {
  const s = stripZeros(b);
  return s.length === 0 ? 0 : (s.length - 1) * 8 + (32 - Math.clz32(s[0]!));
}

function message(bits: number, n: Buffer, e: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(bits);
  return Buffer.concat([head, n, e]);
}

/** The server's key (PKCS#8 or PKCS#1 PEM) as a private KeyObject and its public half as sent. */
export function serverKeyPair(privatePem: string): { privateKey: KeyObject; publicKey: RfbRsaPublicKey } {
  const privateKey = createPrivateKey(privatePem);
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`the RSA-AES key is a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not RSA`);
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_KEY_BITS || bits > MAX_KEY_BITS) throw new Error(`the RSA-AES key has ${bits} bits; viewers take ${MIN_KEY_BITS} to ${MAX_KEY_BITS}`);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const size = Math.ceil(bits / 8);
  const n = leftPad(Buffer.from(jwk.n ?? '', 'base64url'), size);
  const e = leftPad(Buffer.from(jwk.e ?? '', 'base64url'), size);
  return { privateKey, publicKey: { bits, size, message: message(bits, n, e), key: createPublicKey(privateKey) } };
}

/** The public key message of an RSA private key in PEM (for fingerprints). */
export function publicKeyMessage(privatePem: string): Buffer {
  return serverKeyPair(privatePem).publicKey.message;
}

/** The client's announced key length, refused outside the limits before anything else is read. */
export function checkClientKeyBits(bits: number): number {
  if (bits < MIN_KEY_BITS) throw new ProtocolError(`RSA-AES: the client's key of ${bits} bits is too short (at least ${MIN_KEY_BITS})`);
  if (bits > MAX_KEY_BITS) throw new ProtocolError(`RSA-AES: the client's key of ${bits} bits is too long (at most ${MAX_KEY_BITS})`);
  return bits;
}

/**
 * The client's public key from its modulus and exponent (`body`, 2 × ceil(bits / 8)
 * bytes). Nonsense is refused here, cheaply, before it reaches OpenSSL: an even
 * or short modulus, an even, tiny or enormous exponent.
 */
export function parseClientKey(bits: number, body: Buffer): RfbRsaPublicKey {
  checkClientKeyBits(bits);
  const size = Math.ceil(bits / 8);
  if (body.length !== 2 * size) throw new ProtocolError(`RSA-AES: the client's key needs ${2 * size} bytes, got ${body.length}`);
  const n = body.subarray(0, size);
  const e = body.subarray(size);
  const nBits = bitLength(n);
  if (nBits < MIN_KEY_BITS) throw new ProtocolError(`RSA-AES: the client's modulus has only ${nBits} bits`);
  if ((n[size - 1]! & 1) === 0) throw new ProtocolError("RSA-AES: the client's modulus is even");
  const eMin = stripZeros(e);
  if (eMin.length > MAX_EXPONENT_BYTES) throw new ProtocolError("RSA-AES: the client's public exponent is too big");
  if ((e[size - 1]! & 1) === 0 || bitLength(e) < 2) throw new ProtocolError("RSA-AES: the client's public exponent is not a usable odd number ≥ 3");
  let key: KeyObject;
  try {
    key = createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: stripZeros(n).toString('base64url'), e: eMin.toString('base64url') } });
  } catch (err) {
    throw new ProtocolError(`RSA-AES: the client's public key is not valid (${(err as Error).message})`);
  }
  return { bits, size, message: message(bits, Buffer.from(n), Buffer.from(e)), key };
}

/** `random` encrypted to `to` with PKCS#1 v1.5 padding, as a block of to.size bytes. */
export function encryptRandom(to: RfbRsaPublicKey, random: Buffer): Buffer {
  return leftPad(publicEncrypt({ key: to.key, padding: constants.RSA_PKCS1_PADDING }, random), to.size);
}

/**
 * The client's random number from its PKCS#1 v1.5 block, with implicit
 * rejection: a block whose padding is wrong, or whose message is not exactly
 * `length` bytes, yields random bytes instead of an error. An error would be
 * an oracle (Bleichenbacher, and Marvin for timing): a client that can tell
 * good padding from bad can decrypt a recorded connection's random, one
 * query at a time. With a random stand-in the handshake simply fails later,
 * at the hash check, the same way whatever was wrong. (Node no longer does
 * PKCS#1 v1.5 decryption for this reason, so the padding is undone here on
 * the raw RSA result, without branching on secret bytes.)
 */
export function decryptRandom(privateKey: KeyObject, size: number, encrypted: Buffer, length: number): Buffer {
  let em: Buffer;
  try {
    em = leftPad(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, encrypted), size);
  } catch {
    // Only a block not below the modulus fails here: that depends on public values alone, so saying so leaks nothing.
    throw new ProtocolError("RSA-AES: the client's encrypted random is not a valid RSA block");
  }
  const sep = size - length - 1;
  let bad = em[0]! | (em[1]! ^ 2) | em[sep]!;
  let zeroInPadding = 0;
  for (let i = 2; i < sep; i++) zeroInPadding |= ((em[i]! - 1) >> 8) & 1; // 1 when em[i] == 0
  bad |= zeroInPadding;
  if (sep < 10) bad |= 1; // at least 8 bytes of padding (public sizes: no secret here)
  const ok = ((bad - 1) >> 8) & 0xff; // 0xff when bad == 0, else 0
  const stand = randomBytes(length);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (em[sep + 1 + i]! & ok) | (stand[i]! & ~ok);
  em.fill(0);
  return out;
}

/**
 * The key fingerprint people compare by eye: the first 8 bytes of SHA-1 of
 * the public key message, as hex pairs joined by '-' ("3f-a0-…"). noVNC's
 * page shows exactly this in its "Server identity" dialog, TigerVNC's viewer
 * in its "Server key fingerprint" question, and noVNC notes RealVNC does the
 * same; so a user reads the same 23 characters in our UI and their viewer.
 */
export function rsaFingerprint(publicKeyMessage: Buffer): string {
  return [...createHash('sha1').update(publicKeyMessage).digest().subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('-');
}

/** The full SHA-256 of the same public key message, as 32 hex pairs joined by ':' (for pinning and the log, where length is no burden). */
export function rsaFingerprintSha256(publicKeyMessage: Buffer): string {
  return [...createHash('sha256').update(publicKeyMessage).digest()].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
