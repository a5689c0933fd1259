import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_serverAuth,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

/**
 * A self-signed X.509 certificate, built with the ASN.1 schemas of
 * @peculiar/asn1-x509 and signed with Node's own crypto: Node makes keys and
 * signatures but has no certificate builder. (The same project's
 * @peculiar/x509 wraps these schemas in a friendlier API, but it needs a
 * global Reflect polyfill and a dependency-injection container; the
 * handful of fields below do not.)
 */

const generateKeyPairAsync = promisify(generateKeyPair);

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';
const ORGANIZATION = '2.5.4.10';
/** DER NULL: RFC 4055 §5 wants explicit NULL parameters for the RSA PKCS#1 v1.5 signature algorithms. */
const DER_NULL = new Uint8Array([0x05, 0x00]).buffer;

export interface SelfSignedOptions {
  /** DNS names and IP addresses for subjectAltName (the names viewers check). */
  hosts: readonly string[];
  /** The subject's common name (shown by viewers and browsers; not used for name checks). */
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * A new RSA-2048 key and a SHA-256 certificate for it, signed by itself.
 * RSA rather than ECDSA: every TLS stack a VNC viewer or browser uses takes
 * it. It is an end entity (CA:FALSE, serverAuth): browsers refuse a CA
 * certificate as a server's, and GnuTLS and OpenSSL trust it when it is
 * itself the trust anchor (the viewer's X509 CA file).
 */
export async function makeSelfSigned(opts: SelfSignedOptions): Promise<{ cert: string; key: string }> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const spkiDer = publicKey.export({ type: 'spki', format: 'der' });
  const spki = AsnConvert.parse(spkiDer, SubjectPublicKeyInfo);
  const name = new Name([rdn(COMMON_NAME, opts.commonName), rdn(ORGANIZATION, 'TrayVNC')]);
  const algorithm = new AlgorithmIdentifier({ algorithm: SHA256_WITH_RSA, parameters: DER_NULL });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialNumber(),
    signature: algorithm,
    issuer: name,
    subject: name,
    validity: new Validity({ notBefore: opts.notBefore, notAfter: opts.notAfter }),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment)),
      extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])),
      extension(id_ce_subjectAltName, false, new SubjectAlternativeName(opts.hosts.map(generalName))),
      // RFC 5280 §4.2.1.2 method 1: SHA-1 of the public key's bits (an identifier, not a security measure).
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest())),
    ]),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, privateKey);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: algorithm, signatureValue: toArrayBuffer(signature) });
  return { cert: pem('CERTIFICATE', Buffer.from(AsnConvert.serialize(cert))), key: privateKeyPem(privateKey) };
}

function rdn(type: string, value: string): RelativeDistinguishedName {
  return new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
}

function extension(extnID: string, critical: boolean, value: object): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

function generalName(host: string): GeneralName {
  return isIP(host) ? new GeneralName({ iPAddress: host }) : new GeneralName({ dNSName: host });
}

/** A positive serial of 16 random bytes (RFC 5280 §4.1.2.2: unique, positive, at most 20 octets). */
function serialNumber(): ArrayBuffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, and no leading zero byte to strip
  return toArrayBuffer(serial);
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return new Uint8Array(b).buffer;
}

function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
