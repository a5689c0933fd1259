import { parseArgs } from 'node:util';
import type { Access } from './rfb/security/security-type.js';
import { checkUserName, UserStore, usersFilePath } from './app/user-store.js';

/**
 * `trayvnc user add|remove|list`: the users VeNCrypt's Plain subtypes
 * (TLSPlain, X509Plain) let in. The password is read from the terminal
 * twice without echo, or from the first line of standard input when it is
 * not a terminal (scripts: `printf '%s\n' "$PW" | trayvnc user add alice`);
 * never from the command line, where `ps` and the shell history would show it.
 */

export const USER_USAGE = `Usage:
  trayvnc user add NAME [--view-only] [--file FILE]
                             add a user (or set a user's password and access);
                             the password is asked twice, or read from stdin
  trayvnc user remove NAME [--file FILE]
  trayvnc user list [--json] [--file FILE]
  FILE defaults to ${usersFilePath().replace(process.env['HOME'] ?? '\0', '~')}
`;

class UsageError extends Error {}

const OPTIONS = {
  'view-only': { type: 'boolean' },
  json: { type: 'boolean' },
  file: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The terminal and stdin the command reads from (tests pass their own). */
export interface UserCommandIo {
  /** Read one line without echo after showing `prompt` (a terminal), or null when stdin is not one. */
  readSecret: ((prompt: string) => Promise<string>) | null;
  /** All of stdin, when it is not a terminal. */
  readStdin: () => Promise<string>;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Run `trayvnc user …` (argv after "user"); resolves to the exit code. */
export async function userCommand(argv: string[], io: UserCommandIo = processIo()): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
    if (sub === 'help' || sub === '--help' || sub === '-h' || values.help) {
      io.out(USER_USAGE);
      return 0;
    }
    if (sub === undefined || sub.startsWith('-')) throw new UsageError('say which: add, remove or list');
    const store = await UserStore.open(values.file ?? usersFilePath());
    const oneName = () => {
      if (positionals.length !== 1) throw new UsageError(`"user ${sub}" takes one NAME`);
      return positionals[0]!;
    };
    switch (sub) {
      case 'add': {
        if (values.json) throw new UsageError('--json does not go with "user add"');
        const name = oneName();
        checkUserName(name); // before asking for a password that would be thrown away
        const password = await readNewPassword(io);
        const access: Access = values['view-only'] ? 'view-only' : 'full';
        const added = await store.set(name, password, access);
        io.out(`${added ? 'added' : 'updated'} user ${name} (${access === 'full' ? 'full access' : 'view only'}) in ${store.path}\n`);
        return 0;
      }
      case 'remove': {
        if (values.json || values['view-only']) throw new UsageError('"user remove" takes only NAME');
        const name = oneName();
        if (!(await store.remove(name))) {
          io.err(`trayvnc: no user ${name} in ${store.path}\n`);
          return 1;
        }
        io.out(`removed user ${name}\n`);
        return 0;
      }
      case 'list': {
        if (positionals.length > 0 || values['view-only']) throw new UsageError('"user list" takes no NAME');
        const users = store.list();
        if (values.json) io.out(`${JSON.stringify(users)}\n`);
        else if (users.length === 0) io.out(`no users in ${store.path}\n`);
        else io.out(users.map((u) => `${u.name}\t${u.access}\n`).join(''));
        return 0;
      }
      default:
        throw new UsageError(`unknown command "user ${sub}"`);
    }
  } catch (e) {
    const usage = e instanceof UsageError || (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS'));
    if (!usage) throw e;
    io.err(`trayvnc: ${(e as Error).message}\n\n${USER_USAGE}`);
    return 2;
  }
}

/** The new password: twice from a terminal (they must match), or the first line of stdin. */
async function readNewPassword(io: UserCommandIo): Promise<string> {
  if (io.readSecret) {
    const first = await io.readSecret('Password: ');
    const second = await io.readSecret('Again: ');
    if (first !== second) throw new Error('the two passwords differ; nothing changed');
    return first;
  }
  const text = await io.readStdin();
  return text.split(/\r?\n/, 1)[0] ?? '';
}

function processIo(): UserCommandIo {
  return {
    readSecret: process.stdin.isTTY ? readSecretFromTty : null,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
  };
}

/** One line from the terminal with echo off (raw mode): Enter ends it, Backspace deletes, Ctrl-C and Ctrl-D give up. */
function readSecretFromTty(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new Error('cancelled; nothing changed'));
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else if (ch >= ' ') text += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
