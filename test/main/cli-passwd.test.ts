import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { passwdCommand, type PasswdIo } from '../../src/main/cli-passwd.js';
import { CLI } from '../support/cli-process.js';
import { tigerVncpasswd } from '../support/tigervnc.js';

const dir = mkdtempSync(join(tmpdir(), 'trayvnc-passwd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `passwd${n++}`);

/** Run the command in-process with `input` on a pipe (or typed on a pretend terminal, `tty`). */
async function passwd(args: string[], input: string, tty = false): Promise<{ code: number; out: string; err: string }> {
  const stdin = Object.assign(new PassThrough(), tty ? { isTTY: true, setRawMode: () => undefined } : {});
  let out = '';
  let err = '';
  const io: PasswdIo = { stdin, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
  const done = passwdCommand(args, io);
  stdin.end(Buffer.from(input, 'latin1'));
  return { code: await done, out, err };
}

describe('trayvnc passwd, from a pipe', () => {
  it('writes what TigerVNC’s vncpasswd writes, mode 0600', async () => {
    const file = fresh();
    const r = await passwd([file], 'secret12\n');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(readFileSync(file)).toEqual(tigerVncpasswd('secret12'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('with --view-only reads the view-only password from the second line', async () => {
    const file = fresh();
    expect((await passwd(['--view-only', file], 'secret12\r\njustlook\r\n')).code).toBe(0);
    expect(readFileSync(file)).toEqual(tigerVncpasswd('secret12', 'justlook'));
  });

  it('says only 8 characters count, and keeps bytes as vncpasswd does', async () => {
    const file = fresh();
    const long = await passwd([file], 'a-rather-long-one\n');
    expect(long.err).toMatch(/only the first 8 characters of the password count/);
    expect(readFileSync(file)).toEqual(tigerVncpasswd('a-rather-long-one'));
    const utf8 = fresh();
    expect((await passwd([utf8], `${Buffer.from('pässwd', 'utf8').toString('latin1')}\n`)).code).toBe(0);
    expect(readFileSync(utf8)).toEqual(tigerVncpasswd(Buffer.from('pässwd', 'utf8')));
  });

  it('refuses no password, a missing view-only one, and two the same to DES, writing nothing', async () => {
    for (const [args, input, message] of [
      [[], '\n', /first line is empty/],
      [['--view-only'], 'secret12\n', /no view-only password/],
      [['--view-only'], 'secret12\nsecret12-too\n', /must differ from the password in its first 8 characters/],
    ] as const) {
      const file = fresh();
      const r = await passwd([...args, file], input);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(existsSync(file)).toBe(false);
    }
  });

  it('gives usage errors exit code 2', async () => {
    expect((await passwd([], '')).code).toBe(2);
    expect((await passwd(['a', 'b'], '')).code).toBe(2);
    expect((await passwd(['--nope', fresh()], '')).err).toMatch(/Usage:/);
    expect((await passwd(['--help'], '')).out).toMatch(/trayvnc passwd FILE/);
  });
});

describe('trayvnc passwd, on a terminal', () => {
  it('asks twice, again when the two differ, and gives up after three tries', async () => {
    const file = fresh();
    const r = await passwd([file], 'one\rtwo\rsecret12\rsecret12\r', true);
    expect(r.code).toBe(0);
    expect(r.err).toContain('They differ: try again.');
    expect(readFileSync(file)).toEqual(tigerVncpasswd('secret12'));
    const none = await passwd([fresh()], 'a\rb\rc\rd\re\rf\r', true);
    expect(none).toMatchObject({ code: 1 });
    expect(none.err).toMatch(/the passwords entered differ/);
    // backspace edits; --view-only asks for the second password the same way
    const both = fresh();
    expect((await passwd(['--view-only', both], 'secret1x\x7f2\rsecret12\rjustlook\rjustlook\r', true)).code).toBe(0);
    expect(readFileSync(both)).toEqual(tigerVncpasswd('secret12', 'justlook'));
  });

  it('does not echo what is typed on a real terminal (the built command under script(1))', async () => {
    const file = fresh();
    // script gives the command a pseudo-terminal; answers are written only once their prompt is shown.
    const child = spawn('script', ['-q', '-e', '-c', `${process.execPath} ${CLI} passwd --view-only ${file}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let seen = '';
    child.stdout.on('data', (d: Buffer) => (seen += d.toString('latin1')));
    const answers: Array<[string, string]> = [
      ['Password: ', 'secret12\r'],
      ['Verify: ', 'secret12\r'],
      ['View-only password: ', 'justlook\r'],
      ['Verify: ', 'justlook\r'],
    ];
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    let from = 0;
    try {
      for (const [prompt, answer] of answers) {
        // each prompt is looked for after the one before it
        while (!seen.includes(prompt, from)) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no prompt ${JSON.stringify(prompt)}; terminal showed ${JSON.stringify(seen)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        from = seen.indexOf(prompt, from) + prompt.length;
        child.stdin.write(answer);
      }
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(seen).toMatch(/Wrote .*password and view-only password/);
    expect(seen).not.toContain('secret12');
    expect(seen).not.toContain('justlook');
    expect(readFileSync(file)).toEqual(tigerVncpasswd('secret12', 'justlook'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
