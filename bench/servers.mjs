// The servers the benchmark compares, how it starts them, and how it keeps
// their output (bench/out/<id>.log).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { startProcess, freePort, waitRfbBanner, sleep, which } from './procs.mjs';
import { log } from './stats.mjs';
import { FRAME_RATE } from '../dist/shared/frame-rate.js';

/**
 * TrayVNC runs with its defaults (at most FRAME_RATE.default updates a second
 * per viewer among them, as X0tigervnc's) unless
 * `extraArgs` adds flags; workloads add what they need (more connections for
 * many viewers, /metrics for the event loop's delay). x11vnc and X0tigervnc run
 * with theirs, plus what a benchmark on loopback without a password needs.
 */
export function serverDefs(root, display, wanted, extraArgs = []) {
  const defs = [
    {
      id: 'trayvnc',
      label: 'TrayVNC',
      bin: process.execPath,
      // TRAYVNC_BENCH_NODE_ARGS: flags for TrayVNC's node (e.g. --cpu-prof), to profile it under a workload.
      args: (port, extra = []) => [...(process.env.TRAYVNC_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean), join(root, 'dist', 'main', 'cli.js'), 'serve', '--display', display, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn', ...extraArgs, ...extra],
      settings: extraArgs.length ? `defaults but ${extraArgs.join(' ')}` : `defaults (frame rate ${FRAME_RATE.default} a second)`,
      // Defaults really: not the settings a user saved in their own config folder.
      env: { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'trayvnc-bench-config-')) },
      ready: (proc) => proc.stdoutText().includes('TrayVNC listening'),
    },
    {
      id: 'x11vnc',
      label: 'x11vnc',
      bin: which('x11vnc'),
      args: (port) => ['-display', display, '-rfbport', String(port), '-listen', '127.0.0.1', '-nopw', '-shared', '-forever', '-quiet'],
      settings: 'defaults (-wait 20 ms, -defer 20 ms)',
    },
    {
      id: 'x0tigervnc',
      label: 'X0tigervnc',
      bin: which('X0tigervnc'),
      args: (port) => ['-display', display, '-rfbport', String(port), '-SecurityTypes', 'None', '-localhost', '-AlwaysShared'],
      settings: 'defaults (FrameRate 60, PollingCycle 30, MaxProcessorUsage 35, CompareFB 2)',
    },
  ];
  // A second TrayVNC, for before/after figures from one run: TRAYVNC_BENCH_ALT_DIST=DIR runs another
  // build (a copy of dist/ from before a change), TRAYVNC_BENCH_ALT_NODE_ARGS this one with other node flags.
  const altDist = process.env.TRAYVNC_BENCH_ALT_DIST;
  const altArgs = process.env.TRAYVNC_BENCH_ALT_NODE_ARGS;
  if (altDist || altArgs !== undefined) {
    const cli = join(root, 'dist', 'main', 'cli.js');
    const args = (port, extra = []) => {
      const a = defs[0].args(port, extra).map((x) => (altDist && x === cli ? join(altDist, 'main', 'cli.js') : x));
      return altArgs === undefined ? a : [...altArgs.split(/\s+/).filter(Boolean), ...a.slice(a.indexOf(altDist ? join(altDist, 'main', 'cli.js') : cli))];
    };
    defs.splice(1, 0, { ...defs[0], id: 'trayvnc-alt', label: 'TrayVNC(alt)', args });
  }
  return defs.filter((d) => wanted.has(d.id) || (d.id === 'trayvnc-alt' && wanted.has('trayvnc')));
}

export function version(root, def) {
  if (def.id === 'trayvnc') return `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version} (this tree)`;
  const r = spawnSync(def.bin, ['-version'], { encoding: 'utf8', timeout: 5000 });
  const line = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').find((l) => /\d+\.\d+/.test(l));
  return line?.trim() ?? 'unknown';
}

/** Start a server on a free port; `extra`: flags a workload adds (TrayVNC only). Resolves with { proc, port }. */
export async function startServer(root, def, extra = []) {
  const port = await freePort();
  const proc = startProcess(def.bin, def.args(port, extra), { cwd: root, env: def.env });
  const deadline = Date.now() + 20000;
  if (def.ready) {
    for (let i = 0; i < 400 && Date.now() < deadline && !def.ready(proc); i++) {
      if (proc.exited()) break;
      await sleep(50);
    }
  }
  // TrayVNC says when it listens; the others are probed for their RFB banner
  const up = def.ready ? def.ready(proc) && !proc.exited() : await waitRfbBanner(port, proc, Math.max(1000, deadline - Date.now()));
  if (!up) {
    await proc.stop();
    throw new Error(`${def.label} did not come up on port ${port}: ${proc.stderrText().slice(-600)}`);
  }
  return { proc, port };
}

/** Stop a server, keep its output in bench/out/<id>.log, note if it died or complained. */
export async function finishServer(outDir, def, entry, server, phase) {
  const died = server.proc.exited();
  await server.proc.stop();
  const errText = server.proc.stderrText();
  entry.logs.push(`=== ${phase} ===\n${server.proc.stdoutText()}\n--- stderr ---\n${errText}`);
  writeFileSync(join(outDir, `${def.id}.log`), entry.logs.join('\n'));
  if (died) {
    entry.serverDied = [...(entry.serverDied ?? []), phase];
    log(`${def.label}: server process exited during the ${phase} phase!`);
  }
  if (def.id === 'trayvnc' && errText.trim()) {
    entry.stderrTail = [...(entry.stderrTail ?? []), ...errText.trim().split('\n').slice(-20)];
    log(`${def.label} wrote to stderr during the ${phase} phase (see bench/out/trayvnc.log):\n${errText.trim().split('\n').slice(-20).join('\n')}`);
  }
}

/** Scrape a Prometheus text endpoint for gauges' values: { name: value|null }; null when unreachable. */
export async function scrapeGauges(port, names) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return Object.fromEntries(
      names.map((name) => {
        const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
        return [name, m ? Number(m[1]) : null];
      }),
    );
  } catch {
    return null;
  }
}
