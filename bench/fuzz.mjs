// The long fuzz: mutated client input into every protocol state of a running
// server, while a well-behaved viewer watches.
//
//   npm run soak                      (builds, then runs this among the long security checks)
//   node bench/fuzz.mjs [--messages N] [--max-minutes M] [--seed S]
//                       [--baseline SECONDS] [--idle SECONDS]
//
// It starts the built server (dist/main/cli.js) as a child process: the
// synthetic 1280×720 desktop, a VNC password and a users file with one user
// (made with `trayvnc user add`, the password on stdin), VeNCrypt's Plain
// subtype offered beside the TLS ones, so every security type is on offer
// (VeNCrypt with TLS and X.509, RSA-AES in its four forms, VNC
// Authentication). --always-shared keeps fuzzing clients whose ClientInit
// asks for exclusive access from disconnecting the viewer.
//
// Mutated messages go into every state (bench/fuzz-states.mjs): the version;
// the security type; VNC Authentication's response (3.3 and 3.8); VeNCrypt's
// version, subtype and Plain credentials in the clear; the TLS ClientHello
// (mutated on its way out of Node's TLS client), the inner authentication
// inside TLS, and the TLS record layer (records corrupted after encryption,
// raw bytes pushed between them); RSA-AES's public key, random, hash and
// credentials, and its AES-EAX records; ClientInit; and the normal phase,
// reached through VNC Authentication, TLS and RSA-AES, where batches of every
// client message type (bench/fuzz-mutate.mjs) are sent with a mutation rate
// chosen per session, each batch closed by a fence whose answer proves the
// server read it. Mutations: bit flips, bytes inserted and deleted, length
// fields set to 0, their maximum or off by one, truncation (walking every
// byte), random bytes, and valid messages spliced together.
//
// The server keeps its default admission rules (they cannot be loosened from
// the command line): fuzzing connections come from many loopback addresses
// (127.1.0.1 upwards) so most get where they are sent, and those refused at
// the door (the blacklist, the rate limits) are counted. A few handshakes are
// left unfinished on purpose: the server must drop them within its handshake
// timeout.
//
// Meanwhile: a ZRLE viewer (bench/rfb-client.mjs, VNC Authentication) stays
// connected from 127.0.0.1 and its update rate is measured before the fuzz
// (--baseline seconds, default 20) and during it; the server must never exit,
// never stop answering (the viewer's updates stopping for over 5 s, or a new
// connection getting no banner within 5 s, is a hang), and its RSS is sampled
// every 10 s: at the start, the most, at the end and after --idle seconds
// (default 30) with only the viewer left.
//
// Targets (exit status 1 if one is missed): at least N mutated messages
// (default 1 000 000) within M minutes (default 20); no crash; no hang; no
// internal error in the server's log; every unfinished handshake dropped; RSS
// after the idle time within 20 % of the start; the viewer's rate during the
// fuzz at least 90 % of its baseline. The seed is printed: `--seed S` replays
// the same mutations (their interleaving still depends on timing).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rssMiB, startProcess, freePort, sleep, stopAll, cpuTicks, CLK_TCK } from './procs.mjs';
import { openRfb, ENC } from './rfb-client.mjs';
import { makeRandom } from './fuzz-mutate.mjs';
import { STATES, normalSession, stall } from './fuzz-states.mjs';
import { Wire } from './fuzz-wire.mjs';
import { FuzzStats, printSummary } from './fuzz-report.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    'max-minutes': { type: 'string', default: '20' },
    seed: { type: 'string' },
    baseline: { type: 'string', default: '20' },
    idle: { type: 'string', default: '30' },
  },
});
const MESSAGES = Math.max(100, Math.min(100_000_000, Number(opts.messages) || 1_000_000));
const MAX_MS = Math.max(0.2, Math.min(600, Number(opts['max-minutes']) || 20)) * 60_000;
const SEED = opts.seed !== undefined ? Number(opts.seed) >>> 0 : (Math.random() * 0x100000000) >>> 0;
const BASELINE_S = Math.max(5, Math.min(300, Number(opts.baseline) || 20));
const IDLE_S = Math.max(1, Math.min(300, Number(opts.idle) || 30));

const PASSWORD = 'fuzz-pw1';
const USER = 'alice';
const USER_PASSWORD = 'correct horse battery';
/** The server's handshake timeout (its default), and how much longer a stalled handshake may live. */
const HANDSHAKE_TIMEOUT_MS = 10_000;
const STALL_GRACE_MS = 5_000;
const HANG_MS = 5_000;

/**
 * How often each handshake state is picked, and new connections a second in
 * all: the server lets 100 new unauthenticated connections a second in (all
 * addresses together), so the fuzz stays under it and leaves room for others.
 */
const WEIGHTS = {
  version: 10,
  'security-type': 8,
  'vnc-auth': 10,
  'vencrypt-version': 6,
  'vencrypt-subtype': 6,
  'vencrypt-plain': 2,
  'tls-hello': 6,
  'tls-inner': 5,
  'tls-records': 5,
  'ra2-key': 5,
  'ra2-random': 4,
  'ra2-hash': 4,
  'ra2-credentials': 2,
  'ra2-records': 4,
  'client-init': 8,
};
/** States whose well-formed messages cost a password hash (scrypt) each: a few a second at most. */
const COSTLY = new Set(['vencrypt-plain', 'ra2-credentials']);
const HANDSHAKE_WORKERS = 16;
const CONNECTIONS_PER_S = 60;
const COSTLY_PER_S = 2;
const NORMAL_WORKERS = { vnc: 5, tls: 2, ra2: 1 };
/** Messages a second in the normal phase, all sessions together: enough for a million in a quarter of an hour, not a flood. */
const NORMAL_MESSAGES_PER_S = 1500;
const STALL_WORKERS = 2;

const T0 = performance.now();
const log = (m) => process.stderr.write(`[fuzz +${((performance.now() - T0) / 1000).toFixed(1)}s] ${m}\n`);


/** A token bucket for pacing (tokens a second, at most one second's worth saved). */
function bucket(perSecond) {
  let tokens = perSecond;
  let at = performance.now();
  const refill = () => {
    const now = performance.now();
    tokens = Math.min(perSecond, tokens + ((now - at) / 1000) * perSecond);
    at = now;
  };
  return {
    take() {
      refill();
      if (tokens < 1) return false;
      tokens--;
      return true;
    },
    /** Take `n` tokens at once, into debt if need be, and wait until the debt is paid: first come, first served. */
    async wait(n) {
      refill();
      tokens -= Math.min(n, perSecond);
      if (tokens < 0) await sleep((-tokens / perSecond) * 1000);
    },
  };
}

/** Loopback source addresses for fuzzing connections: 127.1.0.1 … 127.200.255.254, each used once in turn. */
let nextAddress = 0;
function fuzzAddress() {
  const i = nextAddress++;
  return `127.${1 + (Math.floor(i / (256 * 254)) % 200)}.${Math.floor(i / 254) % 256}.${1 + (i % 254)}`;
}

async function startServer(stats) {
  const config = mkdtempSync(join(tmpdir(), 'trayvnc-fuzz-config-'));
  const env = { ...process.env, XDG_CONFIG_HOME: config, XDG_STATE_HOME: config, DISPLAY: '' };
  const cli = join(ROOT, 'dist', 'main', 'cli.js');
  const usersFile = join(config, 'users.json');
  const added = spawnSync(process.execPath, [cli, 'user', 'add', USER, '--file', usersFile], { input: `${USER_PASSWORD}\n`, env, timeout: 30_000 });
  if (added.status !== 0) throw new Error(`trayvnc user add failed: ${added.stderr}`);
  const port = await freePort();
  const args = [cli, 'serve', '--source', 'synthetic', '--size', '1280x720', '--host', '127.0.0.1', '--port', String(port)];
  args.push('--password', PASSWORD, '--users-file', usersFile, '--vencrypt-subtypes', 'TLSPlain,TLSVnc,X509Plain,X509Vnc,Plain');
  args.push('--always-shared', '--max-connections', '50', '--log-level', 'warn', '--log-format', 'json');
  const proc = startProcess(process.execPath, args, { cwd: ROOT, env });
  proc.child.stderr.on('data', (d) => stats.serverLog(d.toString()));
  for (let i = 0; i < 600 && !proc.stdoutText().includes('TrayVNC listening'); i++) {
    if (proc.exited()) throw new Error(`TrayVNC exited at start: ${proc.stderrText().slice(-2000)}`);
    await sleep(50);
  }
  if (!proc.stdoutText().includes('TrayVNC listening')) throw new Error('TrayVNC did not start within 30 s');
  return { proc, port };
}

/** A fresh connection must get a banner within HANG_MS (a refusal at the door is an answer too). */
async function probe(port, i) {
  const wire = await Wire.open(port, `127.254.${(i >> 8) & 255}.${1 + (i % 254)}`, HANG_MS);
  if (!wire) return false;
  const banner = await wire.read(12, HANG_MS);
  wire.destroy();
  return banner !== null && banner.toString('latin1').startsWith('RFB ');
}

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'main', 'cli.js'))) throw new Error('dist/main/cli.js is missing: run `npm run build` first');
  const stats = new FuzzStats();
  log(`seed ${SEED}; target ${MESSAGES} mutated messages within ${MAX_MS / 60_000} min`);
  const { proc, port } = await startServer(stats);
  const failures = [];
  const fail = (what) => {
    if (!failures.includes(what)) failures.push(what);
    log(`FAILURE: ${what}`);
  };
  const rss = { samples: [], fuzz: [], start: NaN, max: 0, end: NaN, idle: NaN };
  let fuzzing = false;
  const sampleRss = () => {
    const v = rssMiB(proc.pid);
    if (Number.isFinite(v)) {
      rss.samples.push(v);
      if (fuzzing) rss.fuzz.push(v);
      rss.max = Math.max(rss.max, v);
    }
    return v;
  };
  const rssTimer = setInterval(sampleRss, 10_000);

  // The well-behaved viewer, from 127.0.0.1, asking for the next update as soon as one is in.
  const viewer = await openRfb(port, { password: PASSWORD, localAddress: '127.0.0.1' });
  viewer.setEncodings([ENC.ZRLE, ENC.CopyRect]);
  let lastUpdate = performance.now();
  viewer.onUpdate = () => {
    lastUpdate = performance.now();
    viewer.request(true);
  };
  viewer.request(false);
  await sleep(3000);
  rss.start = sampleRss();
  const u0 = viewer.updates;
  const b0 = performance.now();
  await sleep(BASELINE_S * 1000);
  const baseline = (viewer.updates - u0) / ((performance.now() - b0) / 1000);
  log(`baseline: the viewer gets ${baseline.toFixed(1)} updates/s; server RSS ${rss.start.toFixed(1)} MiB; fuzzing`);

  // Watchdog: the process, the viewer's updates, a banner for a fresh connection.
  let stopped = false;
  const watch = (async () => {
    let probes = 0;
    let lastProbe = 0;
    while (!stopped) {
      if (proc.exited()) {
        fail(`the server exited (code ${proc.child.exitCode}, signal ${proc.child.signalCode})`);
        break;
      }
      if (viewer.failed()) {
        fail(`the viewer lost its connection: ${viewer.failed().message}`);
        break;
      }
      if (performance.now() - lastUpdate > HANG_MS) fail(`hang: the viewer got no update for ${((performance.now() - lastUpdate) / 1000).toFixed(1)} s`);
      if (performance.now() - lastProbe > 5000) {
        lastProbe = performance.now();
        if (!(await probe(port, probes++))) fail('hang: a new connection got no banner within 5 s');
        stats.probes++;
      }
      await sleep(250);
    }
  })();

  // The fuzz.
  fuzzing = true;
  const master = makeRandom(SEED);
  const fuzzStart = performance.now();
  const fuzzUpdates0 = viewer.updates;
  const deadline = fuzzStart + MAX_MS;
  const done = () => stopped || failures.length > 0 || stats.total >= MESSAGES || performance.now() >= deadline;
  const messages = bucket(NORMAL_MESSAGES_PER_S);
  const ctxFor = (r) => stats.context({ port, r, password: PASSWORD, user: USER, userPassword: USER_PASSWORD, address: fuzzAddress, stopped: done, pace: (n) => messages.wait(n) });
  const paced = bucket(CONNECTIONS_PER_S);
  const costly = bucket(COSTLY_PER_S);
  const names = Object.keys(WEIGHTS);
  const totalWeight = names.reduce((a, n) => a + WEIGHTS[n], 0);
  const pickState = (r) => {
    let x = r.next() * totalWeight;
    for (const n of names) if ((x -= WEIGHTS[n]) < 0) return n;
    return names[0];
  };
  /** A state's run, cut off after `ms` (it never should be: each of its waits has its own deadline). */
  const bounded = (p, ms, name) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        stats.clientTimeouts++;
        log(`a fuzzing client in ${name} still runs after ${ms / 1000} s`);
        resolve();
      }, ms);
      p.then(
        () => (clearTimeout(timer), resolve()),
        (e) => {
          clearTimeout(timer);
          stats.clientErrors.push(e);
          resolve();
        },
      );
    });
  const workers = [];
  for (let w = 0; w < HANDSHAKE_WORKERS; w++) {
    const ctx = ctxFor(master.fork());
    workers.push(
      (async () => {
        while (!done()) {
          if (!paced.take()) {
            await sleep(5);
            continue;
          }
          let state = pickState(ctx.r);
          if (COSTLY.has(state) && !costly.take()) state = 'version';
          await bounded(STATES[state](ctx), 20_000, state);
        }
      })(),
    );
  }
  for (const [kind, n] of Object.entries(NORMAL_WORKERS)) {
    for (let w = 0; w < n; w++) {
      const ctx = ctxFor(master.fork());
      workers.push(
        (async () => {
          while (!done()) await bounded(normalSession(ctx, kind, performance.now() + 20_000 + ctx.r.int(20_000)), 60_000, `normal/${kind}`);
        })(),
      );
    }
  }
  for (let w = 0; w < STALL_WORKERS; w++) {
    const ctx = ctxFor(master.fork());
    workers.push(
      (async () => {
        while (!done()) await bounded(stall(ctx, HANDSHAKE_TIMEOUT_MS + STALL_GRACE_MS), 30_000, 'stalled');
      })(),
    );
  }
  let cpuAt = { t: performance.now(), server: cpuTicks(proc.pid), self: process.cpuUsage() };
  const progress = setInterval(() => {
    const now = { t: performance.now(), server: cpuTicks(proc.pid), self: process.cpuUsage() };
    const secs = (now.t - cpuAt.t) / 1000;
    const serverCpu = ((now.server - cpuAt.server) / CLK_TCK / secs) * 100;
    const selfCpu = ((now.self.user + now.self.system - cpuAt.self.user - cpuAt.self.system) / 1e6 / secs) * 100;
    cpuAt = now;
    log(`${stats.total} mutated messages, ${stats.connections} connections, viewer ${viewer.updates - fuzzUpdates0} updates, RSS ${rssMiB(proc.pid).toFixed(1)} MiB, CPU server ${serverCpu.toFixed(0)} % fuzz ${selfCpu.toFixed(0)} %`);
  }, 15_000);
  while (!done()) await sleep(250);
  const fuzzS = (performance.now() - fuzzStart) / 1000;
  fuzzing = false;
  const during = (viewer.updates - fuzzUpdates0) / fuzzS;
  clearInterval(progress);
  log(`fuzz over after ${fuzzS.toFixed(0)} s; waiting for the last connections`);
  await Promise.race([Promise.all(workers), sleep(40_000)]);
  rss.end = sampleRss();
  log(`idle ${IDLE_S} s with the viewer alone`);
  await sleep(IDLE_S * 1000);
  rss.idle = sampleRss();
  stopped = true;
  await watch;
  if (proc.exited()) fail('the server exited');
  else if (performance.now() - lastUpdate > HANG_MS) fail('the viewer got no updates after the fuzz');
  clearInterval(rssTimer);
  viewer.close();
  await proc.stop();
  const ok = printSummary({ stats, seed: SEED, target: MESSAGES, maxMinutes: MAX_MS / 60_000, fuzzS, baseline, during, rss, failures, stderrTail: stats.stderrTail() });
  process.exitCode = ok ? 0 : 1;
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
