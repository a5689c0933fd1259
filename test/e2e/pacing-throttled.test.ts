/**
 * Pacing over a slow link, end to end: the real server on loopback, a
 * noVNC-like viewer with continuous updates and fences (noVNC's decoders),
 * and between them a proxy that carries the server's bytes at 200 KB/s. The
 * screen changes all the time (a photo-like area repainted 30 times a
 * second, beyond what the link can carry) and a marker tile shows which
 * change the viewer is looking at, so the lag — from a change to its
 * arrival — is measured on the wire.
 *
 * Paced, the lag stays under a second or so and the JPEG quality steps down;
 * unpaced (the same server with pacing off) megabytes wait in the sockets
 * and the lag grows by seconds. On an unthrottled link pacing must not cost
 * updates. No assertion depends on the machine being fast: the bounds are
 * seconds against tens of milliseconds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Encoding } from '../../src/main/rfb/constants.js';
import { RfbServer } from '../../src/main/rfb/server.js';
import { createFrame, type Frame } from '../../src/main/framebuffer/frame.js';
import { ContinuousViewer } from '../support/continuous-viewer.js';
import { photoFrame } from '../support/photo-frame.js';
import { ThrottleProxy } from '../support/throttle-proxy.js';
import { waitFor } from '../support/wait.js';

const W = 640;
const H = 480;
const PHOTO_Y = 128;
const MARKER = { x: 0, y: 0, w: 64, h: 64 };
const QUALITY_8 = -32 + 8;
const LINK_RATE = 200_000;

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Marker colours: the change's number in red and green, a fixed blue to tell it from anything else. */
const MARKER_BLUE = 0x5a;
const markerColour = (n: number): number => (((n >> 8) & 0xff) << 16) | ((n & 0xff) << 8) | MARKER_BLUE;
const markerNumber = (rgb: number): number | null => ((rgb & 0xff) === MARKER_BLUE ? ((rgb >> 16) << 8) | ((rgb >> 8) & 0xff) : null);

/** A desktop whose photo area and marker change 30 times a second, with the time of each change. */
function changingDesktop(server: RfbServer, frame: Frame): { drawnAt: Map<number, number>; stop(): void } {
  const photos = [1, 2, 3, 4].map((seed) => photoFrame(W, H - PHOTO_Y, seed));
  const drawnAt = new Map<number, number>();
  let n = 0;
  const timer = setInterval(() => {
    n++;
    const photo = photos[n % photos.length]!;
    frame.pixels.set(photo.pixels.subarray(0, photo.stride * photo.height), PHOTO_Y * frame.stride);
    for (let y = MARKER.y; y < MARKER.y + MARKER.h; y++) frame.pixels.fill(markerColour(n), y * frame.stride + MARKER.x, y * frame.stride + MARKER.x + MARKER.w);
    drawnAt.set(n, performance.now());
    server.applyChanges([], [MARKER, { x: 0, y: PHOTO_Y, w: W, h: H - PHOTO_Y }]);
  }, 33);
  return { drawnAt, stop: () => clearInterval(timer) };
}

interface RunResult {
  /** Lag of each newly seen change after the warm-up, in ms. */
  lags: number[];
  /** Updates the viewer received per second after the warm-up. */
  updateRate: number;
  /** Bytes the server had written that the viewer had not yet received, sampled every 100 ms after the warm-up. */
  queued: number[];
  jpegQuality: { asked: number; used: number } | null;
  minUsedQuality: number | null;
  fencesAnswered: number;
}

async function run(o: { pacing: boolean; throttle: boolean; seconds: number; warmupSeconds: number }): Promise<RunResult> {
  const server = new RfbServer({ password: null, frameRate: 30, pacing: o.pacing });
  cleanup.push(() => server.close());
  const frame = createFrame(W, H);
  frame.pixels.fill(0x404040);
  server.setFrame(frame);
  const { port } = await server.listen(0, '127.0.0.1');
  let viewerPort = port;
  if (o.throttle) {
    const proxy = await ThrottleProxy.start(port, LINK_RATE);
    cleanup.push(() => proxy.close());
    viewerPort = proxy.port;
  }
  const viewer = await ContinuousViewer.connect(viewerPort, [Encoding.Tight, Encoding.ZRLE, QUALITY_8]);
  cleanup.push(() => viewer.close());
  await waitFor('continuous updates', () => viewer.continuous && viewer.updates > 0, 10_000);
  const session = server.clients[0]!;
  const desktop = changingDesktop(server, frame);
  cleanup.push(() => desktop.stop());

  const start = performance.now();
  const measureFrom = start + o.warmupSeconds * 1000;
  const end = start + o.seconds * 1000;
  const lags: number[] = [];
  let lastSeen = 0;
  let updatesAtMeasure = 0;
  let minUsed: number | null = null;
  viewer.onUpdate = (v) => {
    const n = markerNumber(v.pixel(MARKER.x + 32, MARKER.y + 32));
    if (n === null || n <= lastSeen) return;
    lastSeen = n;
    const now = performance.now();
    if (now >= measureFrom) lags.push(now - desktop.drawnAt.get(n)!);
  };
  const queued: number[] = [];
  // Bounded: one sample every 100 ms until the end.
  for (let i = 0; i < o.seconds * 10 + 10 && performance.now() < end; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (viewer.error) throw viewer.error;
    const used = session.pacing?.jpegQuality?.used;
    if (used !== undefined) minUsed = minUsed === null ? used : Math.min(minUsed, used);
    if (performance.now() >= measureFrom) {
      if (updatesAtMeasure === 0) updatesAtMeasure = viewer.updates;
      queued.push(session.bytesSent - viewer.bytes);
    }
  }
  const measuredSeconds = (performance.now() - measureFrom) / 1000;
  const q = session.pacing?.jpegQuality ?? null;
  desktop.stop();
  return {
    lags,
    updateRate: (viewer.updates - updatesAtMeasure) / measuredSeconds,
    queued,
    jpegQuality: q && { asked: q.asked, used: q.used },
    minUsedQuality: minUsed,
    fencesAnswered: viewer.fencesAnswered,
  };
}

const max = (a: number[]): number => a.reduce((m, v) => Math.max(m, v), 0);
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? NaN;

describe('pacing a viewer with continuous updates and fences', () => {
  it('keeps the lag on a 200 KB/s link under a second or two and lowers the JPEG quality, where unpaced it grows by seconds', async () => {
    const paced = await run({ pacing: true, throttle: true, seconds: 10, warmupSeconds: 4 });
    const unpaced = await run({ pacing: false, throttle: true, seconds: 10, warmupSeconds: 4 });
    const figures = (r: RunResult) =>
      `lag median ${median(r.lags).toFixed(0)} ms, max ${max(r.lags).toFixed(0)} ms over ${r.lags.length} changes; ` +
      `queued median ${(median(r.queued) / 1024).toFixed(0)} KiB, max ${(max(r.queued) / 1024).toFixed(0)} KiB; ${r.updateRate.toFixed(1)} updates/s; quality ${JSON.stringify(r.jpegQuality)}, lowest ${r.minUsedQuality}`;
    console.log(`throttled, paced:   ${figures(paced)}`);
    console.log(`throttled, unpaced: ${figures(unpaced)}`);

    expect(paced.lags.length).toBeGreaterThan(5); // changes kept arriving
    expect(max(paced.lags)).toBeLessThan(2000);
    expect(median(paced.lags)).toBeLessThan(1200);
    expect(max(paced.queued)).toBeLessThan(512 * 1024);
    expect(paced.fencesAnswered).toBeGreaterThan(10);
    // The viewer asked for quality 8; the link cannot carry it, so it went down, but not below the floor (3).
    expect(paced.jpegQuality?.asked).toBe(8);
    expect(paced.minUsedQuality).toBeLessThan(8);
    expect(paced.minUsedQuality).toBeGreaterThanOrEqual(3);

    // The same link unpaced: megabytes wait in the sockets and the lag is seconds.
    expect(unpaced.jpegQuality).toBeNull();
    expect(max(unpaced.lags)).toBeGreaterThan(2000);
    expect(max(unpaced.queued)).toBeGreaterThan(1024 * 1024);
  }, 60_000);

  it('costs no updates on an unthrottled link and keeps the quality asked for', async () => {
    const paced = await run({ pacing: true, throttle: false, seconds: 5, warmupSeconds: 1 });
    const unpaced = await run({ pacing: false, throttle: false, seconds: 5, warmupSeconds: 1 });
    console.log(`unthrottled: paced ${paced.updateRate.toFixed(1)} updates/s (lag median ${median(paced.lags).toFixed(0)} ms), unpaced ${unpaced.updateRate.toFixed(1)} updates/s (lag median ${median(unpaced.lags).toFixed(0)} ms)`);
    expect(paced.updateRate).toBeGreaterThan(unpaced.updateRate * 0.7);
    expect(paced.updateRate).toBeGreaterThan(5);
    expect(paced.jpegQuality).toEqual({ asked: 8, used: 8 });
    expect(paced.minUsedQuality).toBe(8);
  }, 60_000);
});
