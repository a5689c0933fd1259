/**
 * The seek bar's heat-map: activity per second of the recording (updates and
 * input, from getRecordingInfo's `activity`) folded into `bins` levels from 0
 * (nothing happened) to 1 (the busiest stretch). A square root keeps a little
 * typing visible beside a full-screen video.
 */
export function heatLevels(activity: readonly number[], durationMs: number, bins: number): number[] {
  const n = Math.max(0, Math.floor(bins));
  const out = new Array<number>(n).fill(0);
  const seconds = Math.max(activity.length, Math.ceil(durationMs / 1000));
  if (n === 0 || seconds === 0) return out;
  for (let s = 0; s < activity.length; s++) {
    const v = activity[s] ?? 0;
    if (v <= 0) continue;
    // Each second lands in the bin of its start; a long bin keeps its busiest second.
    const b = Math.min(n - 1, Math.floor((s * n) / seconds));
    out[b] = Math.max(out[b]!, v);
  }
  // Short recordings have fewer seconds than bins: a second covers several bins.
  if (seconds < n) {
    for (let b = 0; b < n; b++) out[b] = activity[Math.floor((b * seconds) / n)] ?? 0;
  }
  const max = Math.max(0, ...out);
  return max === 0 ? out : out.map((v) => Math.sqrt(v / max));
}
