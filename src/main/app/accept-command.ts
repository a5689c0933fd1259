import { spawn } from 'node:child_process';
import type { Access } from '../rfb/security/security-type.js';

/** What the accept command is told about the viewer, through its environment only. */
export interface CommandRequest {
  /** The viewer's IP address. */
  ip: string;
  port: number;
  securityType: string;
  user: string | null;
  access: Access;
}

/** How the command ended. */
export type CommandResult =
  | { kind: 'exit'; code: number; output: string }
  /** Killed by a signal it was not sent by us. */
  | { kind: 'signal'; signal: string; output: string }
  /** Still running at the timeout: it was killed. */
  | { kind: 'timeout'; output: string }
  /** The viewer left first: it was killed. */
  | { kind: 'left' }
  /** It could not be started (no shell, …). */
  | { kind: 'error'; message: string };

/** The variables set for the command (and removed from what it inherits, so a stale one never reads as this viewer's). */
export const COMMAND_ENV = ['TRAYVNC_CLIENT_ADDRESS', 'TRAYVNC_CLIENT_PORT', 'TRAYVNC_SECURITY_TYPE', 'TRAYVNC_USER', 'TRAYVNC_ACCESS'] as const;

/** Inherited variables the command has no business reading. */
const WITHHELD = ['TRAYVNC_DASHBOARD_TOKEN'];

/** Output kept for the log (the rest is read and dropped, so a chatty command never blocks on a full pipe). */
const MAX_OUTPUT = 4096;

/** The command's environment: ours, minus the withheld names, plus the viewer's details. */
export function commandEnv(request: CommandRequest, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const k of [...COMMAND_ENV, ...WITHHELD]) delete env[k];
  env['TRAYVNC_CLIENT_ADDRESS'] = request.ip;
  env['TRAYVNC_CLIENT_PORT'] = String(request.port);
  env['TRAYVNC_SECURITY_TYPE'] = request.securityType;
  env['TRAYVNC_ACCESS'] = request.access;
  if (request.user !== null) env['TRAYVNC_USER'] = request.user;
  return env;
}

/**
 * Run the accept command for one viewer: `command` as the user wrote it, by
 * the shell, with the viewer's details in the environment (never on the
 * command line, where a user name could be read as shell syntax). It runs in
 * its own process group, so at the timeout (or when the viewer leaves) the
 * whole group is killed — a script and whatever it started.
 */
export function runAcceptCommand(command: string, request: CommandRequest, timeoutMs: number, signal?: AbortSignal): Promise<CommandResult> {
  if (signal?.aborted) return Promise.resolve({ kind: 'left' });
  return new Promise<CommandResult>((resolve) => {
    let output = '';
    let done = false;
    const posix = process.platform !== 'win32';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, { shell: true, env: commandEnv(request), stdio: ['ignore', 'pipe', 'pipe'], detached: posix, windowsHide: true });
    } catch (e) {
      resolve({ kind: 'error', message: (e as Error).message });
      return;
    }
    const take = (d: Buffer) => {
      if (output.length < MAX_OUTPUT) output += d.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const finish = (result: CommandResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const kill = () => {
      try {
        // The negative pid is the group: the shell and everything it started.
        if (posix && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      kill();
      finish({ kind: 'timeout', output: output.trim() });
    }, timeoutMs);
    const onAbort = () => {
      kill();
      finish({ kind: 'left' });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (e) => finish({ kind: 'error', message: e.message }));
    // 'exit', not 'close': a child the command left running may hold the pipes open, and is not waited for.
    child.once('exit', (code, sig) => {
      if (code !== null) finish({ kind: 'exit', code, output: output.trim() });
      else finish({ kind: 'signal', signal: sig ?? 'unknown', output: output.trim() });
      // Something it started in the background may keep the pipes open: stop reading them.
      child.stdout?.destroy();
      child.stderr?.destroy();
    });
  });
}
