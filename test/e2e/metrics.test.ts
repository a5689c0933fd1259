import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VncService } from '../../src/main/app/vnc-service.js';
import { Encoding, encodingName } from '../../src/main/rfb/constants.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { NoVncViewer } from '../support/novnc-viewer.js';
import { promtoolCheck, scrape, type Scrape } from '../main/telemetry/prom.js';

/**
 * The service sharing a real X desktop (Xvfb) that keeps changing, a viewer that decodes ZRLE and
 * the rest with noVNC's decoders and counts every byte it gets, and /metrics
 * scraped over HTTP: the figures must be valid Prometheus text and equal what
 * the viewer received.
 */
let desk: DesktopServer;
let service: VncService;
let viewer: NoVncViewer;
let metrics: Scrape;

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (viewer?.error) throw viewer.error;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  desk = await startDesktopServer({ width: 480, height: 320, seed: 21, frameRate: 20, config: { enable_metrics: true, metrics_port: 0 } });
  service = desk.service;
  const port = service.listening!.port;
  const metricsPort = service.metricsListening!.port;
  viewer = await NoVncViewer.connect({ port, encodings: [Encoding.ZRLE, Encoding.Hextile, Encoding.Zlib, Encoding.RRE, Encoding.CopyRect, Encoding.Raw] });
  // Keep the desktop changing (an X client drawing) until the viewer has had 30 updates.
  let n = 0;
  const painting = setInterval(() => {
    n++;
    void desk.painter.paintRect({ x: (n * 37) % 400, y: (n * 23) % 250, w: 64, h: 48 }, n + 2);
  }, 40);
  try {
    await until(() => viewer.updates >= 30, 15_000, '30 updates');
  } finally {
    clearInterval(painting);
  }
  // Stop asking, let the last answer arrive, then read the metrics of a quiet connection.
  viewer.paused = true;
  // One more change answers the request still outstanding.
  await desk.painter.paintRect({ x: 0, y: 0, w: 32, h: 32 }, 99);
  await until(() => viewer.idle, 5000, 'the last update');
  await new Promise((r) => setTimeout(r, 200));
  metrics = await scrape(metricsPort);
});

afterAll(async () => {
  viewer?.close();
  await desk?.stop();
});

describe('metrics end to end', () => {
  it('is valid Prometheus text (promtool check metrics)', () => {
    expect(promtoolCheck(metrics.text)).toEqual({ ok: true, output: '' });
    // Process metrics come along.
    expect(metrics.all('process_cpu_user_seconds_total')).toHaveLength(1);
    expect(metrics.all('nodejs_eventloop_lag_seconds')).toHaveLength(1);
  });

  it('counts rectangles, pixels, bytes and raw bytes per encoding exactly as the viewer received them', () => {
    expect(viewer.tally.size).toBeGreaterThan(0);
    expect(viewer.tally.has(Encoding.Raw) && viewer.tally.size === 1).toBe(false); // it compressed
    for (const [enc, t] of viewer.tally) {
      const encoding = encodingName(enc);
      expect(metrics.value('trayvnc_rectangles_total', { encoding }), encoding).toBe(t.rects);
      expect(metrics.value('trayvnc_rectangle_pixels_total', { encoding }), encoding).toBe(t.pixels);
      expect(metrics.value('trayvnc_rectangle_bytes_total', { encoding }), encoding).toBe(t.bytes);
      expect(metrics.value('trayvnc_rectangle_raw_bytes_total', { encoding }), encoding).toBe(t.rawBytes);
    }
    expect(metrics.all('trayvnc_rectangles_total')).toHaveLength(viewer.tally.size);
    let bytes = 0;
    let raw = 0;
    for (const t of viewer.tally.values()) {
      bytes += t.bytes;
      raw += t.rawBytes;
    }
    const ratio = metrics.sum('trayvnc_rectangle_bytes_total') / metrics.sum('trayvnc_rectangle_raw_bytes_total');
    expect(ratio).toBe(bytes / raw);
    expect(ratio).toBeLessThan(0.5);
    process.stdout.write(
      `e2e: ${viewer.updates} updates, ${[...viewer.tally].map(([e, t]) => `${encodingName(e)} ${t.rects} rects ${t.bytes}/${t.rawBytes} B`).join(', ')}\n`,
    );
  });

  it('counts updates and their sizes, and every byte both ways', () => {
    expect(metrics.value('trayvnc_framebuffer_updates_total')).toBe(viewer.updates);
    expect(metrics.value('trayvnc_update_size_bytes_count')).toBe(viewer.updates);
    expect(metrics.value('trayvnc_update_size_bytes_sum')).toBe(viewer.updateBytes);
    expect(metrics.value('trayvnc_sent_bytes_total')).toBe(viewer.conn.socket.bytesRead);
    expect(metrics.value('trayvnc_received_bytes_total')).toBe(viewer.conn.socket.bytesWritten);
    expect(metrics.value('trayvnc_clients_connected')).toBe(1);
    expect(metrics.value('trayvnc_connections_accepted_total')).toBe(1);
  });

  it('fills the capture, change-detection, encode (and send) histograms', () => {
    for (const name of ['trayvnc_capture_duration_seconds', 'trayvnc_change_detection_duration_seconds', 'trayvnc_encode_duration_seconds']) {
      expect(metrics.value(`${name}_count`), name).toBeGreaterThan(0);
      expect(metrics.value(`${name}_sum`), name).toBeGreaterThan(0);
      expect(metrics.value(`${name}_bucket`, { le: '+Inf' }), name).toBe(metrics.value(`${name}_count`));
    }
    expect(metrics.value('trayvnc_encode_duration_seconds_count')).toBe(viewer.updates);
    expect(metrics.value('trayvnc_send_duration_seconds_count')).toBe(viewer.updates);
  });

  it('has per-client rates for the connected viewer and none on the histograms', () => {
    const id = service.server.clients[0]!.id.slice(0, 8);
    expect(metrics.value('trayvnc_client_updates_per_second', { client: id })).toBeGreaterThan(0);
    expect(metrics.value('trayvnc_client_bandwidth_bytes_per_second', { client: id })).toBeGreaterThan(0);
    for (const s of metrics.samples) if (!s.name.startsWith('trayvnc_client_')) expect(s.labels['client']).toBeUndefined();
  });

  it('the performance monitor sees the same client, compressing, and the capture loop running', () => {
    const snap = service.telemetry.monitor.snapshot();
    expect(snap.clients).toHaveLength(1);
    expect(snap.clients[0]!.id).toBe(service.server.clients[0]!.id.slice(0, 8));
    expect(snap.clients[0]!.compressionRatio!).toBeGreaterThan(2);
    expect(snap.overall.captureFps).toBeGreaterThan(0);
    expect(snap.overall.captureMsP50).not.toBeNull();
  });
});
