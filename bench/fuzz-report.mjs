// Counting and reporting for bench/fuzz.mjs: mutated messages per protocol
// state and per mutation, what the server did with them, what it logged, and
// the summary table with the targets.

/** Log lines kept for the summary (the end of the server's stderr). */
const TAIL_LINES = 30;

export class FuzzStats {
  total = 0;
  connections = 0;
  refused = 0;
  noBanners = 0;
  probes = 0;
  clientTimeouts = 0;
  /** Errors thrown in the fuzzing clients themselves (bugs of the bench, shown in the summary). */
  clientErrors = [];
  stallMaxMs = 0;
  states = new Map();
  ops = new Map();
  logLines = 0;
  logErrors = 0;
  internalErrors = 0;
  tail = [];
  /** Why the server closed connections, as its log says (numbers replaced by N), and how often. */
  reasons = new Map();
  partial = '';

  state(name) {
    let s = this.states.get(name);
    if (!s) {
      s = { mutated: 0, refused: 0, notes: new Map() };
      this.states.set(name, s);
    }
    return s;
  }

  /** The context a worker's state functions get (see bench/fuzz-states.mjs). */
  context(base) {
    const stats = this;
    const cuts = new Map();
    return {
      ...base,
      address() {
        stats.connections++;
        return base.address();
      },
      count(state, n, op) {
        stats.state(state).mutated += n;
        stats.total += n;
        if (op) stats.op(op);
      },
      op: (op) => stats.op(op),
      note(state, key) {
        const notes = stats.state(state).notes;
        notes.set(key, (notes.get(key) ?? 0) + 1);
      },
      /** The next truncation point for `state` (walks every byte of its messages in turn). */
      cut(state) {
        const c = cuts.get(state) ?? 0;
        cuts.set(state, c + 1);
        return c;
      },
      refusedEarly(state) {
        stats.refused++;
        stats.state(state).refused++;
      },
      noBanner() {
        stats.noBanners++;
      },
      stallClosedAfter(ms) {
        stats.stallMaxMs = Math.max(stats.stallMaxMs, ms);
      },
    };
  }

  op(op) {
    this.ops.set(op, (this.ops.get(op) ?? 0) + 1);
  }

  /** The server's stderr (JSON lines): count them, the errors, the internal errors; keep the last ones. */
  serverLog(text) {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      this.logLines++;
      const level = /"level":(\d+)/.exec(line);
      if (level && Number(level[1]) >= 50) this.logErrors++;
      if (/internal error|TypeError|RangeError|ReferenceError|uncaught|unhandled/i.test(line)) {
        this.internalErrors++;
        if (this.internalErrors <= 5) process.stderr.write(`[fuzz] server: ${line.slice(0, 2000)}\n`);
      }
      const reason = /"reason":"((?:[^"\\]|\\.)*)"/.exec(line);
      if (reason) {
        const key = reason[1].replace(/\d+/g, 'N').slice(0, 120);
        this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
      }
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
    }
  }

  stderrTail() {
    return [...this.tail, this.partial].filter(Boolean).join('\n');
  }
}

const fmt = (n) => n.toLocaleString('en-US');

/** Print the tables and the targets; returns true when every target was met. */
export function printSummary({ stats, seed, target, maxMinutes, fuzzS, baseline, during, rss, failures, stderrTail }) {
  const out = (s = '') => console.log(s);
  out(`\nFuzz summary (seed ${seed}; replay with --seed ${seed})`);
  out(`${'state'.padEnd(20)}${'mutated'.padStart(11)}${'conns'.padStart(9)}${'refused'.padStart(9)}  what the server did`);
  const names = [...stats.states.keys()].sort();
  for (const name of names) {
    const s = stats.states.get(name);
    const notes = [...s.notes].filter(([k]) => k !== 'connections').map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    out(`${name.padEnd(20)}${fmt(s.mutated).padStart(11)}${fmt(s.notes.get('connections') ?? 0).padStart(9)}${fmt(s.refused).padStart(9)}  ${notes}`);
  }
  out(`${'total'.padEnd(20)}${fmt(stats.total).padStart(11)}${fmt(stats.connections).padStart(9)}${fmt(stats.refused).padStart(9)}`);
  out(`\nmutations: ${[...stats.ops].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  out(`refused at the door (blacklist, rate limits): ${fmt(stats.refused)} of ${fmt(stats.connections)} connections (${((100 * stats.refused) / Math.max(1, stats.connections)).toFixed(1)} %)`);
  out(`server log: ${fmt(stats.logLines)} lines, ${fmt(stats.logErrors)} at error level, ${fmt(stats.internalErrors)} internal errors; banner probes ${fmt(stats.probes)}`);
  out('why the server closed connections (its log):');
  for (const [k, v] of [...stats.reasons].sort((a, b) => b[1] - a[1]).slice(0, 25)) out(`  ${fmt(v).padStart(9)}  ${k}`);
  out(`unfinished handshakes dropped by the server after at most ${(stats.stallMaxMs / 1000).toFixed(1)} s`);
  const ratio = during / baseline;
  out(`\nviewer (ZRLE, 127.0.0.1): ${baseline.toFixed(2)} updates/s before, ${during.toFixed(2)} during the fuzz: ratio ${ratio.toFixed(3)}`);
  out(`server RSS (MiB): start ${rss.start.toFixed(1)}, max ${rss.max.toFixed(1)}, end ${rss.end.toFixed(1)}, after idle ${rss.idle.toFixed(1)} (samples every 10 s: ${rss.samples.map((v) => v.toFixed(0)).join(' ')})`);
  out(`duration: fuzz ${(fuzzS / 60).toFixed(1)} min (${fmt(Math.round(stats.total / fuzzS))} mutated messages/s)`);
  const trend = rssTrend(rss.fuzz);
  const stalledOpen = stats.states.get('stalled')?.notes.get('notClosed') ?? 0;
  const checks = [
    [`at least ${fmt(target)} mutated messages within ${maxMinutes} min`, stats.total >= target, fmt(stats.total)],
    ['no crash, no hang', failures.length === 0, failures.length === 0 ? 'none' : failures.join('; ')],
    ['no internal error in the server log', stats.internalErrors === 0, fmt(stats.internalErrors)],
    ['every unfinished handshake dropped', stalledOpen === 0, `${fmt(stalledOpen)} left open`],
    ['fuzzing clients never stuck or broken', stats.clientTimeouts === 0 && stats.clientErrors.length === 0, `${fmt(stats.clientTimeouts)} timed out, ${fmt(stats.clientErrors.length)} failed${stats.clientErrors.length ? ` (first: ${stats.clientErrors[0].stack})` : ''}`],
    ['RSS after idle within 20 % of the start', rss.idle <= rss.start * 1.2, `${(((rss.idle - rss.start) / rss.start) * 100).toFixed(0)} %`],
    ['RSS flat during the fuzz: its last quarter within 10 % of its second', trend.ok, trend.text],
    ["viewer's update rate ≥ 90 % of its baseline", ratio >= 0.9, ratio.toFixed(3)],
  ];
  out('\ntargets');
  for (const [what, ok, value] of checks) out(`  ${ok ? 'OK  ' : 'MISS'} ${what}: ${value}`);
  if (failures.length > 0) out(`\nthe server's stderr, last lines:\n${stderrTail}`);
  return checks.every(([, ok]) => ok);
}

/** Whether RSS kept growing while fuzzed: the mean of the last quarter of the samples against that of the second quarter (the first is warm-up). */
function rssTrend(samples) {
  if (samples.length < 8) return { ok: true, text: `too few samples (${samples.length}) to tell` };
  const q = Math.floor(samples.length / 4);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const second = mean(samples.slice(q, 2 * q));
  const last = mean(samples.slice(samples.length - q));
  const growth = (last - second) / second;
  return { ok: growth <= 0.1, text: `${second.toFixed(0)} → ${last.toFixed(0)} MiB (${(growth * 100).toFixed(0)} %)` };
}
