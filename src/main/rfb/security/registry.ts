import { noneSecurity } from './none.js';
import { RA2, RA2NE, RA2NE_256, RA2_256 } from './rsa-aes.js';
import type { Credentials, SecurityType } from './security-type.js';
import type { Transport } from '../session/context.js';
import { DEFAULT_VENCRYPT_SUBTYPES, VeNCrypt, VeNCryptSubtype, type VeNCryptSubtypeId } from './vencrypt.js';
import { vncAuthSecurity } from './vnc-auth.js';

/** VeNCrypt (19) with its default subtypes; a server given other subtypes gets its own (vencryptWith). */
export const vencryptSecurity = new VeNCrypt(DEFAULT_VENCRYPT_SUBTYPES);

/**
 * Every security type the server speaks, in the default order of offer:
 * the ones that encrypt the whole session first (VeNCrypt's TLS, RSA-AES),
 * then the ones that protect only the password (RSA-AES "ne"), VNC
 * Authentication (DES, readable on the wire) last for the viewers that speak
 * nothing better, None only when no credentials are set at all. Adding a
 * type is one file and one line here.
 *
 * Viewers differ in how they pick: TigerVNC by its own order of preference
 * among those offered, libvncclient and noVNC the first in ours that they
 * speak. So VeNCrypt's own subtypes put anonymous TLS first (libvncclient
 * then needs no CA file; TigerVNC still takes X.509 first), and browsers,
 * which cannot run TLS inside a WebSocket, are not offered VeNCrypt at all.
 */
export const SECURITY_TYPES: readonly SecurityType[] = [vencryptSecurity, RA2_256, RA2, RA2NE_256, RA2NE, vncAuthSecurity, noneSecurity];

/**
 * What a viewer over TCP is offered when the settings name no types: not
 * RA2 (5) and RA2ne (6). RealVNC's own, secret security types carry those
 * numbers, and its viewer would take them and fail against ours; TigerVNC
 * (1.13 and later) speaks the 256-bit forms (129, 130) as well, so nothing is
 * lost. Browsers get every type: noVNC speaks only RA2ne (6) of them, and
 * RealVNC's viewer does not come over WebSocket.
 */
const DEFAULT_TCP_OFFER: readonly SecurityType[] = SECURITY_TYPES.filter((t) => t !== RA2 && t !== RA2NE);

/** The names the `security_types` setting accepts. */
export const SECURITY_TYPE_NAMES: readonly string[] = SECURITY_TYPES.map((t) => t.name);

export function securityTypeNamed(name: string): SecurityType | undefined {
  return SECURITY_TYPES.find((t) => t.name === name);
}

/** What decides the offer besides the names and the credentials. */
export interface OfferContext {
  /** Whether the server keeps keys (a type that needs a key the server does not keep would fail every client that picks it). */
  hasKeys: boolean;
  /** VeNCrypt's subtypes, most preferred first, when not the default ones. */
  vencryptSubtypes: readonly VeNCryptSubtypeId[] | null;
  /** How the client came: a browser over ws:// cannot run TLS inside it, so it is not offered VeNCrypt; over wss:// it is offered VeNCrypt's Plain. */
  transport: Transport;
}

const DEFAULT_CONTEXT: OfferContext = { hasKeys: true, vencryptSubtypes: null, transport: 'tcp' };

/**
 * What to offer: the types named (in that order; null = the default order)
 * that these credentials, keys and transport can serve. None is offered only
 * when nothing else can be — a server with a password never lets a client skip it.
 */
export function offeredSecurityTypes(names: readonly string[] | null, credentials: Credentials, context: Partial<OfferContext> = {}): SecurityType[] {
  const ctx = { ...DEFAULT_CONTEXT, ...context };
  const named = names === null ? (ctx.transport === 'tcp' ? DEFAULT_TCP_OFFER : SECURITY_TYPES) : names.map((n) => securityTypeNamed(n)).filter((t): t is SecurityType => t !== undefined);
  const wanted = named
    .filter((t) => ctx.hasKeys || t.needsKey === undefined)
    .filter((t) => !(ctx.transport === 'websocket' && t === vencryptSecurity))
    .map((t) => (t === vencryptSecurity ? vencryptFor(ctx) : t));
  const secured = wanted.filter((t) => t !== noneSecurity && t.usable(credentials));
  if (secured.length > 0) return secured;
  return credentials.hasVncPassword || credentials.hasUsers ? [] : wanted.filter((t) => t === noneSecurity);
}

/**
 * VeNCrypt as offered over this transport: inside wss:// the browser's TLS
 * already protects the stream and no TLS can run inside it, so only Plain
 * (a user name and password, the subtype noVNC speaks) is offered there.
 */
function vencryptFor(ctx: OfferContext): VeNCrypt {
  if (ctx.transport === 'websocket-tls') return vencryptWith([VeNCryptSubtype.Plain]);
  return ctx.vencryptSubtypes !== null ? vencryptWith(ctx.vencryptSubtypes) : vencryptSecurity;
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
