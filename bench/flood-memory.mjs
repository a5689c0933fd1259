// Memory under floods: does the server give memory back after an attack?
//
//   npm run soak             (runs this among the long security checks)
//   node bench/flood-memory.mjs [--failures N] [--cycles N] [--idle S]
//
// Two servers from dist/ (a child process each, so their RSS is theirs alone):
// 1. With a password: N failed VNC Authentications (default 5000), each from
//    its own loopback address (127.1.x.y), so the blacklist does not turn
//    them away cheaply and every one costs a full handshake (attempts the
//    server's connection rate limit refuses back off and do not count); then
//    5 × N connections from one blocked address, refused before they are read.
// 2. Without a password: N connect–update–disconnect cycles (default 1000) of
//    a ZRLE viewer (a zlib stream each) on a 1280×720 moving test pattern.
// For each: RSS at start, right after, and after S seconds idle (default 30).
// Target: RSS after idle within 20 % of the start; exits non-zero otherwise.
// The table also shows the C heap's main arena ([heap]): native memory that
// glibc's malloc keeps after the JavaScript side has let it go.

import { readFileSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rssMiB, startProcess, freePort, sleep, stopAll } from './procs.mjs';
import { openRfb, ENC } from './rfb-client.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: { failures: { type: 'string', default: '5000' }, cycles: { type: 'string', default: '1000' }, idle: { type: 'string', default: '30' } },
});
const FAILURES = Math.max(10, Math.min(100_000, Number(opts.failures) || 5000));
const CYCLES = Math.max(10, Math.min(20_000, Number(opts.cycles) || 1000));
const IDLE_S = Math.max(1, Math.min(300, Number(opts.idle) || 30));
const T0 = performance.now();
const log = (m) => process.stderr.write(`[flood +${((performance.now() - T0) / 1000).toFixed(1)}s] ${m}\n`);

/** Resident MiB of the C heap's main arena ([heap] in smaps): native memory malloc has not given back. */
const cHeapMiB = (pid) => {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const at = text.indexOf(' [heap]\n');
  if (at < 0) return 0;
  const m = /\nRss:\s+(\d+) kB/.exec(text.slice(at));
  return m ? Number(m[1]) / 1024 : 0;
};
const memory = (pid) => ({ rss: rssMiB(pid), cHeap: cHeapMiB(pid) });

async function startServer(extra, envExtra = {}) {
  const port = await freePort();
  const env = { ...process.env, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'trayvnc-flood-config-')), DISPLAY: '', ...envExtra };
  const args = [join(ROOT, 'dist', 'main', 'cli.js'), 'serve', '--source', 'synthetic', '--size', '1280x720', '--port', String(port), '--log-level', 'error', '--max-connections', '100', ...extra];
  const proc = startProcess(process.execPath, args, { cwd: ROOT, env });
  for (let i = 0; i < 400 && !proc.stdoutText().includes('TrayVNC listening'); i++) {
    if (proc.exited()) throw new Error(`TrayVNC exited: ${proc.stderrText().slice(-400)}`);
    await sleep(50);
  }
  return { proc, port };
}

/**
 * One VNC Authentication with a wrong answer, from `localAddress`; resolves
 * when the server has hung up (bounded): true when the wrong answer was sent
 * (a failed authentication), false when the server refused the connection
 * before its challenge (blacklisted, over the connection rate).
 */
function failOnce(port, localAddress) {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1', localAddress });
    let buf = Buffer.alloc(0);
    let step = 0;
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(step === 3);
    };
    const timer = setTimeout(done, 5000);
    s.on('error', done);
    s.on('close', done);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (step === 0 && buf.length >= 12) {
        buf = buf.subarray(12);
        s.write('RFB 003.008\n');
        step = 1;
      }
      if (step === 1 && buf.length >= 2) {
        buf = buf.subarray(1 + buf[0]);
        s.write(Buffer.from([2]));
        step = 2;
      }
      if (step === 2 && buf.length >= 16) {
        buf = buf.subarray(16);
        s.write(Buffer.alloc(16)); // a wrong answer
        step = 3;
      }
    });
  });
}

/** Run `count` tasks, `parallel` at a time. */
async function pool(count, parallel, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

function verdict(start, idle) {
  const ratio = idle / start;
  return { ok: ratio <= 1.2, text: `${ratio <= 1.2 ? 'OK' : 'OVER'} (${((ratio - 1) * 100).toFixed(0)} % above the start; target ≤ 20 %)` };
}

/** What the server was started with that decides how malloc gives memory back. */
function allocatorNote() {
  const set = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_ARENA_MAX', 'GLIBC_TUNABLES'].filter((k) => process.env[k] !== undefined);
  return set.length ? set.map((k) => `${k}=${process.env[k]}`).join(' ') : 'none of MALLOC_*/GLIBC_TUNABLES set';
}

/** Whether `trayvnc serve` sets malloc up by itself here (see src/main/base/malloc-tuning.ts). */
function selfTunes() {
  const chosen = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_', 'MALLOC_ARENA_MAX', 'GLIBC_TUNABLES', 'LD_PRELOAD'].some((k) => process.env[k] !== undefined);
  return chosen || process.platform !== 'linux' || typeof process.execve === 'function';
}

/** `CYCLES` ZRLE viewers connect, take one update and leave; memory before, after and after idle. */
async function viewerCycles(envExtra, label) {
  const { proc, port } = await startServer([], envExtra);
  await sleep(2000);
  const start = memory(proc.pid);
  log(`viewer server up, RSS ${start.rss.toFixed(1)} MiB; ${CYCLES} connect–update–disconnect cycles`);
  const t = performance.now();
  let done = 0;
  await pool(CYCLES, 4, async (i) => {
    // Four loopback addresses take turns, so the per-address connection rate does not turn cycles away.
    const c = await openRfb(port, { localAddress: `127.5.0.${1 + (i % 4)}` });
    c.setEncodings([ENC.ZRLE, ENC.CopyRect]);
    c.request(false);
    await c.nextUpdate(10_000);
    c.close();
    done++;
  });
  const cycleS = (performance.now() - t) / 1000;
  const after = memory(proc.pid);
  log(`after the cycles: RSS ${after.rss.toFixed(1)} MiB; idle ${IDLE_S} s`);
  await sleep(IDLE_S * 1000);
  const idle = memory(proc.pid);
  await proc.stop();
  return { what: `${done} ZRLE viewers came and went (${(done / cycleS).toFixed(0)}/s)${label}`, start, after, idle, complete: done >= CYCLES };
}

async function main() {
  const rows = [];
  // 1. Failed authentications: each from its own address, until FAILURES of them got as far as a wrong answer.
  {
    const { proc, port } = await startServer(['--password', 'secret99']);
    await sleep(2000);
    const start = memory(proc.pid);
    log(`auth server up, RSS ${start.rss.toFixed(1)} MiB; ${FAILURES} failed authentications from as many addresses`);
    const t = performance.now();
    // The server admits about 100 new connections a second: refused attempts back off and try again (bounded).
    const deadline = Date.now() + (FAILURES / 20 + 120) * 1000;
    let failures = 0;
    let attempts = 0;
    await pool(32, 32, async () => {
      while (failures < FAILURES && attempts < FAILURES * 50 && Date.now() < deadline) {
        const i = attempts++;
        if (await failOnce(port, `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255) || 1}`)) failures++;
        else await sleep(50);
      }
    });
    const floodS = (performance.now() - t) / 1000;
    log(`${failures} failed authentications in ${floodS.toFixed(0)} s (${attempts - failures} attempts refused on the way); then ${FAILURES * 5} connections from one blocked address`);
    for (let i = 0; i < 5; i++) await failOnce(port, '127.2.0.1');
    await pool(FAILURES * 5, 32, () => failOnce(port, '127.2.0.1'));
    const after = memory(proc.pid);
    log(`after the flood: RSS ${after.rss.toFixed(1)} MiB; idle ${IDLE_S} s`);
    await sleep(IDLE_S * 1000);
    const idle = memory(proc.pid);
    rows.push({ what: `${failures} failed authentications (${(failures / floodS).toFixed(0)}/s) + ${FAILURES * 5} refused`, start, after, idle, complete: failures >= FAILURES });
    await proc.stop();
  }
  // 2. Viewers coming and going: as started; and where the server cannot set malloc up itself
  //    (Node before 22.15 has no process.execve), also as the README says to run it there.
  // As started it is only informative where the server cannot tune itself: the README's way is what a user runs.
  rows.push({ ...(await viewerCycles({}, '')), informative: !selfTunes() });
  if (!selfTunes()) rows.push(await viewerCycles({ MALLOC_MMAP_THRESHOLD_: '65536' }, ', MALLOC_MMAP_THRESHOLD_=65536 (README, Node < 22.15)'));
  console.log(`\nMemory under floods: server RSS in MiB (the C heap's main arena in brackets); allocator settings: ${allocatorNote()}`);
  const width = Math.max(...rows.map((r) => r.what.length)) + 1;
  console.log('what'.padEnd(width), 'start'.padStart(13), 'after'.padStart(13), `+${IDLE_S}s idle`.padStart(13), '  verdict');
  const cell = (m) => `${m.rss.toFixed(1)} [${m.cHeap.toFixed(0)}]`.padStart(13);
  for (const r of rows) {
    const v = verdict(r.start.rss, r.idle.rss);
    if ((!v.ok && !r.informative) || !r.complete) process.exitCode = 1;
    const note = r.informative ? ' — as started with this Node, which cannot set malloc up itself: see the next row' : '';
    console.log(r.what.padEnd(width), cell(r.start), cell(r.after), cell(r.idle), ' ', v.text + note, r.complete ? '' : '(flood incomplete)');
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
