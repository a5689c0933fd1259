import { spawnSync } from 'node:child_process';

/** One sample of a Prometheus text exposition. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
  return out;
}

/** Parse the Prometheus text format (enough for our own output: no timestamps). */
export function parseProm(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable metrics line: ${line}`);
    out.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2]) : {}, value: Number(m[3]) });
  }
  return out;
}

/** Helpers over parsed samples. */
export class Scrape {
  readonly samples: PromSample[];
  constructor(readonly text: string) {
    this.samples = parseProm(text);
  }

  /** Every sample of a metric, optionally only those whose labels include `labels`. */
  all(name: string, labels: Record<string, string> = {}): PromSample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** The one value of a metric with these labels (throws if there is not exactly one). */
  value(name: string, labels: Record<string, string> = {}): number {
    const hits = this.all(name, labels);
    if (hits.length !== 1) throw new Error(`${hits.length} samples of ${name}${JSON.stringify(labels)}`);
    return hits[0]!.value;
  }

  /** Sum over all samples of a metric. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.all(name, labels).reduce((a, s) => a + s.value, 0);
  }

  /** label value → sample value, for one label of a metric. */
  byLabel(name: string, label: string): Map<string, number> {
    return new Map(this.all(name).map((s) => [s.labels[label]!, s.value]));
  }
}

/** Fetch and parse /metrics. */
export async function scrape(port: number, host = '127.0.0.1'): Promise<Scrape> {
  const res = await fetch(`http://${host}:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  if (!/^text\/plain; version=0\.0\.4/.test(res.headers.get('content-type') ?? '')) {
    throw new Error(`unexpected content type ${res.headers.get('content-type')}`);
  }
  return new Scrape(await res.text());
}

/** Run `promtool check metrics` on the text; returns its complaints (empty when clean). */
export function promtoolCheck(text: string): { ok: boolean; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw new Error(`cannot run promtool (Debian package "prometheus"): ${r.error.message}`);
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}
