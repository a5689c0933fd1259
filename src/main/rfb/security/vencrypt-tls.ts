import { getDiffieHellman } from 'node:crypto';
import type { TlsOptions } from 'node:tls';

/**
 * The TLS settings for VeNCrypt's two kinds of subtype.
 *
 * X509*: an ordinary certificate-authenticated TLS server with Node's
 * default (ECDHE, AEAD-first) cipher suites, in TLS 1.2. Not 1.3: in TLS
 * 1.3 OpenSSL sends its session tickets after the handshake, with our first
 * message; TigerVNC's viewer (1.12) then leaves its ClientInit unsent when
 * that message is the SecurityResult (X509Plain: the client speaks first
 * after the handshake), and the connection stalls until a timeout. Node
 * cannot turn the tickets off (SSL_OP_NO_TICKET only makes them stateful).
 * libvncclient settles on TLS 1.2 with its own priorities anyway.
 *
 * TLS* (anonymous): the community RFB document says "anonymous TLS", and
 * the viewers mean just that: libvncclient asks GnuTLS for
 * "NORMAL:+ANON-ECDH:+ANON-DH" and TigerVNC adds "+ANON-ECDH:+ANON-DH" to
 * its priorities, with anonymous credentials only: no certificate is sent or
 * checked. OpenSSL serves those suites (ADH-*, AECDH-*) only at security
 * level 0 and only in TLS 1.2 (TLS 1.3 has no anonymous key exchange), so
 * that is what these options ask for. Such a session is encrypted against a
 * passive eavesdropper but not authenticated: a man in the middle can read
 * it, which is why the X509 subtypes come first by default.
 */

/**
 * Anonymous suites, most preferred first, and we choose (honorCipherOrder):
 * GnuTLS lists ANON-ECDH before ANON-DH, which would land on AES-CBC with
 * SHA-1 where AES-GCM is to be had.
 */
const ANON_CIPHERS = [
  'ADH-AES256-GCM-SHA384',
  'ADH-AES128-GCM-SHA256',
  'AECDH-AES256-SHA',
  'AECDH-AES128-SHA',
  'ADH-AES256-SHA256',
  'ADH-AES128-SHA256',
].join(':');

let dhParams: Buffer | null = null;

/**
 * Diffie-Hellman parameters for the ADH suites: the 3072-bit MODP group of
 * RFC 3526 (group 15), as PKCS#3 DHParameter PEM. Not OpenSSL's 'auto',
 * which picks 1024-bit parameters for the anonymous AES-128 suites.
 */
export function anonDhParams(): Buffer {
  if (dhParams) return dhParams;
  const prime = getDiffieHellman('modp15').getPrime();
  // DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER }; the prime's top bit is set, so INTEGER needs a 0x00 in front.
  const p = Buffer.concat([Buffer.from([0x02]), derLength(prime.length + 1), Buffer.from([0x00]), prime]);
  const g = Buffer.from([0x02, 0x01, 0x02]);
  const der = Buffer.concat([Buffer.from([0x30]), derLength(p.length + g.length), p, g]);
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  dhParams = Buffer.from(`-----BEGIN DH PARAMETERS-----\n${lines.join('\n')}\n-----END DH PARAMETERS-----\n`);
  return dhParams;
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

/** TLS options for TLSNone, TLSVnc, TLSPlain: anonymous Diffie-Hellman, no certificate. */
export function anonTlsOptions(): TlsOptions {
  return {
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
    ciphers: `${ANON_CIPHERS}@SECLEVEL=0`,
    honorCipherOrder: true,
    dhparam: anonDhParams(),
  };
}

/** TLS options for X509None, X509Vnc, X509Plain: the server's certificate, TLS 1.2 (see above for why not 1.3). */
export function x509TlsOptions(keys: { cert: string; key: string }): TlsOptions {
  return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', cert: keys.cert, key: keys.key };
}
