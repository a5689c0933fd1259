import { noneSecurity } from './none.js';
import { RA2, RA2NE, RA2NE_256, RA2_256 } from './rsa-aes.js';
import type { Credentials, SecurityType } from './security-type.js';
import { vncAuthSecurity } from './vnc-auth.js';

/**
 * Every security type the server speaks, in the default order of offer:
 * the ones that encrypt first, VNC Authentication (DES, readable on the
 * wire) last for the viewers that speak nothing better, None only when no
 * credentials are set at all. Adding a type is one file and one line here.
 */
export const SECURITY_TYPES: readonly SecurityType[] = [
  // RSA-AES: the whole session encrypted (RA2_256, RA2), then only the handshake (RA2ne_256, RA2ne: the password is safe, the session is not).
  RA2_256,
  RA2,
  RA2NE_256,
  RA2NE,
  vncAuthSecurity,
  noneSecurity,
];

/** The names the `security_types` setting accepts. */
export const SECURITY_TYPE_NAMES: readonly string[] = SECURITY_TYPES.map((t) => t.name);

export function securityTypeNamed(name: string): SecurityType | undefined {
  return SECURITY_TYPES.find((t) => t.name === name);
}

/**
 * What to offer: the types named (in that order; null = the default order)
 * that these credentials (and, for RSA-AES, the server's keys) can serve. None is offered only when nothing else
 * can be — a server with a password never lets a client skip it.
 */
export function offeredSecurityTypes(names: readonly string[] | null, credentials: Credentials, hasKeys = true): SecurityType[] {
  const named = names === null ? SECURITY_TYPES : names.map((n) => securityTypeNamed(n)).filter((t): t is SecurityType => t !== undefined);
  // A type that needs a key the server does not keep would fail every client that picks it: leave it out.
  const wanted = named.filter((t) => hasKeys || t.needsKey === undefined);
  const secured = wanted.filter((t) => t !== noneSecurity && t.usable(credentials));
  if (secured.length > 0) return secured;
  return credentials.hasVncPassword || credentials.hasUsers ? [] : wanted.filter((t) => t === noneSecurity);
}
