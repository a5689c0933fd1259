import { noneSecurity } from './none.js';
import type { Credentials, SecurityType } from './security-type.js';
import { DEFAULT_VENCRYPT_SUBTYPES, VeNCrypt, type VeNCryptSubtypeId } from './vencrypt.js';
import { vncAuthSecurity } from './vnc-auth.js';

/** VeNCrypt (19) with its default subtypes; a server given other subtypes gets its own (vencryptWith). */
export const vencryptSecurity = new VeNCrypt(DEFAULT_VENCRYPT_SUBTYPES);

/**
 * Every security type the server speaks, in the default order of offer:
 * the ones that encrypt first, VNC Authentication (DES, readable on the
 * wire) last for the viewers that speak nothing better, None only when no
 * credentials are set at all. Adding a type is one file and one line here.
 */
export const SECURITY_TYPES: readonly SecurityType[] = [vencryptSecurity, vncAuthSecurity, noneSecurity];

/**
 * What is offered when the settings name no types. Not VeNCrypt: viewers
 * take the first type they know from the list, and a libvncclient viewer
 * (Remmina, for one) that lands on an X509 subtype without a CA file
 * configured fails instead of falling back to VNC Authentication; TigerVNC
 * asks its user about a certificate it does not know. So VeNCrypt is
 * offered when the settings ask for it ("vencrypt" in security_types).
 */
const DEFAULT_OFFER: readonly SecurityType[] = [vncAuthSecurity, noneSecurity];

/** The names the `security_types` setting accepts. */
export const SECURITY_TYPE_NAMES: readonly string[] = SECURITY_TYPES.map((t) => t.name);

export function securityTypeNamed(name: string): SecurityType | undefined {
  return SECURITY_TYPES.find((t) => t.name === name);
}

/**
 * What to offer: the types named (in that order; null = the default order)
 * that these credentials can serve. None is offered only when nothing else
 * can be — a server with a password never lets a client skip it.
 */
export function offeredSecurityTypes(
  names: readonly string[] | null,
  credentials: Credentials,
  /** VeNCrypt's subtypes, most preferred first, when not the default ones. */
  vencryptSubtypes: readonly VeNCryptSubtypeId[] | null = null,
): SecurityType[] {
  const named = names === null ? DEFAULT_OFFER : names.map((n) => securityTypeNamed(n)).filter((t): t is SecurityType => t !== undefined);
  const wanted = vencryptSubtypes === null ? named : named.map((t) => (t === vencryptSecurity ? vencryptWith(vencryptSubtypes) : t));
  const secured = wanted.filter((t) => t !== noneSecurity && t.usable(credentials));
  if (secured.length > 0) return secured;
  return credentials.hasVncPassword || credentials.hasUsers ? [] : wanted.filter((t) => t === noneSecurity);
}

/** VeNCrypt offering `subtypes` (the same instance for the same list, so it is not rebuilt per connection). */
export function vencryptWith(subtypes: readonly VeNCryptSubtypeId[]): VeNCrypt {
  const key = subtypes.join(',');
  let type = vencryptBySubtypes.get(key);
  if (!type) {
    type = new VeNCrypt(subtypes);
    if (vencryptBySubtypes.size > 32) vencryptBySubtypes.clear();
    vencryptBySubtypes.set(key, type);
  }
  return type;
}
const vencryptBySubtypes = new Map<string, VeNCrypt>();
