import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../src/main/app/user-store.js';
import { userCommand, type UserCommandIo } from '../../src/main/cli-user.js';

/** `trayvnc user …` as built (dist/), as a user runs it. */
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'main', 'cli.js');

const temps: string[] = [];
const tempFile = () => {
  const d = mkdtempSync(join(tmpdir(), 'trayvnc-cli-user-'));
  temps.push(d);
  return join(d, 'users.json');
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function fakeIo(opts: { secrets?: string[]; stdin?: string }): UserCommandIo & { stdout: string; stderr: string; prompts: string[] } {
  const io = {
    stdout: '',
    stderr: '',
    prompts: [] as string[],
    readSecret: opts.secrets
      ? async (prompt: string) => {
          io.prompts.push(prompt);
          return opts.secrets!.shift() ?? '';
        }
      : null,
    readStdin: async () => opts.stdin ?? '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
  };
  return io;
}

describe('trayvnc user (in process)', () => {
  it('adds a user with the password typed twice, and the store then lets them in', async () => {
    const file = tempFile();
    const io = fakeIo({ secrets: ['s3cret!', 's3cret!'] });
    expect(await userCommand(['add', 'alice', '--file', file], io)).toBe(0);
    expect(io.prompts).toEqual(['Password: ', 'Again: ']);
    expect(io.stdout).toContain('added user alice (full access)');
    expect(await (await UserStore.open(file)).checkUser('alice', 's3cret!')).toBe('full');
  });

  it('refuses two different passwords and changes nothing', async () => {
    const file = tempFile();
    await expect(userCommand(['add', 'alice', '--file', file], fakeIo({ secrets: ['one', 'two'] }))).rejects.toThrow(/differ/);
    expect((await UserStore.open(file)).hasUsers).toBe(false);
  });

  it('reads the first line of stdin when it is not a terminal; --view-only; list; remove', async () => {
    const file = tempFile();
    expect(await userCommand(['add', 'bob', '--view-only', '--file', file], fakeIo({ stdin: 'pw with spaces\r\nignored\n' }))).toBe(0);
    expect(await (await UserStore.open(file)).checkUser('bob', 'pw with spaces')).toBe('view-only');
    const list = fakeIo({});
    expect(await userCommand(['list', '--json', '--file', file], list)).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([{ name: 'bob', access: 'view-only' }]);
    expect(await userCommand(['remove', 'bob', '--file', file], fakeIo({}))).toBe(0);
    const gone = fakeIo({});
    expect(await userCommand(['remove', 'bob', '--file', file], gone)).toBe(1);
    expect(gone.stderr).toContain('no user bob');
  });

  it.each([
    [[], /say which/],
    [['add'], /takes one NAME/],
    [['add', 'a', 'b'], /takes one NAME/],
    [['add', 'alice', '--json'], /--json does not go/],
    [['list', 'alice'], /takes no NAME/],
    [['frobnicate'], /unknown command "user frobnicate"/],
    [['add', 'alice', '--password', 'x'], /Unknown option '--password'/],
  ])('usage error %j: exit 2 with the usage', async (args, message) => {
    const io = fakeIo({ stdin: 'pw\n' });
    expect(await userCommand([...args, '--file', tempFile()], io)).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stderr).toContain('Usage:');
  });

  it('an invalid name is refused before a password is asked for', async () => {
    const io = fakeIo({ secrets: ['x', 'x'] });
    await expect(userCommand(['add', 'bad name', '--file', tempFile()], io)).rejects.toThrow(/not a valid user name/);
    expect(io.prompts).toEqual([]);
  });
});

describe('trayvnc user (the built command)', () => {
  it('takes the password from a pipe', async () => {
    const file = tempFile();
    const child = spawn(process.execPath, [CLI, 'user', 'add', 'carol', '--file', file], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end('from-a-pipe\n');
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('added user carol');
    expect(await (await UserStore.open(file)).checkUser('carol', 'from-a-pipe')).toBe('full');
  });

  it('asks twice on a terminal without echoing what is typed', async () => {
    const file = tempFile();
    const transcript = join(temps[temps.length - 1]!, 'typescript');
    // script(1) gives the command a real terminal; the typed lines are fed after each prompt appears.
    const child = spawn('script', ['-qfec', `${process.execPath} ${CLI} user add dave --file ${file}`, transcript], { stdio: ['pipe', 'pipe', 'pipe'] });
    let seen = '';
    child.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(seen); i++) await new Promise((r) => setTimeout(r, 25));
      expect(seen).toMatch(re);
    };
    await waitFor(/Password: /);
    child.stdin.write('typed-secret\r');
    await waitFor(/Again: /);
    child.stdin.write('typed-secret\r');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(seen).toContain('added user dave');
    expect(seen).not.toContain('typed-secret');
    expect(readFileSync(transcript, 'utf8')).not.toContain('typed-secret');
    expect(await (await UserStore.open(file)).checkUser('dave', 'typed-secret')).toBe('full');
  });

  it('lists users as name and access', async () => {
    const file = tempFile();
    await (await UserStore.open(file)).set('erin', 'pw', 'view-only');
    const out = await new Promise<string>((resolve) =>
      execFile(process.execPath, [CLI, 'user', 'list', '--file', file], { timeout: 20_000 }, (_e, stdout) => resolve(stdout)),
    );
    expect(out).toBe('erin\tview-only\n');
  });
});
