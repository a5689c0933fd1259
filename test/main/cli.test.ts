import { describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RawViewer } from '../support/raw-viewer.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'main', 'cli.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 10_000, env: { ...process.env, DISPLAY: '' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('trayvnc command line (built)', () => {
  it('prints help and the version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/trayvnc serve \[options\]/);
    expect(help.stdout).toMatch(/^\s+--handshake-timeout SECONDS\b/m);
    expect(help.stdout).toMatch(/^\s+--max-cut-text BYTES\b/m);
    const version = await cli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses bad settings at start, naming the field', async () => {
    const r = await cli(['serve', '--frame-rate', '0', '--source', 'synthetic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('frame_rate must be a whole number from 1 to 60');
    const dir = mkdtempSync(join(tmpdir(), 'trayvnc-cli-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ port: 'many', max_connections: 0 }));
    const f = await cli(['serve', '--config', join(dir, 'config.json')]);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('port must be a whole number');
    expect(f.stderr).toContain('max_connections must be a whole number from 1 to 1000');
    expect((await cli(['serve', '--bogus'])).stderr).toMatch(/Unknown option '--bogus'/);
    expect((await cli(['frobnicate'])).code).toBe(2);
  });

  it('refuses a listen address that is not one, naming the key', async () => {
    for (const [flag, key] of [
      ['--host', 'host'],
      ['--http-host', 'dashboard_host'],
      ['--metrics-host', 'metrics_host'],
    ] as const) {
      const r = await cli(['serve', '--source', 'synthetic', flag, 'not a host!!']);
      expect(r.code, flag).toBe(2);
      expect(r.stderr, flag).toContain(`${key} must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::) or a host name`);
    }
  });

  it('serves a synthetic desktop that a viewer can watch, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--source', 'synthetic', '--size', '320x200', '--port', '0', '--frame-rate', '20', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        const t = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 10_000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /TrayVNC listening on 127\.0\.0\.1:(\d+) \(synthetic desktop, 320x200, no password\)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
      });
      const viewer = await RawViewer.connect(Number(line));
      expect([viewer.width, viewer.height]).toEqual([320, 200]);
      await viewer.waitForMore(3, 5000); // the synthetic desktop animates
      viewer.close();
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code).toBe(0);
    }
  });
});
