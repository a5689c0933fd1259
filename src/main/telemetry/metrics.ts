import type { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { encodingName } from '../rfb/constants.js';
import type { InputMessage, Session, UpdateStats } from '../rfb/session.js';
import type { RfbServer } from '../rfb/server.js';
import { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './http.js';
import { PerformanceMonitor } from './monitor.js';
import { tapTiming, type CaptureTiming, type TimingSource } from './timing-tap.js';
import { REFUSAL_CATEGORIES, refusalCategory } from './refusal-category.js';

export { REFUSAL_CATEGORIES, refusalCategory, type RefusalCategory } from './refusal-category.js';

const INPUT_KINDS: Record<InputMessage['type'], string> = { key: 'key', pointer: 'pointer', qemuKey: 'qemu_key' };

/** Stage durations from 0.25 ms to 2.5 s. */
const SECONDS_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Update sizes from 64 B to 16 MiB, ×4 each. */
const SIZE_BUCKETS = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];

export interface PrometheusExporterOptions {
  /** Where the metrics live (default: a registry of its own; pass prom-client's `register` to share the global one). */
  registry?: Registry;
  /** At most this many clients get their own fps and bandwidth series (default 16); the rest count in the totals only. */
  maxClientSeries?: number;
  /** Also export Node.js process metrics (CPU, memory, event-loop lag, GC) (default true). */
  processMetrics?: boolean;
  /** Source of the per-client rates (default: a monitor of the exporter's own). */
  monitor?: PerformanceMonitor;
}

interface EncodingTotals {
  name: string;
  rects: number;
  pixels: number;
  bytes: number;
  rawBytes: number;
}

/** The flush event a server may emit once an update's bytes left for the network (send time in ms). */
type FlushEmitter = Pick<EventEmitter, 'on' | 'off'>;

/**
 * Observations kept in a flat array and handed to the histogram in one go at
 * scrape time (or when the array is full). prom-client's observe() costs
 * microseconds when called now and then from cold code; a batch of them in a
 * loop costs a fraction of that, and a number in an array costs nanoseconds.
 */
class DeferredObservations {
  private readonly values = new Float64Array(4096);
  private n = 0;

  constructor(private readonly histogram: () => Histogram) {}

  add(v: number): void {
    this.values[this.n++] = v;
    if (this.n === this.values.length) this.flush();
  }

  flush(): void {
    const h = this.histogram();
    for (let i = 0; i < this.n; i++) h.observe(this.values[i]!);
    this.n = 0;
  }
}

/**
 * TrayVNC's Prometheus metrics, kept in one prom-client registry. observe()
 * a server (and its capture loop); listen() serves /metrics and /healthz.
 *
 * Per-update work is a few additions into plain numbers and two numbers
 * stored in arrays: totals move into the counters, and observations into the
 * histograms, when the registry is scraped. Client ids appear only on the two
 * per-client gauges, at most `maxClientSeries` of them, present only while the
 * client is connected.
 */
export class PrometheusExporter {
  readonly registry: Registry;
  readonly maxClientSeries: number;
  readonly monitor: PerformanceMonitor;
  private readonly ownMonitor: boolean;
  private readonly servers = new Set<RfbServer>();
  private readonly detachers: Array<() => void> = [];
  private http: MetricsServer | null = null;

  private readonly encodings = new Map<number, EncodingTotals>();
  private readonly exported = new Map<number, EncodingTotals>();
  private updates = 0;
  private updatesExported = 0;
  private readonly inputCounts = new Map<string, { n: number; exported: number }>();
  /** Bytes of each session already counted in trayvnc_sent/received_bytes_total. */
  private readonly counted = new Map<Session, { sent: number; received: number }>();

  private readonly rectangles: Counter<'encoding'>;
  private readonly pixels: Counter<'encoding'>;
  private readonly rectBytes: Counter<'encoding'>;
  private readonly rawBytes: Counter<'encoding'>;
  private readonly updatesTotal: Counter;
  private readonly sentBytes: Counter;
  private readonly receivedBytes: Counter;
  private readonly accepted: Counter;
  private readonly refused: Counter<'reason'>;
  private readonly authFailures: Counter;
  private readonly inputs: Counter<'kind'>;
  private readonly clipboard: Counter;
  private readonly capture: DeferredObservations;
  private readonly detect: DeferredObservations;
  private readonly encode: DeferredObservations;
  private readonly send: DeferredObservations;
  private readonly size: DeferredObservations;

  constructor(opts: PrometheusExporterOptions = {}) {
    this.registry = opts.registry ?? new Registry();
    this.maxClientSeries = opts.maxClientSeries ?? 16;
    this.ownMonitor = opts.monitor === undefined;
    this.monitor = opts.monitor ?? new PerformanceMonitor({ summaryIntervalMs: 0 });
    const registers = [this.registry];
    // Per-encoding totals accumulate in plain numbers; scraping moves them into the counters.
    const flush = () => this.flushEncodings();
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers, collect: flush });

    this.rectangles = counter('trayvnc_rectangles_total', 'Pixel rectangles sent to clients, by encoding', ['encoding']);
    this.pixels = counter('trayvnc_rectangle_pixels_total', 'Pixels sent in rectangles, by encoding', ['encoding']);
    this.rectBytes = counter('trayvnc_rectangle_bytes_total', 'Bytes sent for rectangles (12-byte headers included), by encoding', ['encoding']);
    this.rawBytes = counter(
      'trayvnc_rectangle_raw_bytes_total',
      "Bytes the same rectangles would take in Raw at each client's pixel format, by encoding (compression ratio = raw / sent)",
      ['encoding'],
    );
    this.updatesTotal = counter('trayvnc_framebuffer_updates_total', 'FramebufferUpdate messages sent to clients');
    this.sentBytes = new Counter({
      name: 'trayvnc_sent_bytes_total',
      help: 'Bytes sent to clients (every message, handshakes included)',
      registers,
      collect: () => this.collectSocketBytes(),
    });
    this.receivedBytes = new Counter({
      name: 'trayvnc_received_bytes_total',
      help: 'Bytes received from clients',
      registers,
      collect: () => this.collectSocketBytes(),
    });
    this.accepted = new Counter({ name: 'trayvnc_connections_accepted_total', help: 'Clients that completed the handshake', registers });
    this.refused = new Counter({
      name: 'trayvnc_connections_refused_total',
      help: `Connections refused during the handshake, by reason (${REFUSAL_CATEGORIES.join(', ')})`,
      labelNames: ['reason'],
      registers,
    });
    for (const reason of REFUSAL_CATEGORIES) this.refused.inc({ reason }, 0);
    this.authFailures = new Counter({ name: 'trayvnc_auth_failures_total', help: 'Failed VNC authentications (wrong password)', registers });
    this.inputs = new Counter({
      name: 'trayvnc_input_events_total',
      help: 'Keyboard and pointer events from clients allowed to control the desktop, by kind',
      labelNames: ['kind'],
      registers,
      collect: () => this.flushInputs(),
    });
    for (const kind of Object.values(INPUT_KINDS)) this.inputCounts.set(kind, { n: 0, exported: 0 });
    this.flushInputs();
    this.clipboard = new Counter({ name: 'trayvnc_client_clipboard_texts_total', help: 'Clipboard texts received from clients', registers });

    const servers = this.servers;
    new Gauge({
      name: 'trayvnc_clients_connected',
      help: 'Clients connected now (past the handshake)',
      registers,
      collect() {
        let n = 0;
        for (const s of servers) n += s.clients.length;
        this.set(n);
      },
    });

    const histogram = (name: string, help: string, buckets: number[]): DeferredObservations => {
      const deferred: DeferredObservations = new DeferredObservations(() => h);
      const h: Histogram = new Histogram({ name, help, buckets, registers, collect: () => deferred.flush() });
      return deferred;
    };
    this.capture = histogram('trayvnc_capture_duration_seconds', 'Time to grab changed pixels from the desktop', SECONDS_BUCKETS);
    this.detect = histogram(
      'trayvnc_change_detection_duration_seconds',
      'Time to find changed and moved areas in a captured frame',
      SECONDS_BUCKETS,
    );
    this.encode = histogram(
      'trayvnc_encode_duration_seconds',
      'Time to build one framebuffer update (encoding all its rectangles)',
      SECONDS_BUCKETS,
    );
    this.send = histogram(
      'trayvnc_send_duration_seconds',
      'Time from writing an update to the socket until it was handed to the network',
      SECONDS_BUCKETS,
    );
    this.size = histogram('trayvnc_update_size_bytes', 'Size of framebuffer update messages', SIZE_BUCKETS);

    const monitor = this.monitor;
    const max = this.maxClientSeries;
    const perClient = (name: string, help: string, pick: (c: ReturnType<PerformanceMonitor['snapshot']>['clients'][number]) => number) =>
      new Gauge<'client' | 'address'>({
        name,
        help,
        labelNames: ['client', 'address'],
        registers,
        collect() {
          // Rebuilt on each scrape from the connected clients: a client that left has no series.
          this.reset();
          for (const c of monitor.snapshot().clients.slice(0, max)) this.set({ client: c.id, address: c.address }, pick(c));
        },
      });
    perClient('trayvnc_client_updates_per_second', `Framebuffer updates per second to each client (over the last ${monitor.windowMs / 1000} s; at most ${max} clients)`, (c) => c.fps);
    perClient('trayvnc_client_bandwidth_bytes_per_second', `Bytes per second to each client (over the last ${monitor.windowMs / 1000} s; at most ${max} clients)`, (c) => c.bandwidth);

    if (opts.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // prom-client names these gauges like counters; promtool rejects that, and the per-type gauges remain.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
        this.registry.removeSingleMetric(name);
      }
    }
  }

  /** Count a server's connections, updates and input (and a capture loop's timings); returns a function that stops. */
  observe(server: RfbServer, loop?: TimingSource): () => void {
    const onConnected = () => this.accepted.inc();
    const onDisconnected = (s: Session) => this.sessionGone(s);
    const onRefused = (_address: string, reason: string) => this.recordRefusal(reason);
    const onUpdate = (_s: Session, stats: UpdateStats) => this.recordUpdate(stats);
    const onInput = (_s: Session, m: InputMessage) => this.recordInput(m.type);
    const onClipboard = () => this.clipboard.inc();
    const onFlushed = (_s: Session, ms: number) => this.send.add(ms / 1000);
    server.on('connected', onConnected);
    server.on('disconnected', onDisconnected);
    server.on('refused', onRefused);
    server.on('update', onUpdate);
    server.on('input', onInput);
    server.on('clipboard', onClipboard);
    // Servers that report when an update's bytes left (send time) emit 'flushed'.
    const flushes = server as unknown as FlushEmitter;
    flushes.on('flushed', onFlushed);
    this.servers.add(server);
    const untap = loop ? tapTiming(loop, (t) => this.recordTiming(t)) : () => undefined;
    const unmonitor = this.ownMonitor ? this.monitor.observe(server) : () => undefined;
    const detach = () => {
      server.off('connected', onConnected);
      server.off('disconnected', onDisconnected);
      server.off('refused', onRefused);
      server.off('update', onUpdate);
      server.off('input', onInput);
      server.off('clipboard', onClipboard);
      flushes.off('flushed', onFlushed);
      this.servers.delete(server);
      untap();
      unmonitor();
    };
    this.detachers.push(detach);
    return detach;
  }

  /** One framebuffer update went out. */
  recordUpdate(stats: UpdateStats): void {
    this.updates++;
    for (const r of stats.rects) {
      let t = this.encodings.get(r.encoding);
      if (t === undefined) {
        t = { name: encodingName(r.encoding), rects: 0, pixels: 0, bytes: 0, rawBytes: 0 };
        this.encodings.set(r.encoding, t);
      }
      t.rects++;
      t.pixels += r.pixels;
      t.bytes += r.bytes;
      t.rawBytes += r.rawBytes;
    }
    this.encode.add(stats.encodeMs / 1000);
    this.size.add(stats.bytes);
  }

  /** One capture that found changes. */
  recordTiming(t: CaptureTiming): void {
    this.capture.add(t.captureMs / 1000);
    this.detect.add(t.detectMs / 1000);
  }

  /** An update's bytes took this long to leave (for servers that do not emit 'flushed'). */
  recordSend(ms: number): void {
    this.send.add(ms / 1000);
  }

  /** One input event from a client in control. */
  recordInput(type: InputMessage['type']): void {
    const kind = INPUT_KINDS[type] ?? 'other';
    let c = this.inputCounts.get(kind);
    if (c === undefined) {
      c = { n: 0, exported: 0 };
      this.inputCounts.set(kind, c);
    }
    c.n++;
  }

  /** A connection was refused during the handshake. */
  recordRefusal(reason: string): void {
    const category = refusalCategory(reason);
    this.refused.inc({ reason: category });
    if (category === 'auth_failed') this.authFailures.inc();
  }

  /** The metrics in Prometheus text format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Serve /metrics and /healthz (on 127.0.0.1:9100 unless told otherwise). */
  async listen(opts: MetricsServerOptions = {}): Promise<AddressInfo> {
    if (this.http) throw new Error('the metrics server is already listening');
    const servers = this.servers;
    this.http = await startMetricsServer(this.registry, {
      health: () => {
        let clients = 0;
        for (const s of servers) clients += s.clients.length;
        return { ok: true, clients };
      },
      ...opts,
    });
    return this.http.address;
  }

  /** The address /metrics is served on, if listening. */
  get address(): AddressInfo | null {
    return this.http?.address ?? null;
  }

  /** Stop serving and stop observing. */
  async close(): Promise<void> {
    for (const d of this.detachers.splice(0)) d();
    if (this.ownMonitor) this.monitor.close();
    const h = this.http;
    this.http = null;
    await h?.close();
  }

  private flushEncodings(): void {
    for (const [enc, t] of this.encodings) {
      let e = this.exported.get(enc);
      if (e === undefined) {
        e = { name: t.name, rects: 0, pixels: 0, bytes: 0, rawBytes: 0 };
        this.exported.set(enc, e);
      }
      const labels = { encoding: t.name };
      if (t.rects > e.rects) this.rectangles.inc(labels, t.rects - e.rects);
      if (t.pixels > e.pixels) this.pixels.inc(labels, t.pixels - e.pixels);
      if (t.bytes > e.bytes) this.rectBytes.inc(labels, t.bytes - e.bytes);
      if (t.rawBytes > e.rawBytes) this.rawBytes.inc(labels, t.rawBytes - e.rawBytes);
      e.rects = t.rects;
      e.pixels = t.pixels;
      e.bytes = t.bytes;
      e.rawBytes = t.rawBytes;
    }
    if (this.updates > this.updatesExported) this.updatesTotal.inc(this.updates - this.updatesExported);
    this.updatesExported = this.updates;
  }

  private flushInputs(): void {
    for (const [kind, c] of this.inputCounts) {
      this.inputs.inc({ kind }, c.n - c.exported);
      c.exported = c.n;
    }
  }

  private collectSocketBytes(): void {
    for (const server of this.servers) for (const s of server.clients) this.countBytes(s);
  }

  private countBytes(s: Session): void {
    let c = this.counted.get(s);
    if (c === undefined) {
      c = { sent: 0, received: 0 };
      if (!s.closed) this.counted.set(s, c);
    }
    if (s.bytesSent > c.sent) this.sentBytes.inc(s.bytesSent - c.sent);
    if (s.bytesReceived > c.received) this.receivedBytes.inc(s.bytesReceived - c.received);
    c.sent = s.bytesSent;
    c.received = s.bytesReceived;
  }

  private sessionGone(s: Session): void {
    this.countBytes(s);
    this.counted.delete(s);
  }
}
