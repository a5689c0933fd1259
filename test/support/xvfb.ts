import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface StartXvfbOptions {
  width: number;
  height: number;
  /** 24 (default) or another depth Xvfb takes (8, 15, 16, 24, 30). */
  depth?: number;
  /** First display number to try (default 90). */
  firstDisplay?: number;
  /** How many display numbers to try (default 40). */
  attempts?: number;
  /** Bound on waiting for the socket, per attempt (default 10 s). */
  readyTimeoutMs?: number;
  /** Extra Xvfb arguments. */
  args?: string[];
}

export interface XvfbHandle {
  /** ":N" */
  display: string;
  displayNumber: number;
  pid: number;
  /** Stop this Xvfb (SIGTERM, then SIGKILL after 3 s) and wait for it to exit. */
  stop(): Promise<void>;
}

/** Every Xvfb this process started and has not stopped yet. */
const running = new Map<number, ChildProcess>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // last resort if a test run dies without calling stop(): only our own PIDs
  process.on('exit', () => {
    for (const child of running.values()) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}

function displayInUse(n: number): boolean {
  return existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`);
}

/** Resolve when the X socket for display `n` accepts a connection; false after `timeoutMs`. */
async function waitForSocket(n: number, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const path = `/tmp/.X11-unix/X${n}`;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (existsSync(path)) {
      const ok = await new Promise<boolean>((resolve) => {
        const sock = connect(path);
        const done = (v: boolean): void => {
          sock.destroy();
          resolve(v);
        };
        sock.once('connect', () => done(true));
        sock.once('error', () => done(false));
        setTimeout(() => done(false), 500).unref();
      });
      if (ok) return true;
    }
    await sleep(25);
  }
  return false;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 3000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 3000);
    }
  }
  if (child.pid !== undefined) running.delete(child.pid);
}

/**
 * Start an Xvfb on a free display number (from `firstDisplay` up) with
 * DAMAGE and RANDR, no TCP, no access control, and no server reset when the
 * last client leaves (so a painted root background survives its painter).
 *
 * Xvfb cannot grow past the size it starts with (RandR maximum = start size),
 * so start it at the largest size a test needs and shrink with `setScreenSize`.
 */
export async function startXvfb(options: StartXvfbOptions): Promise<XvfbHandle> {
  const { width, height } = options;
  const depth = options.depth ?? 24;
  const first = options.firstDisplay ?? 90;
  const attempts = options.attempts ?? 40;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  hookExit();
  let lastError = '';
  for (let n = first; n < first + attempts; n++) {
    if (displayInUse(n)) continue;
    const child = spawn(
      'Xvfb',
      [`:${n}`, '-screen', '0', `${width}x${height}x${depth}`, '-nolisten', 'tcp', '-ac', '-noreset', '+extension', 'DAMAGE', '+extension', 'RANDR', ...(options.args ?? [])],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    const spawned = await new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', (err) => {
        lastError = err.message;
        resolve(false);
      });
    });
    if (!spawned || child.pid === undefined) throw new Error(`cannot run Xvfb: ${lastError}`);
    running.set(child.pid, child);
    if (await waitForSocket(n, child, readyTimeoutMs)) {
      const pid = child.pid;
      return {
        display: `:${n}`,
        displayNumber: n,
        pid,
        stop: () => stopChild(child),
      };
    }
    lastError = stderr.trim().split('\n').slice(-3).join(' | ');
    await stopChild(child); // lost a race for this number, or it failed: try the next
  }
  throw new Error(`could not start Xvfb on displays :${first}..:${first + attempts - 1} (last error: ${lastError || 'none'})`);
}

/** Run an X client tool against `display`; resolves with stdout. Bounded by `timeoutMs` (default 10 s). */
export async function xrun(display: string, file: string, args: string[], timeoutMs = 10_000): Promise<string> {
  const { stdout } = await execFileAsync(file, args, { env: { ...process.env, DISPLAY: display }, timeout: timeoutMs });
  return stdout;
}

/**
 * Resize the X screen through RandR the way a desktop does (a new mode on the
 * output, then switching to it), via the `xrandr` tool. Xvfb refuses sizes
 * larger than the one it started with.
 */
export async function setScreenSize(display: string, width: number, height: number): Promise<void> {
  const state = await xrun(display, 'xrandr', ['--query']);
  const output = /^(\S+) connected/m.exec(state)?.[1];
  if (!output) throw new Error(`no connected RandR output on ${display}:\n${state}`);
  let mode = new RegExp(`^\\s+(${width}x${height}(?:_\\S+)?)\\s`, 'm').exec(state)?.[1];
  if (!mode) {
    mode = `${width}x${height}_trayvnc`;
    // a modeline with a nominal clock; Xvfb does not care about timings
    await xrun(display, 'xrandr', ['--newmode', mode, '1', `${width}`, `${width + 1}`, `${width + 2}`, `${width + 3}`, `${height}`, `${height + 1}`, `${height + 2}`, `${height + 3}`]);
    await xrun(display, 'xrandr', ['--addmode', output, mode]);
  }
  await xrun(display, 'xrandr', ['--output', output, '--mode', mode]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
