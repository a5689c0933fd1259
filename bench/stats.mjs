// Small statistics and table helpers shared by the benchmark's modules.

export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** The q-quantile (0..1) by the nearest-rank method; null for no values. */
export function percentile(xs, q) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))] : null;
}

const missing = (v) => v === null || v === undefined || Number.isNaN(v);
export const fmtMs = (v) => (missing(v) ? '-' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
export const fmtPct = (v) => (missing(v) ? '-' : `${v.toFixed(1)} %`);
export const fmtKB = (v) => (missing(v) ? '-' : (v / 1024).toFixed(1));
export const fmtNum = (v, digits = 1) => (missing(v) ? '-' : v.toFixed(digits));

/** A plain-text table: first column left-aligned, the rest right-aligned unless `align` says otherwise. */
export function table(headers, rows, align) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? String(c ?? '').padEnd(widths[i]) : String(c ?? '').padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A seeded PRNG for the bench's own choices (key gaps): the same run every time. */
export function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const T0 = performance.now();
/** Progress to stderr, with seconds since the start. */
export const log = (msg) => process.stderr.write(`[bench +${((performance.now() - T0) / 1000).toFixed(1)}s] ${msg}\n`);
