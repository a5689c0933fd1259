import type { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import { RfbServer, type RfbServerOptions } from '../../../src/main/rfb/server.js';
import type { UpdateStats } from '../../../src/main/rfb/session.js';
import { PerformanceMonitor } from '../../../src/main/telemetry/monitor.js';
import { PrometheusExporter, refusalCategory } from '../../../src/main/telemetry/metrics.js';
import { BLACKLISTED_REASON, RATE_LIMITED_REASON } from '../../../src/main/rfb/admission/gatekeeper.js';
import { tapTiming, type TimingSource } from '../../../src/main/telemetry/timing-tap.js';
import { TestViewer } from '../../support/test-viewer.js';
import { WireSocket } from '../../support/wire-socket.js';
import { promtoolCheck, scrape, Scrape } from './prom.js';

const RAW = 0;

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function gradient(w: number, h: number): Frame {
  const f = createFrame(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) f.pixels[y * w + x] = (((x * 7) & 255) << 16) | (((y * 5) & 255) << 8) | ((x + y) & 255);
  return f;
}

async function startServer(opts: Partial<RfbServerOptions> = {}, frame = gradient(96, 64)): Promise<{ server: RfbServer; port: number }> {
  const server = new RfbServer({ password: null, alwaysShared: true, frameRate: 60, ...opts });
  server.setFrame(frame);
  const { port } = await server.listen(0, '127.0.0.1');
  cleanup.push(() => server.close());
  return { server, port };
}

async function startExporter(server: RfbServer | RfbServer[], opts: ConstructorParameters<typeof PrometheusExporter>[0] = {}) {
  const exporter = new PrometheusExporter(opts);
  for (const s of Array.isArray(server) ? server : [server]) exporter.observe(s);
  const { port } = await exporter.listen({ port: 0 });
  cleanup.push(() => exporter.close());
  return { exporter, port };
}

/** Scrape until `ok` holds (bounded): the server handles the client's bytes asynchronously. */
async function scrapeUntil(port: number, ok: (s: Scrape) => boolean, timeoutMs = 5000): Promise<Scrape> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await scrape(port);
    if (ok(s)) return s;
    if (Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Prometheus metrics from a real server and client', () => {
  it('counts updates, rectangles, pixels and bytes exactly as the client received them', async () => {
    const frame = gradient(96, 64);
    const { server, port } = await startServer({}, frame);
    const { port: mport } = await startExporter(server);
    const v = await TestViewer.connect(port);
    cleanup.push(() => v.close());
    v.setEncodings([RAW]);

    // What the client saw: per update, the rectangles (12-byte header + payload) and their raw size.
    let rects = 0;
    let rectBytes = 0;
    let rawBytes = 0;
    let pixels = 0;
    const updateSizes: number[] = [];
    const take = (list: Awaited<ReturnType<TestViewer['nextUpdate']>>) => {
      let size = 4;
      for (const r of list) {
        rects++;
        rectBytes += 12 + r.payload.length;
        rawBytes += r.w * r.h * v.bpp;
        pixels += r.w * r.h;
        size += 12 + r.payload.length;
      }
      updateSizes.push(size);
    };
    v.request(false);
    take(await v.nextUpdate());
    frame.pixels.fill(0xff0000, 10 * 96, 20 * 96);
    server.markChanged([{ x: 0, y: 10, w: 96, h: 10 }]);
    v.request(true);
    take(await v.nextUpdate());
    v.key(0x61, true);
    v.key(0x61, false);
    v.pointer(5, 5, 1);

    const s = await scrapeUntil(mport, (m) => m.sum('trayvnc_input_events_total') >= 3);
    expect(s.value('trayvnc_framebuffer_updates_total')).toBe(2);
    expect(s.value('trayvnc_rectangles_total', { encoding: 'Raw' })).toBe(rects);
    expect(s.value('trayvnc_rectangle_pixels_total', { encoding: 'Raw' })).toBe(pixels);
    expect(s.value('trayvnc_rectangle_bytes_total', { encoding: 'Raw' })).toBe(rectBytes);
    expect(s.value('trayvnc_rectangle_raw_bytes_total', { encoding: 'Raw' })).toBe(rawBytes);
    expect(s.sum('trayvnc_rectangle_bytes_total') / s.sum('trayvnc_rectangle_raw_bytes_total')).toBe(rectBytes / rawBytes);
    expect(s.value('trayvnc_update_size_bytes_count')).toBe(2);
    expect(s.value('trayvnc_update_size_bytes_sum')).toBe(updateSizes[0]! + updateSizes[1]!);
    expect(s.value('trayvnc_encode_duration_seconds_count')).toBe(2);
    expect(s.value('trayvnc_encode_duration_seconds_sum')).toBeGreaterThan(0);
    expect(s.value('trayvnc_input_events_total', { kind: 'key' })).toBe(2);
    expect(s.value('trayvnc_input_events_total', { kind: 'pointer' })).toBe(1);
    expect(s.value('trayvnc_clients_connected')).toBe(1);
    expect(s.value('trayvnc_connections_accepted_total')).toBe(1);
    // Every byte on the wire, handshake included, both ways.
    expect(s.value('trayvnc_sent_bytes_total')).toBe(v.sock.socket.bytesRead);
    expect(s.value('trayvnc_received_bytes_total')).toBe(v.sock.socket.bytesWritten);
    // One series per connected client, labelled with its short session id.
    const id = server.clients[0]!.id.slice(0, 8);
    expect(s.all('trayvnc_client_updates_per_second').map((x) => x.labels['client'])).toEqual([id]);
    expect(s.value('trayvnc_client_bandwidth_bytes_per_second', { client: id })).toBeGreaterThan(0);
    // No client ids on histograms or counters.
    for (const x of s.samples) if (!x.name.startsWith('trayvnc_client_')) expect(x.labels['client']).toBeUndefined();
    expect(promtoolCheck(s.text)).toEqual({ ok: true, output: '' });

    v.close();
    const after = await scrapeUntil(mport, (m) => m.value('trayvnc_clients_connected') === 0);
    expect(after.value('trayvnc_clients_connected')).toBe(0);
    expect(after.all('trayvnc_client_updates_per_second')).toEqual([]);
    expect(after.all('trayvnc_client_bandwidth_bytes_per_second')).toEqual([]);
    expect(after.value('trayvnc_sent_bytes_total')).toBe(v.sock.socket.bytesRead);
    expect(after.value('trayvnc_received_bytes_total')).toBe(v.sock.socket.bytesWritten);
  });

  it('counts refusals in a few categories and failed authentications', async () => {
    const { server: locked, port: lockedPort } = await startServer({ password: 'secret', securityTypes: ['vnc'], handshakeTimeoutMs: 300 });
    const { server: small, port: smallPort } = await startServer({ maxConnections: 1 });
    const { port: mport } = await startExporter([locked, small]);

    // Wrong password: answer the challenge with zeros.
    const bad = await WireSocket.connect(lockedPort);
    cleanup.push(() => bad.destroy());
    await bad.read(12);
    bad.write('RFB 003.008\n');
    expect([...(await bad.read(await bad.u8()))]).toEqual([2]);
    bad.write(Buffer.from([2]));
    await bad.read(16);
    bad.write(Buffer.alloc(16));
    expect(await bad.u32()).toBe(1);
    // A version we do not speak.
    const odd = await WireSocket.connect(lockedPort);
    cleanup.push(() => odd.destroy());
    await odd.read(12);
    odd.write('RFB 002.000\n');
    // Silence until the handshake timeout.
    const mute = await WireSocket.connect(lockedPort);
    cleanup.push(() => mute.destroy());
    // A port probe that reads the greeting and hangs up is not a refusal.
    const probe = await WireSocket.connect(lockedPort);
    await probe.read(12);
    probe.socket.end();
    // One client too many.
    const first = await TestViewer.connect(smallPort);
    cleanup.push(() => first.close());
    const second = await WireSocket.connect(smallPort);
    cleanup.push(() => second.destroy());
    await second.read(12);
    second.write('RFB 003.008\n');
    expect(await second.u8()).toBe(0);

    const s = await scrapeUntil(mport, (m) => m.sum('trayvnc_connections_refused_total') >= 4);
    expect(Object.fromEntries(s.byLabel('trayvnc_connections_refused_total', 'reason'))).toEqual({
      auth_failed: 1,
      blacklisted: 0,
      rate_limited: 0,
      too_many_pending: 0,
      too_many_connections: 1,
      handshake_timeout: 1,
      protocol_error: 1,
      connection_error: 0,
      other: 0,
    });
    expect(s.value('trayvnc_auth_failures_total')).toBe(1);
    expect(s.value('trayvnc_connections_accepted_total')).toBe(1);
    expect(s.value('trayvnc_clients_connected')).toBe(1);
    expect(promtoolCheck(s.text).ok).toBe(true);
  });

  it('keeps at most maxClientSeries per-client series and drops them on disconnect', async () => {
    const { server, port } = await startServer();
    const { port: mport } = await startExporter(server, { maxClientSeries: 2, processMetrics: false });
    const viewers = await Promise.all([0, 1, 2].map(() => TestViewer.connect(port)));
    for (const v of viewers) cleanup.push(() => v.close());
    const s = await scrapeUntil(mport, (m) => m.value('trayvnc_clients_connected') === 3);
    expect(s.value('trayvnc_clients_connected')).toBe(3);
    expect(s.all('trayvnc_client_updates_per_second')).toHaveLength(2);
    expect(s.all('trayvnc_client_bandwidth_bytes_per_second')).toHaveLength(2);
    for (const v of viewers) v.close();
    const gone = await scrapeUntil(mport, (m) => m.value('trayvnc_clients_connected') === 0);
    expect(gone.all('trayvnc_client_updates_per_second')).toHaveLength(0);
  });

  it('serves /healthz, refuses other paths and methods, and binds to loopback by default', async () => {
    const { server } = await startServer();
    const exporter = new PrometheusExporter({ processMetrics: false });
    exporter.observe(server);
    const addr = await exporter.listen({ port: 0 });
    cleanup.push(() => exporter.close());
    expect(addr.address).toBe('127.0.0.1');
    const base = `http://127.0.0.1:${addr.port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', clients: 0 });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/metrics?x=1`)).status).toBe(200);
    await expect(exporter.listen({ port: 0 })).rejects.toThrow(/already listening/);
  });

  it('observes capture timings through the loop hook and send times from flushed events', async () => {
    const { server } = await startServer();
    const exporter = new PrometheusExporter({ processMetrics: false });
    const earlier: number[] = [];
    const loop: TimingSource = { onTiming: (t) => earlier.push(t.captureMs) };
    const detach = exporter.observe(server, loop);
    cleanup.push(() => exporter.close());
    loop.onTiming!({ captureMs: 4, detectMs: 1, changedRects: 3, copies: 0 });
    loop.onTiming!({ captureMs: 2, detectMs: 0.5, changedRects: 1, copies: 1 });
    (server as unknown as EventEmitter).emit('flushed', null, 3);
    const s = new Scrape(await exporter.metrics());
    expect(earlier).toEqual([4, 2]); // the hook that was there keeps working
    expect(s.value('trayvnc_capture_duration_seconds_count')).toBe(2);
    expect(s.value('trayvnc_capture_duration_seconds_sum')).toBeCloseTo(0.006, 9);
    expect(s.value('trayvnc_change_detection_duration_seconds_sum')).toBeCloseTo(0.0015, 9);
    expect(s.value('trayvnc_send_duration_seconds_count')).toBe(1);
    detach();
    loop.onTiming!({ captureMs: 1, detectMs: 1, changedRects: 1, copies: 0 });
    const s2 = new Scrape(await exporter.metrics());
    expect(s2.value('trayvnc_capture_duration_seconds_count')).toBe(2);
    expect(earlier).toEqual([4, 2, 1]);
  });

  it('removes one timing listener without disturbing the others', () => {
    const loop: TimingSource = {};
    const a: number[] = [];
    const b: number[] = [];
    const offA = tapTiming(loop, (t) => a.push(t.captureMs));
    tapTiming(loop, (t) => b.push(t.captureMs));
    loop.onTiming!({ captureMs: 1, detectMs: 0, changedRects: 0, copies: 0 });
    offA();
    loop.onTiming!({ captureMs: 2, detectMs: 0, changedRects: 0, copies: 0 });
    expect(a).toEqual([1]);
    expect(b).toEqual([1, 2]);
  });

  it('maps refusal reasons to a bounded set of categories', () => {
    expect(refusalCategory('authentication failed')).toBe('auth_failed');
    expect(refusalCategory('too many connections (max_connections is 10)')).toBe('too_many_connections');
    expect(refusalCategory(BLACKLISTED_REASON)).toBe('blacklisted');
    expect(refusalCategory(RATE_LIMITED_REASON)).toBe('rate_limited');
    expect(refusalCategory('too many connections from 10.0.0.9 still in their handshake')).toBe('too_many_pending');
    expect(refusalCategory('handshake not completed within 10000 ms')).toBe('handshake_timeout');
    expect(refusalCategory('unsupported protocol version "RFB 009.009\\n"')).toBe('protocol_error');
    expect(refusalCategory('client chose security type 5, which was not offered')).toBe('protocol_error');
    expect(refusalCategory('socket error: read ECONNRESET')).toBe('connection_error');
    expect(refusalCategory('server shutting down')).toBe('other');
  });

  it('costs little per update (figures printed for the record), and loses nothing', async () => {
    const exporter = new PrometheusExporter({ processMetrics: false });
    const monitor = new PerformanceMonitor({ summaryIntervalMs: 0 });
    const client = { id: '0123456789abcdef', address: '127.0.0.1:1', connectedAt: new Date() };
    const stats: UpdateStats = {
      rects: [
        { encoding: 16, pixels: 4096, bytes: 900, rawBytes: 16384 },
        { encoding: 16, pixels: 4096, bytes: 700, rawBytes: 16384 },
        { encoding: 1, pixels: 2048, bytes: 16, rawBytes: 8192 },
        { encoding: 5, pixels: 512, bytes: 300, rawBytes: 2048 },
      ],
      bytes: 1920,
      encodeMs: 0.8,
    };
    const n = 200_000;
    const time = (f: () => void) => {
      for (let i = 0; i < 10_000; i++) f();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f();
      return Number(process.hrtime.bigint() - t0) / n;
    };
    const exporterNs = time(() => exporter.recordUpdate(stats));
    const monitorNs = time(() => monitor.record(client, stats, 1920 * 1080));
    process.stdout.write(`metrics overhead per update (4 rectangles): exporter ${exporterNs.toFixed(0)} ns, monitor ${monitorNs.toFixed(0)} ns\n`);
    // Generous bounds for a loaded CI machine; typical figures are well under a microsecond.
    expect(exporterNs).toBeLessThan(20_000);
    expect(monitorNs).toBeLessThan(20_000);
    monitor.close();
    // Nothing was lost on the way: the deferred observations reached the histograms.
    const s = new Scrape(await exporter.metrics());
    expect(s.value('trayvnc_framebuffer_updates_total')).toBe(n + 10_000);
    expect(s.value('trayvnc_encode_duration_seconds_count')).toBe(n + 10_000);
    expect(s.value('trayvnc_encode_duration_seconds_sum')).toBeCloseTo((n + 10_000) * 0.0008, 6);
    expect(s.value('trayvnc_update_size_bytes_bucket', { le: '1024' })).toBe(0);
    expect(s.value('trayvnc_update_size_bytes_bucket', { le: '4096' })).toBe(n + 10_000);
    expect(s.value('trayvnc_rectangles_total', { encoding: 'ZRLE' })).toBe(2 * (n + 10_000));
    await exporter.close();
  });
});
