import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateFingerprint,
  defaultHosts,
  GENERATED_CERT_FILE,
  GENERATED_KEY_FILE,
  loadTlsCertificate,
  TlsCertificateError,
  type TlsCertificate,
} from '../../../src/main/app/tls-certificate.js';

const temps: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'trayvnc-tls-'));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** openssl, the independent reader of what we wrote. */
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const HOSTS = ['localhost', '127.0.0.1', '::1', 'desk.example.org', '192.0.2.7'];
let dir: string;
let first: TlsCertificate;

beforeAll(async () => {
  dir = tempDir();
  first = await loadTlsCertificate({ dir: join(dir, 'trayvnc'), hosts: HOSTS });
});

describe('the generated certificate', () => {
  it('is made on first use, in files only the owner can read', () => {
    expect(first.source).toBe('generated');
    expect(first.renewed).toBe(false);
    for (const f of [GENERATED_CERT_FILE, GENERATED_KEY_FILE]) expect(statSync(join(dir, 'trayvnc', f)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'trayvnc')).mode & 0o777).toBe(0o700);
    expect(readFileSync(first.keyPath, 'utf8')).toBe(first.key);
  });

  it('has the fingerprint openssl shows, in the same form', () => {
    const out = openssl('x509', '-in', first.certPath, '-noout', '-fingerprint', '-sha256');
    expect(out.trim()).toBe(`sha256 Fingerprint=${first.fingerprint}`);
    expect(first.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(certificateFingerprint(first.cert)).toBe(first.fingerprint);
  });

  it('names the hosts in subjectAltName, is a self-signed server certificate, and verifies as its own anchor', () => {
    const text = openssl('x509', '-in', first.certPath, '-noout', '-text');
    expect(text).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1, DNS:desk\.example\.org, IP Address:192\.0\.2\.7/);
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    expect(openssl('verify', '-CAfile', first.certPath, '-verify_hostname', 'desk.example.org', first.certPath)).toMatch(/: OK/);
    expect(openssl('verify', '-CAfile', first.certPath, '-verify_ip', '127.0.0.1', first.certPath)).toMatch(/: OK/);
    expect(() => openssl('verify', '-CAfile', first.certPath, '-verify_hostname', 'other.example.org', first.certPath)).toThrow();
    // The key file holds the certificate's key (openssl's view of both public keys).
    const fromCert = openssl('x509', '-in', first.certPath, '-noout', '-pubkey');
    const fromKey = openssl('pkey', '-in', first.keyPath, '-pubout');
    expect(fromKey).toBe(fromCert);
  });

  it('is valid from an hour ago for 825 days', () => {
    const days = (first.validTo.getTime() - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(824.9);
    expect(days).toBeLessThan(825.1);
  });

  it('is kept: a later start loads the same one', async () => {
    const again = await loadTlsCertificate({ dir: join(dir, 'trayvnc'), hosts: ['other'] });
    expect(again.source).toBe('kept');
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.cert).toBe(first.cert);
  });

  it('is replaced once expired, and says so', async () => {
    const d = tempDir();
    const old = await loadTlsCertificate({ dir: d, hosts: ['localhost'] });
    const later = () => new Date(Date.now() + 900 * 86400_000);
    const renewed = await loadTlsCertificate({ dir: d, hosts: ['localhost'], now: later });
    expect(renewed).toMatchObject({ source: 'generated', renewed: true });
    expect(renewed.fingerprint).not.toBe(old.fingerprint);
    expect(readFileSync(join(d, GENERATED_CERT_FILE), 'utf8')).toBe(renewed.cert);
  });

  it('defaults its names to this machine: localhost, loopback and the host name', () => {
    const hosts = defaultHosts();
    expect(hosts).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1', hostname()]));
    expect(hosts.some((h) => h.toLowerCase().startsWith('fe80'))).toBe(false);
  });
});

describe('a damaged or incomplete certificate is an error, never a new identity', () => {
  async function copyOfFirst(): Promise<string> {
    const d = tempDir();
    writeFileSync(join(d, GENERATED_CERT_FILE), first.cert, { mode: 0o600 });
    writeFileSync(join(d, GENERATED_KEY_FILE), first.key, { mode: 0o600 });
    return d;
  }

  it('a certificate file that is not a certificate', async () => {
    const d = await copyOfFirst();
    const damaged = first.cert.slice(0, 200) + 'garbage' + first.cert.slice(300);
    writeFileSync(join(d, GENERATED_CERT_FILE), damaged);
    const err = await loadTlsCertificate({ dir: d }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsCertificateError);
    expect((err as Error).message).toContain(`${join(d, GENERATED_CERT_FILE)} is not a PEM certificate`);
    expect(readFileSync(join(d, GENERATED_CERT_FILE), 'utf8')).toBe(damaged);
  });

  it('a key file that is not a key', async () => {
    const d = await copyOfFirst();
    writeFileSync(join(d, GENERATED_KEY_FILE), 'not a key\n');
    await expect(loadTlsCertificate({ dir: d })).rejects.toThrow(`${join(d, GENERATED_KEY_FILE)} is not a PEM private key`);
  });

  it('the key of another certificate', async () => {
    const d = await copyOfFirst();
    const other = await loadTlsCertificate({ dir: tempDir(), hosts: ['localhost'] });
    writeFileSync(join(d, GENERATED_KEY_FILE), other.key);
    await expect(loadTlsCertificate({ dir: d })).rejects.toThrow(/is not the key of the certificate/);
  });

  it.each([GENERATED_KEY_FILE, GENERATED_CERT_FILE])('%s missing while the other is there', async (missing) => {
    const d = await copyOfFirst();
    unlinkSync(join(d, missing));
    await expect(loadTlsCertificate({ dir: d })).rejects.toThrow(`${join(d, missing)} is missing`);
    expect(existsSync(join(d, missing))).toBe(false);
  });
});

describe('configured certificate files', () => {
  it('are used as they are', async () => {
    const c = await loadTlsCertificate({ certFile: first.certPath, keyFile: first.keyPath, dir: tempDir() });
    expect(c).toMatchObject({ source: 'configured', fingerprint: first.fingerprint, certPath: first.certPath });
  });

  it('need both files', async () => {
    await expect(loadTlsCertificate({ certFile: first.certPath, dir: tempDir() })).rejects.toThrow(/both its certificate file and its key file/);
  });

  it('that cannot be read are named in the error', async () => {
    await expect(loadTlsCertificate({ certFile: '/nonexistent/cert.pem', keyFile: first.keyPath, dir: tempDir() })).rejects.toThrow(
      /cannot read the TLS certificate \/nonexistent\/cert\.pem/,
    );
  });
});
