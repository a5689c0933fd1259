import type { AddressInfo } from 'node:net';
import type { RfbServer } from '../rfb/server.js';
import type { MetricsServerOptions } from './http.js';
import { PrometheusExporter, type PrometheusExporterOptions } from './metrics.js';
import { PerformanceMonitor, type PerformanceMonitorOptions } from './monitor.js';
import type { TimingSource } from './timing-tap.js';

export interface TelemetryOptions {
  server: RfbServer;
  /** The capture loop, for capture and change-detection times. */
  loop?: TimingSource;
  /** Prometheus metrics: false (default) for none, true or exporter options to keep them. */
  metrics?: boolean | PrometheusExporterOptions;
  /** Options of the performance monitor (rolling window, summary interval). */
  monitor?: PerformanceMonitorOptions;
}

/**
 * Everything observability needs from one server, wired in one line: the
 * performance monitor (always; it costs a sample per update) and, when asked
 * for, the Prometheus exporter sharing that monitor's per-client rates.
 */
export class Telemetry {
  readonly monitor: PerformanceMonitor;
  readonly exporter: PrometheusExporter | null;

  constructor(opts: TelemetryOptions) {
    this.monitor = new PerformanceMonitor(opts.monitor);
    this.monitor.observe(opts.server, opts.loop);
    if (opts.metrics) {
      const exporterOptions = opts.metrics === true ? {} : opts.metrics;
      this.exporter = new PrometheusExporter({ ...exporterOptions, monitor: this.monitor });
      this.exporter.observe(opts.server, opts.loop);
    } else {
      this.exporter = null;
    }
  }

  /** Serve /metrics and /healthz (127.0.0.1:9100 by default); needs `metrics` on. */
  async serveMetrics(opts: MetricsServerOptions = {}): Promise<AddressInfo> {
    if (!this.exporter) throw new Error('metrics are off (create Telemetry with metrics: true)');
    return this.exporter.listen(opts);
  }

  async close(): Promise<void> {
    this.monitor.close();
    await this.exporter?.close();
  }
}
