import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { writeFileAtomic } from './config-file.js';
import { makeSelfSigned } from './self-signed.js';

/**
 * The server's TLS certificate: the one the user configured (cert and key
 * files), or a self-signed one made on first use and kept, so that viewers
 * that pinned it (by its fingerprint, or as their X509 CA file) keep
 * trusting it. VeNCrypt's X509 subtypes use it now; https and wss will use
 * the same one.
 *
 * Node's crypto can make keys but not certificates: self-signed.ts builds
 * one with @peculiar/asn1-x509 and signs it with Node's crypto.
 */

/** The files the generated certificate is kept in, inside the folder the app passes. */
export const GENERATED_CERT_FILE = 'tls-cert.pem';
export const GENERATED_KEY_FILE = 'tls-key.pem';

/**
 * How long a generated certificate is valid. Apple's platforms refuse TLS
 * server certificates valid for longer than 825 days, even self-signed ones a
 * user trusts; an expired generated certificate is replaced (and says so).
 */
export const GENERATED_VALIDITY_DAYS = 825;

export interface TlsCertificate {
  /** PEM: the certificate (and any chain after it, for configured files). */
  cert: string;
  /** PEM: the private key. */
  key: string;
  /** SHA-256 of the certificate's DER, upper-case hex pairs joined by colons (as `openssl x509 -fingerprint -sha256` shows). */
  fingerprint: string;
  /** Where it came from: the user's files, or ours (`generated` now, or `kept` from an earlier run). */
  source: 'configured' | 'generated' | 'kept';
  /** The generated certificate had expired and was replaced by a new one (viewers that pinned the old one must pin again). */
  renewed: boolean;
  certPath: string;
  keyPath: string;
  /** When it stops being valid. */
  validTo: Date;
}

export interface TlsCertificateOptions {
  /** The configured certificate file (PEM). Set together with keyFile, or neither. */
  certFile?: string | null;
  /** The configured key file (PEM). */
  keyFile?: string | null;
  /** Where the generated certificate is kept (e.g. $XDG_CONFIG_HOME/trayvnc); created mode 0700 if missing. */
  dir: string;
  /** Names and addresses for a new certificate's subjectAltName; defaults to this machine's (`defaultHosts()`). */
  hosts?: readonly string[];
  /** The clock (tests). */
  now?: () => Date;
}

/** A certificate or key file that cannot be used; the message names the file and what is wrong. */
export class TlsCertificateError extends Error {
  override readonly name = 'TlsCertificateError';
}

/** Colon-separated upper-case hex of SHA-256 over the DER, the form browsers and openssl show. */
export function certificateFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/**
 * The names a viewer may use for this machine: its host name, localhost, the
 * loopback addresses and the addresses of its network interfaces now (a
 * viewer that checks the name needs the one it connected to in the list).
 */
export function defaultHosts(): string[] {
  const hosts = new Set<string>(['localhost', '127.0.0.1', '::1']);
  const name = hostname();
  if (name) hosts.add(name);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      // Link-local IPv6 addresses carry a zone and change with the interface: no use in a certificate.
      if (!a.internal && !(a.family === 'IPv6' && a.address.toLowerCase().startsWith('fe80'))) hosts.add(a.address);
    }
  }
  return [...hosts];
}

/** Load the configured certificate, or the kept one, or make and keep a new one. */
export async function loadTlsCertificate(opts: TlsCertificateOptions): Promise<TlsCertificate> {
  const now = opts.now ?? (() => new Date());
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new TlsCertificateError('a TLS certificate needs both its certificate file and its key file');
    const pair = await readPair(opts.certFile, opts.keyFile);
    return { ...pair, source: 'configured', renewed: false };
  }
  const certPath = join(opts.dir, GENERATED_CERT_FILE);
  const keyPath = join(opts.dir, GENERATED_KEY_FILE);
  const [certThere, keyThere] = await Promise.all([exists(certPath), exists(keyPath)]);
  let renewed = false;
  if (certThere || keyThere) {
    // One file without the other is damage (or a half-finished copy), not a reason to make a new identity.
    if (!certThere || !keyThere) {
      throw new TlsCertificateError(`${certThere ? keyPath : certPath} is missing while ${certThere ? certPath : keyPath} exists; restore it, or remove both to make a new certificate`);
    }
    const pair = await readPair(certPath, keyPath);
    if (pair.validTo.getTime() > now().getTime()) return { ...pair, source: 'kept', renewed: false };
    renewed = true;
  }
  await mkdir(opts.dir, { recursive: true, mode: 0o700 });
  const made = await generateSelfSigned(opts.hosts ?? defaultHosts(), now());
  // Each file is written whole, mode 0600 (writeFileAtomic). The key first: a crash between the two
  // leaves a key without a certificate, which the next start reports.
  writeFileAtomic(keyPath, made.key);
  writeFileAtomic(certPath, made.cert);
  const pair = await readPair(certPath, keyPath);
  return { ...pair, source: 'generated', renewed };
}

interface Pair {
  cert: string;
  key: string;
  fingerprint: string;
  certPath: string;
  keyPath: string;
  validTo: Date;
}

/** Read and check a certificate and its key: each parses, and the key is the certificate's. */
async function readPair(certPath: string, keyPath: string): Promise<Pair> {
  const cert = await readText(certPath, 'certificate');
  const key = await readText(keyPath, 'key');
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(cert);
  } catch (e) {
    throw new TlsCertificateError(`${certPath} is not a PEM certificate (${(e as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    throw new TlsCertificateError(`${keyPath} is not a PEM private key (${(e as Error).message})`);
  }
  if (!parsed.checkPrivateKey(privateKey)) throw new TlsCertificateError(`${keyPath} is not the key of the certificate in ${certPath}`);
  return { cert, key, fingerprint: parsed.fingerprint256, certPath, keyPath, validTo: new Date(parsed.validTo) };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new TlsCertificateError(`cannot read the TLS ${what} ${path}: ${(e as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new TlsCertificateError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

function generateSelfSigned(hosts: readonly string[], now: Date): Promise<{ cert: string; key: string }> {
  const commonName = hosts.find((h) => !isIP(h) && h !== 'localhost') ?? 'localhost';
  return makeSelfSigned({
    hosts,
    commonName: `TrayVNC on ${commonName}`,
    // Backdated an hour: a viewer whose clock is a little behind still accepts it.
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter: new Date(now.getTime() + GENERATED_VALIDITY_DAYS * 86400_000),
  });
}
