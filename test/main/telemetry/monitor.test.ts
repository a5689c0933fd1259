import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import { configureLogging, LogContext } from '../../../src/main/base/logger.js';
import { captureLogs } from '../../support/log-capture.js';
import { PerformanceMonitor, type PerfSnapshot } from '../../../src/main/telemetry/monitor.js';
import { RawViewer } from '../../support/raw-viewer.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  configureLogging({ level: 'silent' });
});

async function animatedDesktop(): Promise<{ service: VncService; port: number }> {
  const service = await VncService.create(
    parseConfig({ source: 'synthetic', width: 320, height: 200, port: 0, host: '127.0.0.1', frame_rate: 20 }),
  );
  const { port } = await service.start();
  cleanup.push(() => service.stop());
  return { service, port };
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('performance monitor', () => {
  it('delivers about one snapshot a second with plausible figures while a client watches, and stops when unsubscribed', async () => {
    const { service, port } = await animatedDesktop();
    const monitor = new PerformanceMonitor({ summaryIntervalMs: 0 });
    monitor.observe(service.server);
    cleanup.push(() => monitor.close());
    expect(monitor.subscribed).toBe(false);

    const viewer = await RawViewer.connect(port);
    cleanup.push(() => viewer.close());
    await viewer.waitForMore(3, 5000);

    const got: Array<{ at: number; snap: PerfSnapshot }> = [];
    const unsubscribe = monitor.subscribe((snap) => got.push({ at: performance.now(), snap }));
    expect(monitor.subscribed).toBe(true);
    const t0 = performance.now();
    await until(() => got.length >= 4, 8000, 'four snapshots');
    unsubscribe();
    expect(monitor.subscribed).toBe(false);

    // About one a second.
    const gaps = got.map((g, i) => g.at - (i === 0 ? t0 : got[i - 1]!.at));
    for (const gap of gaps) expect(gap).toBeGreaterThan(700), expect(gap).toBeLessThan(1600);

    const last = got[got.length - 1]!.snap;
    expect(last.clients).toHaveLength(1);
    const c = last.clients[0]!;
    expect(c.id).toBe(service.server.clients[0]!.id.slice(0, 8));
    expect(c.address).toMatch(/^127\.0\.0\.1:\d+$/);
    // The synthetic desktop moves 20 times a second and the server sends at most 20 updates a second.
    expect(c.fps).toBeGreaterThan(8);
    expect(c.fps).toBeLessThanOrEqual(22);
    expect(c.bandwidth).toBeGreaterThan(1000);
    // Raw: the rectangles are their raw size plus a 12-byte header each.
    expect(c.compressionRatio).toBeGreaterThan(0.95);
    expect(c.compressionRatio).toBeLessThanOrEqual(1);
    expect(c.encodeMsP50).not.toBeNull();
    expect(c.encodeMsP95!).toBeGreaterThanOrEqual(c.encodeMsP50!);
    // The bouncing box and the counter strip: a small part of the screen per update.
    expect(c.changedFraction!).toBeGreaterThan(0);
    expect(c.changedFraction!).toBeLessThan(0.5);
    expect(last.overall.clients).toBe(1);
    // With one client the overall figures count the same updates (its rate may be lower: the server's
    // window started before the client connected, so the same updates spread over a longer span).
    expect(last.overall.updates).toBe(c.updates);
    expect(last.overall.fps).toBeLessThanOrEqual(c.fps);
    expect(last.overall.fps).toBeGreaterThan(c.fps * 0.5);

    // Nothing more arrives once the last listener left.
    const count = got.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(got.length).toBe(count);
  });

  it('runs the timer only while someone listens, for any number of listeners, and as an async iterator', async () => {
    const monitor = new PerformanceMonitor({ intervalMs: 50 });
    cleanup.push(() => monitor.close());
    const a: PerfSnapshot[] = [];
    const offA = monitor.subscribe((s) => a.push(s));
    const offB = monitor.subscribe(() => undefined);
    offA();
    expect(monitor.subscribed).toBe(true);
    offB();
    expect(monitor.subscribed).toBe(false);
    offB(); // twice is harmless

    const seen: PerfSnapshot[] = [];
    for await (const s of monitor.stream()) {
      seen.push(s);
      if (seen.length === 2) break;
    }
    expect(seen[0]!.overall).toMatchObject({ clients: 0, fps: 0, updates: 0, compressionRatio: null });
    expect(monitor.subscribed).toBe(false);
  });

  it('logs a summary line periodically while clients are connected, and stops when they leave', async () => {
    const lines: Array<Record<string, unknown>> = [];
    configureLogging({
      level: 'info',
      format: 'json',
      destination: new Writable({
        write(chunk: Buffer, _enc, cb) {
          for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
          cb();
        },
      }),
    });
    const { service, port } = await animatedDesktop();
    const monitor = new PerformanceMonitor({ summaryIntervalMs: 300 });
    monitor.observe(service.server);
    cleanup.push(() => monitor.close());
    expect(monitor.summarising).toBe(false);
    const viewer = await RawViewer.connect(port);
    cleanup.push(() => viewer.close());
    const summaries = () => lines.filter((l) => l['module'] === 'perf');
    await until(() => summaries().length >= 2, 5000, 'two summary lines');
    const s = summaries()[1]!;
    expect(s['msg']).toMatch(/^performance: 1 client, [\d.]+ updates\/s, [\d.]+ [kM]B\/s, ratio [\d.]+x, encode p50 [\d.]+ ms p95 [\d.]+ ms, [\d.]+% of the screen per update$/);
    expect(s).toMatchObject({ level: 30, clients: 1 });
    // About every client: it carries none's session tag (the timer started while one was connecting).
    expect(s).not.toHaveProperty('session');
    expect(s).not.toHaveProperty('client');
    expect(s['fps'] as number).toBeGreaterThan(5);
    viewer.close();
    await until(() => !monitor.summarising, 3000, 'the summary timer to stop');
    const n = summaries().length;
    await new Promise((r) => setTimeout(r, 700));
    expect(summaries().length).toBe(n);
  });

  it('writes the summary outside any client’s log context, wherever it is called from', () => {
    const lines = captureLogs();
    const monitor = new PerformanceMonitor({ summaryIntervalMs: 0 });
    cleanup.push(() => monitor.close());
    LogContext.run({ session: '1a2b3c4d', client: '10.0.0.7:51234' }, () => monitor.logSummary());
    const summary = lines.find((l) => l['module'] === 'perf');
    expect(summary?.['msg']).toMatch(/^performance: 0 clients/);
    expect(summary).not.toHaveProperty('session');
    expect(summary).not.toHaveProperty('client');
  });
});
