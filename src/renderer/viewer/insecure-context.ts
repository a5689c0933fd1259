/// <reference path="../../types/novnc-rfb.d.ts" />
import type RFB from '@novnc/novnc';

/** RSA-AES without session encryption (RA2ne), the RSA-AES type noVNC speaks. */
const SECURITY_RA2NE = 6;

/**
 * Outside a secure context (a page over http:// from another computer, say
 * a phone on the same network) browsers withhold WebCrypto, which noVNC's
 * RSA-AES needs. The server offers RSA-AES first, so noVNC would pick it and
 * fail after the password; taking it off noVNC's list lets it log in with VNC
 * Authentication, the next type offered, which it computes itself. noVNC has
 * no option for this, so its internal check is wrapped; a noVNC without it is
 * left alone (false).
 */
export function skipWebCryptoSecurity(rfb: RFB): boolean {
  // An internal of noVNC's RFB, reached on purpose: not part of its types.
  const host = rfb as unknown as { _isSupportedSecurityType?: (type: number) => boolean };
  const supported = host._isSupportedSecurityType;
  if (typeof supported !== 'function') return false;
  host._isSupportedSecurityType = function (this: unknown, type: number): boolean {
    return type !== SECURITY_RA2NE && supported.call(this, type);
  };
  return true;
}
