import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { X11Connection } from '../../src/main/desktop/x11/x11-connection.js';
import { xrun } from './xvfb.js';

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export interface CatTerm {
  child: ChildProcess;
  window: string;
  file: string;
  /** Wait (bounded) for the terminal to exit, then read what cat wrote. */
  result(timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

/**
 * An xterm (UTF-8) running `cat > file`, mapped and focused; `pointAt` puts the
 * pointer over it (x 100, y 60) the way the test drives input.
 */
export async function catTerm(display: string, dir: string, name: string, pointAt: () => Promise<void>): Promise<CatTerm> {
  const file = join(dir, `${name}.txt`);
  const title = `x11-input-${name}-${process.pid}`;
  const child = spawn('xterm', ['-display', display, '-u8', '-geometry', '60x10+20+20', '-T', title, '-e', 'sh', '-c', 'exec cat > "$0"', file], {
    stdio: 'ignore',
    env: { ...process.env, DISPLAY: display, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await waitExit(child, 3000))) child.kill('SIGKILL');
  };
  let window = '';
  const deadline = Date.now() + 10_000;
  while (!window && Date.now() < deadline && child.exitCode === null) {
    try {
      window = (await xrun(display, 'xdotool', ['search', '--onlyvisible', '--name', `^${title}$`], 3000)).trim().split('\n')[0] ?? '';
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (!window) {
    await kill();
    throw new Error(`xterm ${title} did not appear`);
  }
  // cat must be running (the file exists) before keys arrive
  while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await pointAt();
  await xrun(display, 'xdotool', ['windowfocus', '--sync', window]);
  return {
    child,
    window,
    file,
    kill,
    async result(timeoutMs = 10_000): Promise<string> {
      const exited = await waitExit(child, timeoutMs);
      if (!exited) {
        await kill();
        throw new Error(`xterm did not exit; file so far: ${JSON.stringify(existsSync(file) ? readFileSync(file, 'utf8') : null)}`);
      }
      return readFileSync(file, 'utf8');
    },
  };
}

/** Keycodes the X server has down now (QueryKeymap). */
export async function keysDown(conn: X11Connection): Promise<number[]> {
  const bits = await conn.request<Buffer>((cb) => conn.client.QueryKeymap(cb));
  const down: number[] = [];
  for (let kc = 0; kc < 256; kc++) if (bits[kc >> 3]! & (1 << (kc & 7))) down.push(kc);
  return down;
}

