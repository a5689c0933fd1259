import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';
import { WireSocket } from '../support/wire-socket.js';

/**
 * `trayvnc serve` makes its certificate and RSA key on first use, keeps them
 * beside the config, says their fingerprints at start (the same at the next
 * start), and offers the encrypted security types first.
 */

const home = mkdtempSync(join(tmpdir(), 'trayvnc-cli-security-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function startOnce(): Promise<{ tls: string; rsa: string; offered: number[] }> {
  const run = startCli(['serve', '--source', 'synthetic', '--size', '320x200', '--port', '0', '--password', 'secret99', '--log-level', 'error'], { XDG_CONFIG_HOME: home });
  try {
    const port = Number((await run.waitFor(/listening on [0-9.]+:(\d+)/, 15_000, 'stdout')).match[1]);
    const tls = (await run.waitFor(/TLS certificate SHA-256: (\S+)/, 2000, 'stdout')).match[1]!;
    const rsa = (await run.waitFor(/RSA key fingerprint: (\S+)/, 2000, 'stdout')).match[1]!;
    const c = await WireSocket.connect(port);
    await c.read(12);
    c.write('RFB 003.008\n');
    const offered = [...(await c.read((await c.read(1))[0]!))];
    c.destroy();
    return { tls, rsa, offered };
  } finally {
    await run.stop(2000);
  }
}

describe('trayvnc serve: keys and fingerprints', () => {
  it('keeps a certificate whose SHA-256 openssl agrees with, says it at every start, and offers encryption first', async () => {
    const first = await startOnce();
    const certFile = join(home, 'trayvnc', 'tls-cert.pem');
    const openssl = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    expect(openssl.trim()).toBe(`sha256 Fingerprint=${first.tls}`);
    expect(first.rsa).toMatch(/^([0-9a-f]{2}-){7}[0-9a-f]{2}$/);
    // VeNCrypt, the 256-bit RSA-AES types (not 5 and 6, RealVNC's numbers), then VNC Authentication last.
    expect(first.offered).toEqual([19, 129, 130, 2]);
    const second = await startOnce();
    expect(second.tls).toBe(first.tls);
    expect(second.rsa).toBe(first.rsa);
  }, 60_000);
});
