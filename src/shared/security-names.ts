/**
 * The security types by their names in settings, on the command line and in
 * the UI, in the default order of offer: the ones that encrypt the session
 * first, VNC Authentication (DES, readable by anyone on the wire) last for
 * the viewers that speak nothing better, None only when no credentials are
 * set. rfb/security/registry.ts maps each to its implementation.
 *
 * vencrypt: VeNCrypt (19): TLS, with X.509 certificates or anonymous, then
 *   None, VNC Authentication or a user name and password inside it.
 * ra2_256, ra2: RSA-AES (129, 5): RSA key exchange, then AES-EAX.
 * ra2ne_256, ra2ne: RSA-AES "unencrypted" (130, 6): the same exchange; see
 *   rfb/security for what it encrypts.
 * vnc: VNC Authentication (2).
 * none: no authentication (1).
 */
export const SECURITY_TYPE_NAMES = ['vencrypt', 'ra2_256', 'ra2', 'ra2ne_256', 'ra2ne', 'vnc', 'none'] as const;

export type SecurityTypeName = (typeof SECURITY_TYPE_NAMES)[number];

/**
 * VeNCrypt's subtypes by the names TigerVNC gives them (-SecurityTypes):
 * TLS* are anonymous TLS (encrypted, not authenticated), X509* TLS with the
 * server's certificate; *None, *Vnc and *Plain say what is checked inside
 * (nothing, the VNC password, a user name and password). Plain alone has no TLS.
 */
export const VENCRYPT_SUBTYPE_NAMES = ['Plain', 'TLSNone', 'TLSVnc', 'TLSPlain', 'X509None', 'X509Vnc', 'X509Plain'] as const;

export type VeNCryptSubtypeName = (typeof VENCRYPT_SUBTYPE_NAMES)[number];

/** The canonical spelling of a subtype name given in any case, or the text unchanged when it names none. */
export function canonicalSubtypeName(text: string): string {
  return VENCRYPT_SUBTYPE_NAMES.find((n) => n.toLowerCase() === text.toLowerCase()) ?? text;
}
