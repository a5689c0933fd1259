import { randomBytes, timingSafeEqual } from 'node:crypto';
import des from 'des.js';
import { SecurityType as Ids } from '../constants.js';
import { vncAuthChallenge } from '../server-messages.js';
import type { Access, SecurityContext, SecurityType } from './security-type.js';

/**
 * VNC Authentication (RFC 6143 §7.2.2): DES-encrypt a 16-byte challenge with
 * the password as key. VNC puts each key byte's bits in reverse order, a
 * historical quirk every implementation must reproduce.
 */
export function vncAuthKey(password: string): Uint8Array {
  const key = new Uint8Array(8);
  const bytes = Buffer.from(password, 'latin1');
  for (let i = 0; i < 8 && i < bytes.length; i++) {
    let b = bytes[i]!;
    let r = 0;
    for (let bit = 0; bit < 8; bit++) {
      r = (r << 1) | (b & 1);
      b >>= 1;
    }
    key[i] = r;
  }
  return key;
}

/** The 16-byte response a client with `password` sends for `challenge`. */
export function vncAuthResponse(password: string, challenge: Uint8Array): Buffer {
  const cipher = des.DES.create({ type: 'encrypt', key: vncAuthKey(password), padding: false });
  return Buffer.from(cipher.update(challenge).concat(cipher.final()));
}

export function newChallenge(): Buffer {
  return randomBytes(16);
}

export function checkVncAuth(password: string, challenge: Uint8Array, response: Uint8Array): boolean {
  if (response.length !== 16) return false;
  return timingSafeEqual(vncAuthResponse(password, challenge), response);
}

/**
 * Run VNC Authentication on `ctx.io`: send a fresh challenge, read the
 * response, and say which password (if any) it answers. VeNCrypt's *Vnc
 * subtypes run the same exchange inside TLS.
 */
export async function challengeAndCheck(ctx: SecurityContext): Promise<Access | null> {
  const challenge = newChallenge();
  ctx.io.write(vncAuthChallenge(challenge));
  const response = await ctx.io.read(16);
  return ctx.credentials.checkVncResponse(challenge, response);
}

/** VNC Authentication (type 2): DES over a challenge; the password decides the access (full or view-only). */
export const vncAuthSecurity: SecurityType = {
  id: Ids.VncAuth,
  name: 'vnc',
  encrypts: false,
  usable: (credentials) => credentials.hasVncPassword,
  async authenticate(ctx) {
    const access = await challengeAndCheck(ctx);
    return access ? { ok: true, access } : { ok: false, reason: 'authentication failed' };
  },
};
