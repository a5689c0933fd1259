// Child process bookkeeping for the benchmark: every process the bench starts
// is tracked by PID and stopped on exit, on Ctrl-C and on errors.

import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** pid -> ChildProcess, for everything started and not yet reaped. */
const children = new Map();
let hooked = false;

function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping child processes\n`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/** Last resort: SIGKILL every tracked child by its PID (synchronous, for 'exit'). */
export function killAllSync() {
  for (const [pid, child] of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
}

/**
 * SIGTERM every tracked child (so Xvfb removes its socket and lock file),
 * wait up to `graceMs` for them, then SIGKILL what is left.
 */
export async function stopAll(graceMs = 3000) {
  const live = [...children.values()].filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of live) {
    try {
      process.kill(c.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + graceMs;
  for (let i = 0; i < 100 && Date.now() < deadline; i++) {
    if (live.every((c) => c.exitCode !== null || c.signalCode !== null)) break;
    await sleep(30);
  }
  killAllSync();
}

/**
 * Spawn a tracked child. Returns { child, pid, stderrText(), stdoutText(), stop() }.
 * stop(): SIGTERM, then SIGKILL after `graceMs`, bounded wait for exit.
 */
export function startProcess(file, args, opts = {}) {
  hookExit();
  const child = spawn(file, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  let out = '';
  let err = '';
  const cap = opts.captureLimit ?? 64 * 1024;
  child.stdout.on('data', (d) => {
    if (out.length < cap) out += d.toString();
    opts.onStdout?.(d.toString());
  });
  child.stderr.on('data', (d) => {
    if (err.length < cap) err += d.toString();
  });
  child.on('error', (e) => {
    err += `\nspawn error: ${e.message}`;
  });
  if (child.pid !== undefined) children.set(child.pid, child);
  child.once('exit', () => {
    if (child.pid !== undefined) children.delete(child.pid);
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const waitExit = (ms) =>
    exited()
      ? Promise.resolve(true)
      : new Promise((resolve) => {
          const t = setTimeout(() => resolve(false), ms);
          child.once('exit', () => {
            clearTimeout(t);
            resolve(true);
          });
        });
  return {
    child,
    pid: child.pid,
    exited,
    stdoutText: () => out,
    stderrText: () => err,
    async stop(graceMs = 3000) {
      if (!exited() && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        if (!(await waitExit(graceMs))) {
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
          await waitExit(3000);
        }
      }
      if (child.pid !== undefined) children.delete(child.pid);
    },
  };
}

/** A process's resident memory in MiB (from /proc), NaN once it is gone. */
export const rssMiB = (pid) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolve when 127.0.0.1:port sends an RFB banner; false after timeoutMs. */
export async function waitRfbBanner(port, proc, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    if (proc?.exited()) return false;
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1');
      let got = '';
      const done = (v) => {
        clearTimeout(t);
        s.destroy();
        resolve(v);
      };
      const t = setTimeout(() => done(false), 1000);
      s.on('data', (d) => {
        got += d.toString('latin1');
        if (got.length >= 12) done(got.startsWith('RFB '));
      });
      s.on('error', () => done(false));
      s.on('close', () => done(false));
    });
    if (ok) return true;
    await sleep(100);
  }
  return false;
}

/** utime+stime of a process (all threads), in clock ticks; null when it is gone. */
export function cpuTicks(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // fields after ")": state(3) ... utime is field 14, stime 15 (1-based over the whole line)
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return null;
  }
}

/** Clock ticks per second (USER_HZ): 100 on every Linux the bench targets. */
export const CLK_TCK = 100;

/** Measure CPU % of one core used by each pid over `ms`. */
export async function measureCpu(pids, ms) {
  const t0 = process.hrtime.bigint();
  const before = pids.map(cpuTicks);
  await sleep(ms);
  const after = pids.map(cpuTicks);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return pids.map((_, i) => (before[i] === null || after[i] === null ? null : ((after[i] - before[i]) / CLK_TCK / secs) * 100));
}

export function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}
