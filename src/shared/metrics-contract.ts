/**
 * The metrics part of the control API: what the `metrics` event carries
 * (the performance monitor's snapshot). Re-exported by control-contract.ts.
 */

/** Rolling performance figures for one client or for all of them (the performance monitor's snapshot). */
export interface MetricsFigures {
  /** Framebuffer updates per second. */
  fps: number;
  /** Bytes of framebuffer updates per second. */
  bandwidth: number;
  /** Raw-equivalent bytes per byte sent (8 means the encodings sent an eighth of raw pixels); null without updates. */
  compressionRatio: number | null;
  /** Median and 95th percentile of the time to encode an update, in ms; null without updates. */
  encodeMsP50: number | null;
  encodeMsP95: number | null;
  /** Mean share of the screen (0–1) that one update carried; null without updates. */
  changedFraction: number | null;
  /** Updates in the window. */
  updates: number;
}

export interface ClientMetrics extends MetricsFigures {
  /** Short session id (first 8 characters of ClientInfo.id), as in the logs. */
  id: string;
  address: string;
  /** Epoch milliseconds. */
  connectedAt: number;
}

export interface OverallMetrics extends MetricsFigures {
  clients: number;
  /** Captures that found changes, per second. */
  captureFps: number;
  captureMsP50: number | null;
  captureMsP95: number | null;
  detectMsP50: number | null;
  detectMsP95: number | null;
}

export interface MetricsSnapshot {
  /** Epoch milliseconds. */
  at: number;
  /** Span the rates are averaged over, in ms. */
  windowMs: number;
  overall: OverallMetrics;
  clients: ClientMetrics[];
}
