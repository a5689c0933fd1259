import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createControlClient, webSocketTransport, type ControlClient, type WebSocketConstructor } from '../../src/renderer/api/control-client.js';
import { startCli, type CliRun } from '../support/cli-process.js';
import { WireSocket } from '../support/wire-socket.js';

/**
 * The headless dashboard's Settings page saves: with --config FILE into
 * that file, otherwise into $XDG_CONFIG_HOME/trayvnc/config.json, which the
 * next `trayvnc serve` reads. Each test has its own temporary folders.
 */

const running: CliRun[] = [];
const clients: ControlClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const r of running.splice(0)) await r.stop();
});

interface Served {
  run: CliRun;
  vncPort: number;
  api: ControlClient;
}

/** `trayvnc serve` on a synthetic desktop with the dashboard on; its VNC port and a control API client. */
async function serve(args: string[], env: Record<string, string>): Promise<Served> {
  const run = startCli(['serve', '--source', 'synthetic', '--size', '320x200', '--port', '0', '--http-port', '0', '--log-format', 'json', ...args], {
    TRAYVNC_DASHBOARD_TOKEN: '',
    ...env,
  });
  running.push(run);
  const vnc = await run.waitFor(/TrayVNC listening on 127\.0\.0\.1:(\d+)/, 10_000, 'stdout');
  const control = await run.waitFor(/TrayVNC control API: (ws:\/\/\S+)/, 10_000, 'stdout');
  const api = createControlClient(webSocketTransport(control.match[1]!, { WebSocket: WebSocket as unknown as WebSocketConstructor, timeoutMs: 5000 }));
  clients.push(api);
  return { run, vncPort: Number(vnc.match[1]), api };
}

async function stop(s: Served): Promise<void> {
  s.api.close();
  expect(await s.run.stop()).toBe(0);
}

/** The desktop name a viewer is told at connection. */
async function desktopName(port: number): Promise<string> {
  const c = await WireSocket.connect(port);
  try {
    return (await c.handshakeNone()).name;
  } finally {
    c.destroy();
  }
}

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const tempDir = (what: string) => {
  const d = mkdtempSync(join(tmpdir(), `trayvnc-${what}-`));
  temps.push(d);
  return d;
};
const mode = (path: string) => statSync(path).mode & 0o777;
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('trayvnc serve: settings changed from the dashboard are kept', () => {
  it('saves into the --config file (only what changed, its other keys kept, mode 0600) and the next start uses it', async () => {
    const xdg = tempDir('xdg');
    const dir = tempDir('config');
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ frame_rate: 20, desktop_name: 'Before', colour: 'blue' }), { mode: 0o644 });
    const env = { XDG_CONFIG_HOME: xdg };

    const first = await serve(['--config', file, '--max-connections', '7'], env);
    expect(await desktopName(first.vncPort)).toBe('Before');
    const result = await first.api.updateSettings({ desktop_name: 'After', handshake_timeout: 20 });
    expect(result.savedTo).toBe(realpathSync(file));
    expect(result.saved).toBe(true);
    await first.run.waitFor(new RegExp(`"msg":"settings saved to ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`), 5000, 'stderr');
    await stop(first);

    // The change and the file's own keys, the unknown one too; nothing from the command line (max_connections, port, source).
    expect(json(file)).toEqual({ frame_rate: 20, desktop_name: 'After', handshake_timeout: 20, colour: 'blue' });
    expect(mode(file)).toBe(0o600);

    const second = await serve(['--config', file], env);
    expect(await desktopName(second.vncPort)).toBe('After');
    expect(await second.api.getSettings()).toMatchObject({ desktop_name: 'After', handshake_timeout: 20, frame_rate: 20, max_connections: 10 });
    await stop(second);
  });

  it('without --config saves into $XDG_CONFIG_HOME/trayvnc/config.json, which the next start reads (flags still override)', async () => {
    const xdg = tempDir('xdg');
    const env = { XDG_CONFIG_HOME: xdg };
    const file = join(xdg, 'trayvnc', 'config.json');

    const first = await serve([], env);
    const result = await first.api.updateSettings({ frame_rate: 12, desktop_name: 'Kept' });
    expect(result.savedTo).toBe(file);
    await stop(first);
    expect(json(file)).toEqual({ frame_rate: 12, desktop_name: 'Kept' });
    expect(mode(file)).toBe(0o600);

    const second = await serve([], env);
    expect(await second.api.getSettings()).toMatchObject({ frame_rate: 12, desktop_name: 'Kept' });
    expect(await desktopName(second.vncPort)).toBe('Kept');
    await stop(second);

    const third = await serve(['--frame-rate', '25'], env);
    expect(await third.api.getSettings()).toMatchObject({ frame_rate: 25, desktop_name: 'Kept' });
    await stop(third);
  });

  it('keeps a new password as config.json does (inline, or in its password_file), never printing it', async () => {
    const xdg = tempDir('xdg');
    const dir = tempDir('config');
    const env = { XDG_CONFIG_HOME: xdg };
    const secret = 'n3wSecret-Pw';

    // A config with an inline password gets the new one inline.
    const inline = join(dir, 'inline.json');
    writeFileSync(inline, JSON.stringify({ password: 'oldpass1', host: '127.0.0.1' }));
    const a = await serve(['--config', inline], env);
    await a.api.updateSettings({ password: secret });
    await stop(a);
    expect(json(inline)).toEqual({ password: secret, host: '127.0.0.1' });
    expect(a.run.stdout() + a.run.stderr()).not.toContain(secret);

    // A config naming a password file gets the new one in that file.
    const pwFile = join(dir, 'password.txt');
    writeFileSync(pwFile, 'oldpass2\n');
    const viaFile = join(dir, 'via-file.json');
    writeFileSync(viaFile, JSON.stringify({ password_file: pwFile, host: '127.0.0.1' }));
    const b = await serve(['--config', viaFile], env);
    const r = await b.api.updateSettings({ password: secret });
    expect(r.settings.password_set).toBe(true);
    await stop(b);
    expect(json(viaFile)).toEqual({ password_file: pwFile, host: '127.0.0.1' });
    expect(readFileSync(pwFile, 'utf8')).toBe(`${secret}\n`);
    expect(mode(pwFile)).toBe(0o600);
    expect(b.run.stdout() + b.run.stderr()).not.toContain(secret);

    // The next start asks viewers for it.
    const c = await serve(['--config', viaFile], env);
    expect(c.run.stdout()).toContain('password required');
    expect((await c.api.getState()).passwordSet).toBe(true);
    await stop(c);
  });
});
