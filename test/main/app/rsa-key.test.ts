import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RSA_KEY_FILE, RsaKeyFileError, RsaKeyStore } from '../../../src/main/app/rsa-key.js';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'trayvnc-rsa-key-'));
  temps.push(d);
  return d;
};

/**
 * The fingerprint as noVNC's page computes it (app/ui.js serverVerify) from the
 * key message core/ra2.js receives, built here from the PEM on its own: U32
 * bits, modulus and exponent each as wide as the modulus.
 */
async function noVncFingerprint(pem: string): Promise<string> {
  const jwk = createPublicKey(pem).export({ format: 'jwk' });
  const n = Buffer.from(jwk.n!, 'base64url');
  const e = Buffer.from(jwk.e!, 'base64url');
  const size = n.length;
  const msg = Buffer.alloc(4 + 2 * size);
  msg.writeUInt32BE(size * 8);
  n.copy(msg, 4);
  e.copy(msg, 4 + 2 * size - e.length);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-1', msg));
  return Array.from(digest.slice(0, 8))
    .map((x) => x.toString(16).padStart(2, '0'))
    .join('-');
}

describe('the server RSA key', () => {
  it('is made on first use in a private file, then read back the same', async () => {
    const dir = join(tempDir(), 'config', 'trayvnc');
    const first = await new RsaKeyStore(dir).get();
    expect(first.created).toBe(true);
    expect(first.path).toBe(join(dir, RSA_KEY_FILE));
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readFileSync(first.path, 'utf8')).toBe(first.pem);
    expect(first.pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPublicKey(first.pem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(readdirSync(dir)).toEqual([RSA_KEY_FILE]);

    const again = await new RsaKeyStore(dir).get();
    expect(again.created).toBe(false);
    expect(again.pem).toBe(first.pem);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(again.sha256).toBe(first.sha256);
  });

  it("has the fingerprint noVNC shows for it, and a SHA-256 one", async () => {
    const key = await new RsaKeyStore(tempDir()).get();
    expect(key.fingerprint).toBe(await noVncFingerprint(key.pem));
    expect(key.sha256).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/);
  });

  it('is made once when asked many times at once, from one store or several', async () => {
    const dir = tempDir();
    const store = new RsaKeyStore(dir);
    const other = new RsaKeyStore(dir);
    const keys = await Promise.all([store.get(), store.get(), other.get(), store.privateKeyPem()]);
    const pems = new Set(keys.map((k) => (typeof k === 'string' ? k : k.pem)));
    expect(pems.size).toBe(1);
    expect(readFileSync(join(dir, RSA_KEY_FILE), 'utf8')).toBe([...pems][0]);
    expect(readdirSync(dir)).toEqual([RSA_KEY_FILE]); // no temporary file left behind
  });

  it('keeps an existing PKCS#1 key as it is', async () => {
    const dir = tempDir();
    const pem = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    writeFileSync(join(dir, RSA_KEY_FILE), pem, { mode: 0o600 });
    const key = await new RsaKeyStore(dir).get();
    expect(key.created).toBe(false);
    expect(key.pem).toBe(pem);
  });

  const damaged: Array<[string, () => string]> = [
    ['an empty file', () => ''],
    ['text that is not a key', () => 'hello\n'],
    ['a PEM cut in half', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().slice(0, 600)],
    ['an EC key', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ['a public key', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    ['a huge file', () => 'A'.repeat(100_000)],
  ];
  it.each(damaged)('refuses %s with a clear error and leaves it alone (no silent new key)', async (_what, make) => {
    const dir = tempDir();
    const path = join(dir, RSA_KEY_FILE);
    const text = make();
    writeFileSync(path, text, { mode: 0o600 });
    const store = new RsaKeyStore(dir);
    const error = await store.get().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RsaKeyFileError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/damaged|not a key|not a usable|too big/);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual([RSA_KEY_FILE]);

    // Once the user moved the damaged file away, the same store makes a key: the failure was not remembered.
    rmSync(path);
    expect((await store.get()).created).toBe(true);
  });
});
