import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { plainPasswordWarning } from '../../src/main/cli-options.js';
import { startCli, type CliRun } from '../support/cli-process.js';
import { tigerVncpasswd } from '../support/tigervnc.js';
import { vncAuthLogin } from '../support/vnc-auth-client.js';

/**
 * Passwords never reach the log or the terminal: the built server is started
 * with both passwords at the most verbose log level, viewers log in wrong
 * and right, and every line it printed is searched for them.
 */
const FULL = 'Fu11Pass';
const VIEW_ONLY = 'L00kOnly';
const WRONG = 'Wr0ngPw!';

const dir = mkdtempSync(join(tmpdir(), 'trayvnc-hygiene-'));
const running: CliRun[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `trayvnc serve` with this config file, JSON logs at debug level; its VNC port. */
async function serve(config: Record<string, unknown>, name: string): Promise<{ run: CliRun; port: number; configPath: string }> {
  const configPath = join(dir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify({ host: '127.0.0.1', ...config }), { mode: 0o600 });
  const run = startCli(['serve', '--config', configPath, '--source', 'synthetic', '--size', '160x100', '--port', '0', '--log-level', 'debug', '--log-format', 'json']);
  running.push(run);
  const m = await run.waitFor(/TrayVNC listening on 127\.0\.0\.1:(\d+)/, 10_000, 'stdout');
  return { run, port: Number(m.match[1]), configPath };
}

/** Log in wrong, right and view-only, over 3.8 and 3.3; wait until the server has logged each. */
async function logins(run: CliRun, port: number): Promise<void> {
  const wrong = await vncAuthLogin(port, WRONG);
  expect(wrong).toMatchObject({ ok: false, reason: 'authentication failed' });
  const wrong33 = await vncAuthLogin(port, WRONG, 'RFB 003.003\n');
  expect(wrong33.ok).toBe(false);
  for (const [password, access] of [
    [FULL, 'full'],
    [VIEW_ONLY, 'view-only'],
  ] as const) {
    const login = await vncAuthLogin(port, password);
    if (!login.ok) throw new Error(`login refused: ${login.reason}`);
    await run.waitFor(new RegExp(`"access":"${access}".*"msg":"client connected"`), 5000, 'stderr');
    login.sock.destroy();
  }
  // both departures are logged too
  await run.waitFor(/"msg":"client disconnected[^"]*"[^]*"msg":"client disconnected/, 5000, 'stderr');
}

function expectNoPassword(text: string): void {
  for (const secret of [FULL, VIEW_ONLY, WRONG]) expect(text, `printed ${secret}`).not.toContain(secret);
  // nor in another form: the bytes in hex or base64
  for (const secret of [FULL, VIEW_ONLY]) {
    expect(text.toLowerCase()).not.toContain(Buffer.from(secret).toString('hex'));
    expect(text).not.toContain(Buffer.from(secret).toString('base64').replace(/=+$/, ''));
  }
}

describe('passwords stay out of the logs', () => {
  it('inline in the config: never printed, and a warning says how to move them into a file', async () => {
    const { run, port, configPath } = await serve({ password: FULL, view_only_password: VIEW_ONLY }, 'inline');
    await logins(run, port);
    const lines = run.stderr().split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(5);
    expectNoPassword(run.stdout());
    expectNoPassword(run.stderr());
    const warning = /warning: (.*)/.exec(run.stderr())?.[1] ?? '';
    expect(warning).toContain(`${configPath} holds the password and the view-only password in plain text`);
    expect(warning).toContain(`trayvnc passwd --view-only ${join(dir, 'passwd')}`);
    expect(warning).toContain('"password_file"');
    expect(await run.stop()).toBe(0);
  });

  it('in a vncpasswd file: never printed, no warning, and the log says which format was read', async () => {
    const file = join(dir, 'passwd');
    writeFileSync(file, tigerVncpasswd(FULL, VIEW_ONLY), { mode: 0o600 });
    const { run, port } = await serve({ password_file: file }, 'file');
    await logins(run, port);
    expectNoPassword(run.stdout());
    expectNoPassword(run.stderr());
    expect(run.stderr()).not.toMatch(/plain text/);
    expect(run.stderr()).toMatch(new RegExp(`"format":"vncpasswd".*password_file: ${file} is a vncpasswd file \\(full and view-only passwords\\)`));
  });
});

describe('the warning about a password in the config file', () => {
  it('names what is there and the command that moves it', () => {
    expect(plainPasswordWarning({ password_file: '/p' }, '/c/config.json')).toBeNull();
    expect(plainPasswordWarning({ password: 'x' }, '/c/config.json')).toBe(
      '/c/config.json holds the password in plain text. Keep it in a password file instead: run `trayvnc passwd /c/passwd`, ' +
        'then in /c/config.json set "password_file": "/c/passwd" and remove "password".',
    );
    expect(plainPasswordWarning({ password_file: '/p', view_only_password: 'x' }, '/c/config.json')).toBe(
      '/c/config.json holds the view-only password in plain text. Keep it in a password file instead: run `trayvnc passwd --view-only /c/passwd` ' +
        '(it asks for both passwords), then in /c/config.json set "password_file": "/c/passwd" and remove "view_only_password".',
    );
  });
});
