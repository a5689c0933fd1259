import type { MetricsSnapshot } from '../../shared/control-contract.js';
import { RingBuffer } from './ring-buffer.js';

/** Five minutes of one-per-second snapshots. */
export const HISTORY_SAMPLES = 300;
export const HISTORY_SECONDS = 300;

/**
 * The metrics seen since the page opened, bounded. Kept at the app's level
 * (not the Metrics page's) so the charts show five minutes as soon as the
 * page is opened.
 */
export class MetricsHistory {
  private readonly buffer: RingBuffer<MetricsSnapshot>;
  private readonly listeners = new Set<() => void>();
  /** Bumped on every change, so views can tell whether they are current. */
  version = 0;

  constructor(capacity = HISTORY_SAMPLES) {
    this.buffer = new RingBuffer(capacity);
  }

  add(snapshot: MetricsSnapshot): void {
    const last = this.buffer.last();
    // After a reconnect the server may repeat the snapshot we already have.
    if (last && snapshot.at <= last.at) return;
    this.buffer.push(snapshot);
    this.version++;
    for (const l of [...this.listeners]) l();
  }

  samples(): MetricsSnapshot[] {
    return this.buffer.toArray();
  }

  latest(): MetricsSnapshot | undefined {
    return this.buffer.last();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
