import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The built command line (tests run dist/, as a user would). */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'main', 'cli.js');

export interface CliRun {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Wait until stdout or stderr matches `re` (bounded); resolves with the match and when it was seen. */
  waitFor(re: RegExp, timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<{ match: RegExpExecArray; at: number }>;
  /** End the process (SIGTERM, then SIGKILL after `graceMs`) and wait for it to be gone. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Start `trayvnc …` as a child process. The environment is the test's own
 * (XDG_CONFIG_HOME points at a temporary folder: see vitest.config.ts) with
 * no $DISPLAY, plus `env`.
 */
export function startCli(args: readonly string[], env: Record<string, string | undefined> = {}): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DISPLAY: '', ...env },
  });
  let out = '';
  let err = '';
  const seen: Array<() => void> = [];
  const wake = () => seen.splice(0).forEach((f) => f());
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    wake();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }));
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
    wake();
  });

  const waitFor = async (re: RegExp, timeoutMs = 10_000, stream?: 'stdout' | 'stderr') => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const text = stream === 'stdout' ? out : stream === 'stderr' ? err : `${out}\n${err}`;
      const match = re.exec(text);
      if (match) return { match, at: performance.now() };
      const left = deadline - performance.now();
      if (left <= 0 || gone) {
        throw new Error(`${gone ? 'the process exited' : `nothing matched within ${timeoutMs} ms`} waiting for ${re}:\nstdout: ${out}\nstderr: ${err}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 200));
        seen.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  };

  const stop = async (graceMs = 3000) => {
    if (!gone) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    }
    return (await exited).code;
  };

  return { child, stdout: () => out, stderr: () => err, exited, waitFor, stop };
}
