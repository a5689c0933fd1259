import type { Logger } from 'pino';
import type { ClientMetrics, MetricsFigures, MetricsSnapshot, OverallMetrics } from '../../shared/control-contract.js';
import type { RfbServer } from '../rfb/server.js';
import type { Session, UpdateStats } from '../rfb/session.js';
import { getLogger, LogContext } from '../base/logger.js';
import { tapTiming, type CaptureTiming, type TimingSource } from './timing-tap.js';

/**
 * The monitor's figures are the control API's (src/shared/control-contract.ts):
 * a snapshot goes to the dashboard and the tray window as it is.
 */
export type PerfFigures = MetricsFigures;
export type ClientPerf = ClientMetrics;
export type OverallPerf = OverallMetrics;
export type PerfSnapshot = MetricsSnapshot;

export interface PerformanceMonitorOptions {
  /** Rates and percentiles cover the last this many ms (default 5000). */
  windowMs?: number;
  /** Subscribers get a snapshot this often, in ms (default 1000). */
  intervalMs?: number;
  /** A summary line goes to the log this often while clients are connected, in ms (default 60000; 0: never). */
  summaryIntervalMs?: number;
  log?: Logger;
}

/** What the monitor needs to know of a client. */
export interface ClientRef {
  readonly id: string;
  readonly address: string;
  readonly connectedAt: Date;
}

interface UpdateSample {
  t: number;
  /** The whole message (header and pseudo-rectangles too), for bandwidth. */
  bytes: number;
  /** Pixel rectangles only, and what they would have been in Raw: the compression ratio. */
  rectBytes: number;
  raw: number;
  fraction: number;
  encodeMs: number;
}

interface TimingSample {
  t: number;
  captureMs: number;
  detectMs: number;
}

/** Samples of the last `windowMs`, oldest first, trimmed from the front as time passes. */
class Rolling<T extends { t: number }> {
  private items: T[] = [];
  private head = 0;

  /** Add a sample; now and then drop those older than `before` (snapshots always do). */
  push(s: T, before: number): void {
    this.items.push(s);
    if ((this.items.length & 127) === 0) this.prune(before);
  }

  prune(before: number): void {
    const items = this.items;
    while (this.head < items.length && items[this.head]!.t < before) this.head++;
    if (this.head > 256 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
  }

  live(): T[] {
    return this.head === 0 ? this.items : this.items.slice(this.head);
  }
}

interface Track {
  ref: ClientRef;
  id: string;
  startedAt: number;
  window: Rolling<UpdateSample>;
}

/** Totals since the last summary line; encode times kept as a bounded reservoir sample. */
class Accumulator {
  updates = 0;
  bytes = 0;
  rectBytes = 0;
  raw = 0;
  fractionSum = 0;
  encode: number[] = [];
  since = performance.now();
  private seen = 0;

  add(s: UpdateSample): void {
    this.updates++;
    this.bytes += s.bytes;
    this.rectBytes += s.rectBytes;
    this.raw += s.raw;
    this.fractionSum += s.fraction;
    this.seen++;
    if (this.encode.length < 2048) this.encode.push(s.encodeMs);
    else {
      const i = Math.floor(Math.random() * this.seen);
      if (i < 2048) this.encode[i] = s.encodeMs;
    }
  }
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}

function round(n: number | null, digits = 3): number | null {
  if (n === null) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function figures(samples: readonly UpdateSample[], spanMs: number): PerfFigures {
  let bytes = 0;
  let rectBytes = 0;
  let raw = 0;
  let fraction = 0;
  const encode: number[] = new Array<number>(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    bytes += s.bytes;
    rectBytes += s.rectBytes;
    raw += s.raw;
    fraction += s.fraction;
    encode[i] = s.encodeMs;
  }
  encode.sort((a, b) => a - b);
  const secs = Math.max(spanMs, 1) / 1000;
  const n = samples.length;
  return {
    fps: round(n / secs, 2)!,
    bandwidth: Math.round(bytes / secs),
    compressionRatio: rectBytes > 0 ? round(raw / rectBytes) : null,
    encodeMsP50: round(percentile(encode, 0.5)),
    encodeMsP95: round(percentile(encode, 0.95)),
    changedFraction: n > 0 ? round(fraction / n, 4) : null,
    updates: n,
  };
}

function mb(bytesPerSecond: number): string {
  return bytesPerSecond >= 1e6 ? `${(bytesPerSecond / 1e6).toFixed(2)} MB/s` : `${(bytesPerSecond / 1e3).toFixed(1)} kB/s`;
}

/**
 * A rolling view of how the server performs, per client and overall: update
 * rate, bandwidth, compression ratio, encode time percentiles and the share of
 * the screen each update carries. Recording an update costs one small object;
 * the 1-second snapshot timer runs only while someone is subscribed, and a
 * summary line is logged every minute only while clients are connected.
 */
export class PerformanceMonitor {
  readonly windowMs: number;
  readonly intervalMs: number;
  readonly summaryIntervalMs: number;
  private readonly log: Logger;
  private readonly clients = new Map<ClientRef, Track>();
  private readonly overall = new Rolling<UpdateSample>();
  private readonly timings = new Rolling<TimingSample>();
  private readonly startedAt = performance.now();
  private readonly listeners = new Set<(s: PerfSnapshot) => void>();
  private timer: NodeJS.Timeout | null = null;
  private summaryTimer: NodeJS.Timeout | null = null;
  private summary = new Accumulator();
  private readonly detachers: Array<() => void> = [];

  constructor(opts: PerformanceMonitorOptions = {}) {
    this.windowMs = opts.windowMs ?? 5000;
    this.intervalMs = opts.intervalMs ?? 1000;
    this.summaryIntervalMs = opts.summaryIntervalMs ?? 60_000;
    this.log = opts.log ?? getLogger('perf');
  }

  /** Follow a server's clients and updates (and a capture loop's timings); returns a function that stops. */
  observe(server: RfbServer, loop?: TimingSource): () => void {
    const onConnected = (s: Session) => {
      this.track(s);
      this.clientsChanged();
    };
    const onDisconnected = (s: Session) => {
      this.clients.delete(s);
      this.clientsChanged();
    };
    const onUpdate = (s: Session, stats: UpdateStats) => {
      const f = server.currentFrame();
      this.record(s, stats, f.width * f.height);
    };
    server.on('connected', onConnected);
    server.on('disconnected', onDisconnected);
    server.on('update', onUpdate);
    for (const s of server.clients) this.track(s);
    const untap = loop ? tapTiming(loop, (t) => this.recordTiming(t)) : () => undefined;
    const detach = () => {
      server.off('connected', onConnected);
      server.off('disconnected', onDisconnected);
      server.off('update', onUpdate);
      untap();
      for (const s of server.clients) this.clients.delete(s);
      this.clientsChanged();
    };
    this.detachers.push(detach);
    this.clientsChanged();
    return detach;
  }

  private track(ref: ClientRef): Track {
    let t = this.clients.get(ref);
    if (!t) {
      // Rates of a client connected for less than the window are over its time so far.
      const age = Date.now() - ref.connectedAt.getTime();
      t = { ref, id: ref.id.slice(0, 8), startedAt: performance.now() - Math.max(0, age), window: new Rolling() };
      this.clients.set(ref, t);
    }
    return t;
  }

  /** One framebuffer update went to a client; `screenPixels` is the desktop's area. */
  record(client: ClientRef, stats: UpdateStats, screenPixels: number): void {
    const now = performance.now();
    let bytes = 0;
    let raw = 0;
    let pixels = 0;
    for (const r of stats.rects) {
      bytes += r.bytes;
      raw += r.rawBytes;
      pixels += r.pixels;
    }
    const sample: UpdateSample = {
      t: now,
      bytes: stats.bytes,
      rectBytes: bytes,
      raw,
      fraction: screenPixels > 0 ? Math.min(1, pixels / screenPixels) : 0,
      encodeMs: stats.encodeMs,
    };
    const track = this.clients.get(client) ?? this.track(client);
    track.window.push(sample, now - this.windowMs);
    this.overall.push(sample, now - this.windowMs);
    this.summary.add(sample);
  }

  /** One capture that found changes. */
  recordTiming(t: CaptureTiming): void {
    const now = performance.now();
    this.timings.push({ t: now, captureMs: t.captureMs, detectMs: t.detectMs }, now - this.windowMs);
  }

  /** The figures now, over the last `windowMs`. */
  snapshot(): PerfSnapshot {
    const now = performance.now();
    const from = now - this.windowMs;
    const clients: ClientPerf[] = [];
    for (const t of this.clients.values()) {
      t.window.prune(from);
      clients.push({
        id: t.id,
        address: t.ref.address,
        connectedAt: t.ref.connectedAt.getTime(),
        ...figures(t.window.live(), Math.min(this.windowMs, now - t.startedAt)),
      });
    }
    this.overall.prune(from);
    this.timings.prune(from);
    const span = Math.min(this.windowMs, now - this.startedAt);
    const timings = this.timings.live();
    const capture = timings.map((s) => s.captureMs).sort((a, b) => a - b);
    const detect = timings.map((s) => s.detectMs).sort((a, b) => a - b);
    return {
      at: Date.now(),
      windowMs: this.windowMs,
      overall: {
        clients: clients.length,
        ...figures(this.overall.live(), span),
        captureFps: round(timings.length / (Math.max(span, 1) / 1000), 2)!,
        captureMsP50: round(percentile(capture, 0.5)),
        captureMsP95: round(percentile(capture, 0.95)),
        detectMsP50: round(percentile(detect, 0.5)),
        detectMsP95: round(percentile(detect, 0.95)),
      },
      clients,
    };
  }

  /**
   * Get a snapshot every `intervalMs` until the returned function is called.
   * The timer runs only while at least one listener is subscribed.
   */
  subscribe(listener: (s: PerfSnapshot) => void): () => void {
    const own = (s: PerfSnapshot) => listener(s);
    this.listeners.add(own);
    if (!this.timer) {
      // Outside any client's log context: a timer keeps the context it was made in.
      this.timer = LogContext.exit(() => setInterval(() => this.publish(), this.intervalMs));
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(own);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /** Snapshots as an async iterator (`for await … of monitor.stream()`); leaving the loop unsubscribes. */
  stream(): AsyncIterableIterator<PerfSnapshot> {
    const queue: PerfSnapshot[] = [];
    let wake: ((r: IteratorResult<PerfSnapshot>) => void) | null = null;
    let done = false;
    const unsubscribe = this.subscribe((s) => {
      if (wake) {
        const w = wake;
        wake = null;
        w({ value: s, done: false });
      } else {
        queue.push(s);
        if (queue.length > 10) queue.shift(); // a slow reader gets the latest, not a backlog
      }
    });
    const finish = (): Promise<IteratorResult<PerfSnapshot>> => {
      done = true;
      unsubscribe();
      if (wake) wake({ value: undefined, done: true });
      wake = null;
      return Promise.resolve({ value: undefined, done: true });
    };
    return {
      next: () => {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift()!, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (wake = resolve));
      },
      return: finish,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Whether the snapshot timer is running (someone is subscribed). */
  get subscribed(): boolean {
    return this.timer !== null;
  }

  /** Whether the summary timer is running (clients are connected). */
  get summarising(): boolean {
    return this.summaryTimer !== null;
  }

  private publish(): void {
    const snap = this.snapshot();
    for (const l of [...this.listeners]) {
      try {
        l(snap);
      } catch (e) {
        this.log.warn({ err: e }, 'performance subscriber failed');
      }
    }
  }

  private clientsChanged(): void {
    // ('connected' is emitted just before the session counts as ready, so go by our own list.)
    const connected = this.clients.size > 0;
    if (connected && !this.summaryTimer && this.summaryIntervalMs > 0) {
      this.summary = new Accumulator();
      // This runs as the first client connects, inside its log context; the summary is about every client.
      this.summaryTimer = LogContext.exit(() => setInterval(() => this.logSummary(), this.summaryIntervalMs));
      this.summaryTimer.unref();
    } else if (!connected && this.summaryTimer) {
      clearInterval(this.summaryTimer);
      this.summaryTimer = null;
    }
  }

  /**
   * Log one line with the figures since the last summary (called every
   * summaryIntervalMs while clients are connected). The line is about all
   * clients, so it carries no client's session tag, wherever it is called from.
   */
  logSummary(): void {
    LogContext.exit(() => this.writeSummary());
  }

  private writeSummary(): void {
    const a = this.summary;
    this.summary = new Accumulator();
    const secs = Math.max(1, performance.now() - a.since) / 1000;
    const encode = a.encode.sort((x, y) => x - y);
    const fields = {
      clients: this.clients.size,
      fps: round(a.updates / secs, 2)!,
      bandwidth: Math.round(a.bytes / secs),
      compressionRatio: a.rectBytes > 0 ? round(a.raw / a.rectBytes, 2) : null,
      encodeMsP50: round(percentile(encode, 0.5), 2),
      encodeMsP95: round(percentile(encode, 0.95), 2),
      changedFraction: a.updates > 0 ? round(a.fractionSum / a.updates, 4) : null,
      updates: a.updates,
    };
    const text =
      `performance: ${fields.clients} client${fields.clients === 1 ? '' : 's'}, ${fields.fps} updates/s, ${mb(fields.bandwidth)}` +
      (fields.compressionRatio !== null ? `, ratio ${fields.compressionRatio}x` : '') +
      (fields.encodeMsP50 !== null ? `, encode p50 ${fields.encodeMsP50} ms p95 ${fields.encodeMsP95} ms` : '') +
      (fields.changedFraction !== null ? `, ${(fields.changedFraction * 100).toFixed(1)}% of the screen per update` : '');
    this.log.info(fields, text);
  }

  /** Stop following servers and all timers. */
  close(): void {
    for (const d of this.detachers.splice(0)) d();
    this.listeners.clear();
    if (this.timer) clearInterval(this.timer);
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    this.timer = this.summaryTimer = null;
    this.clients.clear();
  }
}
