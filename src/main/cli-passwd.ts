import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { writeFileAtomic } from './app/config-file.js';
import { encodeVncPasswd, vncpasswdIsUnambiguous } from './app/vncpasswd.js';
import { sameVncPassword, VNC_PASSWORD_BYTES } from '../shared/password.js';

/**
 * `trayvnc passwd FILE [--view-only]`: write a password file in vncpasswd
 * format (TigerVNC's, readable by `vncviewer -passwd FILE`, Xvnc and
 * x11vnc -rfbauth), mode 0600, for `--password-file FILE`.
 *
 * On a terminal it asks twice for each password without echoing it; with
 * stdin from a pipe or file it reads the password from the first line and,
 * with --view-only, the view-only password from the second (as
 * `vncpasswd -f` does). Characters are bytes, as vncpasswd takes them.
 */

export const PASSWD_USAGE = `Usage:
  trayvnc passwd FILE [--view-only]
      write FILE (mode 0600) in vncpasswd format for --password-file FILE.
      On a terminal it asks twice for the password without showing it; from a
      pipe it reads the first line. --view-only also asks for (or reads from the
      second line) a view-only password. Only the first 8 characters count.
`;

/** The streams the command talks through (tests pass their own). */
export interface PasswdIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** The command line was wrong: exit 2, with the usage. */
class UsageError extends Error {}
/** The input was refused (passwords differ, empty, …): exit 1 with the message. */
class InputError extends Error {}

const OPTIONS = {
  'view-only': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Most bytes read from a pipe: two passwords fit many times over. */
const MAX_PIPED = 64 * 1024;
/** Tries on a terminal before giving up when the two entries differ. */
const TRIES = 3;

/** Run `trayvnc passwd …` (argv after "passwd"); resolves to the exit code. */
export async function passwdCommand(argv: string[], io: PasswdIo = process): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.help) {
      io.stdout.write(PASSWD_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('"passwd" takes one FILE');
    const path = resolve(positionals[0]!);
    const viewOnly = values['view-only'] === true;
    const passwords = io.stdin.isTTY ? await askOnTerminal(io, viewOnly) : await readPiped(io, viewOnly);
    for (const [what, pw] of [['password', passwords.full], ['view-only password', passwords.viewOnly]] as const) {
      if (pw !== null && pw.length > VNC_PASSWORD_BYTES) io.stderr.write(`trayvnc: only the first ${VNC_PASSWORD_BYTES} characters of the ${what} count\n`);
    }
    if (passwords.viewOnly !== null && sameVncPassword(passwords.full, passwords.viewOnly)) {
      throw new InputError('the view-only password must differ from the password in its first 8 characters (VNC Authentication reads only 8, so it would give full control)');
    }
    const bytes = encodeVncPasswd(passwords.full, passwords.viewOnly);
    // About once in 2,000 passwords DES output looks like a line of text, which a reader would take for a text file.
    if (!vncpasswdIsUnambiguous(bytes)) throw new InputError('this password, encrypted, happens to read as text and could not be told from a text password file: choose another');
    writeFileAtomic(path, bytes);
    io.stdout.write(`Wrote ${path} (${passwords.viewOnly !== null ? 'password and view-only password' : 'password'}). Use it with --password-file ${path}\n`);
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr.write(`trayvnc: ${e.message}\n`);
      return 1;
    }
    const usage = e instanceof UsageError || (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS'));
    if (!usage) throw e;
    io.stderr.write(`trayvnc: ${(e as Error).message}\n\n${PASSWD_USAGE}`);
    return 2;
  }
}

interface Entered {
  full: string;
  viewOnly: string | null;
}

/** Lines from a pipe: the password, then the view-only one. Bytes become characters one for one (Latin-1), as vncpasswd reads them. */
async function readPiped(io: PasswdIo, viewOnly: boolean): Promise<Entered> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : (chunk as Buffer);
    chunks.push(b);
    size += b.length;
    if (size > MAX_PIPED) throw new InputError(`more than ${MAX_PIPED} bytes on standard input: expected one line (two with --view-only)`);
  }
  const lines = Buffer.concat(chunks).toString('latin1').split('\n').map((l) => l.replace(/\r$/, ''));
  const full = lines[0] ?? '';
  if (full === '') throw new InputError('no password on standard input (the first line is empty)');
  if (!viewOnly) return { full, viewOnly: null };
  const second = lines[1] ?? '';
  if (second === '') throw new InputError('--view-only: no view-only password on standard input (the second line is empty)');
  return { full, viewOnly: second };
}

/** Ask for each password twice without echo, a few tries each. */
async function askOnTerminal(io: PasswdIo, viewOnly: boolean): Promise<Entered> {
  const tty = new TerminalLines(io);
  try {
    const full = await askTwice(tty, io, 'Password');
    return { full, viewOnly: viewOnly ? await askTwice(tty, io, 'View-only password') : null };
  } finally {
    tty.close();
  }
}

async function askTwice(tty: TerminalLines, io: PasswdIo, what: string): Promise<string> {
  for (let attempt = 1; attempt <= TRIES; attempt++) {
    const first = await tty.prompt(`${what}: `);
    if (first === '') throw new InputError(`no ${what.toLowerCase()} given`);
    const again = await tty.prompt('Verify: ');
    if (first === again) return first;
    io.stderr.write(attempt < TRIES ? 'They differ: try again.\n' : '');
  }
  throw new InputError(`the ${what.toLowerCase()}s entered differ`);
}

/**
 * Lines typed on a terminal with echo off (raw mode): backspace edits,
 * Ctrl-C and Ctrl-D (on an empty line) give up. What arrives past a line's
 * end is kept for the next prompt.
 */
class TerminalLines {
  private pending = '';
  private wake: (() => void) | null = null;
  private ended = false;
  private readonly onData = (d: Buffer | string): void => {
    this.pending += typeof d === 'string' ? d : d.toString('latin1');
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake?.();
  };

  constructor(private readonly io: PasswdIo) {
    io.stdin.setRawMode?.(true);
    io.stdin.on('data', this.onData);
    io.stdin.on('end', this.onEnd);
    io.stdin.resume();
  }

  async prompt(text: string): Promise<string> {
    this.io.stderr.write(text);
    let line = '';
    for (;;) {
      while (this.pending.length === 0) {
        if (this.ended) throw new InputError('standard input ended');
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
      }
      const c = this.pending[0]!;
      this.pending = this.pending.slice(1);
      if (c === '\r' || c === '\n') {
        // A terminal sends CR for Enter; a following LF (from a CRLF) belongs to the same Enter.
        if (c === '\r' && this.pending[0] === '\n') this.pending = this.pending.slice(1);
        this.io.stderr.write('\n');
        return line;
      }
      if (c === '\x03' || (c === '\x04' && line === '')) {
        this.io.stderr.write('\n');
        throw new InputError('cancelled');
      }
      if (c === '\x7f' || c === '\b') line = line.slice(0, -1);
      else if (c >= ' ') line += c;
    }
  }

  close(): void {
    this.io.stdin.setRawMode?.(false);
    this.io.stdin.off('data', this.onData);
    this.io.stdin.off('end', this.onEnd);
    this.io.stdin.pause();
  }
}
