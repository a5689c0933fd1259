import type { MetricsSnapshot } from '../../shared/control-contract.js';

/** Column-oriented chart data: time in seconds (the chart's time unit), one array per line. */
export interface MetricsSeries {
  time: number[];
  fps: (number | null)[];
  captureFps: (number | null)[];
  bandwidth: (number | null)[];
  encodeP50: (number | null)[];
  encodeP95: (number | null)[];
  compressionRatio: (number | null)[];
}

/** Snapshots come once a second; a longer pause (a lost connection) is drawn as a gap, not a line across it. */
const GAP_MS = 3000;

/** Turn snapshots (oldest first) into chart columns, with an empty point where samples are missing. */
export function metricsSeries(samples: readonly MetricsSnapshot[]): MetricsSeries {
  const out: MetricsSeries = { time: [], fps: [], captureFps: [], bandwidth: [], encodeP50: [], encodeP95: [], compressionRatio: [] };
  let prev: MetricsSnapshot | undefined;
  for (const s of samples) {
    if (prev && s.at - prev.at > GAP_MS) {
      out.time.push((prev.at + 1000) / 1000);
      for (const col of [out.fps, out.captureFps, out.bandwidth, out.encodeP50, out.encodeP95, out.compressionRatio]) col.push(null);
    }
    const o = s.overall;
    out.time.push(s.at / 1000);
    out.fps.push(o.fps);
    out.captureFps.push(o.captureFps);
    out.bandwidth.push(o.bandwidth);
    out.encodeP50.push(o.encodeMsP50);
    out.encodeP95.push(o.encodeMsP95);
    out.compressionRatio.push(o.compressionRatio);
    prev = s;
  }
  return out;
}
