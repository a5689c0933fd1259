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

  it('says loudly, once, that it shares the test pattern when there is no display; not when the test pattern is chosen', async () => {
    // Without $DISPLAY at all, as on a server with no desktop.
    const { DISPLAY: _display, ...noDisplay } = process.env;
    const startAndStop = async (extra: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> => {
      const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--log-level', 'warn', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: noDisplay });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // 'close' comes after both pipes are drained, so everything it wrote is in hand.
      const closed = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
      try {
        const deadline = Date.now() + 10_000;
        for (let i = 0; i < 200 && Date.now() < deadline && !/TrayVNC listening on/.test(stdout) && child.exitCode === null; i++) {
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(stdout, stderr).toMatch(/TrayVNC listening on 127\.0\.0\.1:\d+ \(synthetic desktop, 1280x720, no password\)/);
      } finally {
        if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      }
      return { stdout, stderr, code: await closed };
    };

    const guessed = await startAndStop([]);
    expect(guessed.code).toBe(0);
    const lines = guessed.stderr.split('\n');
    const warnings = lines.filter((l) => l.startsWith('warning: '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('no X display found');
    expect(warnings[0]).toContain('sharing the synthetic test pattern');
    expect(warnings[0]).toContain('--display :N');
    expect(warnings[0]).toContain('--source synthetic');
    // and the same in the log, as a warning
    const logged = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string });
    expect(logged.filter((l) => l.level === 40 && l.msg.includes('synthetic test pattern'))).toEqual([expect.objectContaining({ reason: 'no X display' })]);

    const chosen = await startAndStop(['--source', 'synthetic']);
    expect(chosen.code).toBe(0);
    expect(chosen.stderr).not.toContain('test pattern');
    expect(chosen.stderr).not.toMatch(/^warning: /m);
  }, 30_000);
});
