import { describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';
import { WireSocket } from '../support/wire-socket.js';

/**
 * Safe defaults at start: the server never listens beyond this computer
 * without authentication unless told so in as many words, and says so
 * when it is told, or when logins would cross the network unencrypted.
 */

const BASE = ['serve', '--source', 'synthetic', '--size', '320x200', '--port', '0', '--log-level', 'error'];

describe('trayvnc serve: who can reach it', () => {
  it('refuses to listen on every interface with no password, says how to fix it, and exits within a second', async () => {
    const run = startCli([...BASE, '--host', '0.0.0.0']);
    try {
      const printed = await run.waitFor(/refusing to listen.*\n/, 8000, 'stderr');
      const exit = await Promise.race([run.exited, new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
      expect(exit, run.stderr()).not.toBeNull();
      expect(exit!.code).toBe(2);
      expect(exit!.at - printed.at).toBeLessThan(1000);
      expect(run.stderr()).toContain('refusing to listen on every network interface without authentication');
      expect(run.stderr()).toContain('--password-file');
      expect(run.stderr()).toContain('--insecure-no-auth');
      expect(run.stdout()).not.toContain('listening');
    } finally {
      await run.stop(500);
    }
  });

  it('with --insecure-no-auth it listens, warns on every start, and lets a viewer in without a password', async () => {
    const run = startCli([...BASE, '--host', '0.0.0.0', '--insecure-no-auth']);
    try {
      const m = await run.waitFor(/listening on 0\.0\.0\.0:(\d+)/, 8000, 'stdout');
      expect(run.stderr()).toMatch(/warning: No authentication: anyone who can reach every network interface can see and control this desktop/);
      const c = await WireSocket.connect(Number(m.match[1]));
      await c.read(12);
      c.write('RFB 003.008\n');
      expect(await c.read(2)).toEqual(Buffer.from([1, 1])); // one type: None
      c.destroy();
    } finally {
      await run.stop(2000);
    }
  });

  it('with only VNC Authentication beyond loopback it warns that logins cross the network unencrypted; with the default types it does not', async () => {
    const run = startCli([...BASE, '--host', '0.0.0.0', '--password', 'secret99', '--security-types', 'vnc']);
    try {
      await run.waitFor(/listening on 0\.0\.0\.0:\d+/, 8000, 'stdout');
      expect(run.stderr()).toMatch(/warning: Viewers on other computers log in with VNC Authentication only/);
    } finally {
      await run.stop(2000);
    }
    const encrypted = startCli([...BASE, '--host', '0.0.0.0', '--password', 'secret99']);
    try {
      await encrypted.waitFor(/listening on 0\.0\.0\.0:\d+/, 8000, 'stdout');
      expect(encrypted.stderr()).not.toMatch(/warning: (Viewers on other computers|No authentication)/);
    } finally {
      await encrypted.stop(2000);
    }
  });

  it('on loopback it says nothing of the kind, password or not', async () => {
    const run = startCli([...BASE]);
    try {
      await run.waitFor(/listening on 127\.0\.0\.1:\d+/, 8000, 'stdout');
      expect(run.stderr()).not.toMatch(/warning: (No authentication|Viewers on other computers)/);
    } finally {
      await run.stop(2000);
    }
  });
});
