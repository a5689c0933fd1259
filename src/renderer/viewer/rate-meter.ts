/**
 * Per-second rates for the viewer's live figures (framebuffer updates
 * completed, bytes received). Pure: the unit tests run it in Node.
 */

/**
 * Counts what happens (`add`) and, on each `sample`, gives the rate per
 * second since the sample before. The first sample only starts the clock
 * (null); so does a sample whose clock did not move on.
 */
export class RateMeter {
  private total = 0;
  private last: { at: number; total: number } | null = null;

  add(amount = 1): void {
    if (Number.isFinite(amount) && amount > 0) this.total += amount;
  }

  /** Everything added so far. */
  get count(): number {
    return this.total;
  }

  /** The rate per second since the last sample, at time `now` (ms); null for the first. */
  sample(now: number): number | null {
    const last = this.last;
    if (last && now <= last.at) return null;
    this.last = { at: now, total: this.total };
    if (!last) return null;
    return ((this.total - last.total) * 1000) / (now - last.at);
  }

  /** Forget the clock (a new connection starts from nothing). */
  reset(): void {
    this.total = 0;
    this.last = null;
  }
}

/** Frames per second for the toolbar: "—" when unknown, one decimal below 10 ("2.5"), whole above ("24"). */
export function formatFrameRate(fps: number | null): string {
  if (fps === null || !Number.isFinite(fps) || fps < 0) return '—';
  return fps < 10 ? fps.toFixed(1) : String(Math.round(fps));
}
