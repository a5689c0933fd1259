import { describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../src/shared/control-contract.js';
import { MetricsHistory } from '../../src/renderer/metrics/metrics-history.js';
import { metricsSeries } from '../../src/renderer/metrics/metrics-series.js';
import { RingBuffer } from '../../src/renderer/metrics/ring-buffer.js';

function snapshot(at: number, fps = 30): MetricsSnapshot {
  return {
    at,
    windowMs: 5000,
    overall: {
      fps,
      bandwidth: 1000,
      compressionRatio: 10,
      encodeMsP50: 1,
      encodeMsP95: 2,
      changedFraction: 0.1,
      updates: 10,
      clients: 1,
      captureFps: 30,
      captureMsP50: 1,
      captureMsP95: 2,
      detectMsP50: null,
      detectMsP95: null,
    },
    clients: [],
  };
}

describe('RingBuffer', () => {
  it('keeps the newest items, oldest first', () => {
    const r = new RingBuffer<number>(3);
    expect(r.toArray()).toEqual([]);
    expect(r.last()).toBeUndefined();
    for (const n of [1, 2]) r.push(n);
    expect(r.toArray()).toEqual([1, 2]);
    for (const n of [3, 4, 5]) r.push(n);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.length).toBe(3);
    expect(r.last()).toBe(5);
    r.clear();
    expect(r.length).toBe(0);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('MetricsHistory', () => {
  it('is bounded to 300 samples and notifies listeners', () => {
    const h = new MetricsHistory();
    let calls = 0;
    const off = h.subscribe(() => calls++);
    for (let i = 0; i < 310; i++) h.add(snapshot(1000 * (i + 1)));
    expect(h.samples()).toHaveLength(300);
    expect(h.samples()[0]?.at).toBe(11_000);
    expect(h.latest()?.at).toBe(310_000);
    expect(calls).toBe(310);
    off();
    h.add(snapshot(311_000));
    expect(calls).toBe(310);
  });

  it('ignores a snapshot it already has (repeated after a reconnect)', () => {
    const h = new MetricsHistory();
    h.add(snapshot(5000));
    h.add(snapshot(5000));
    h.add(snapshot(4000));
    expect(h.samples()).toHaveLength(1);
  });
});

describe('metricsSeries', () => {
  it('turns snapshots into columns with time in seconds', () => {
    const s = metricsSeries([snapshot(1000, 29.5), snapshot(2000, 30)]);
    expect(s.time).toEqual([1, 2]);
    expect(s.fps).toEqual([29.5, 30]);
    expect(s.captureFps).toEqual([30, 30]);
    expect(s.bandwidth).toEqual([1000, 1000]);
    expect(s.encodeP50).toEqual([1, 1]);
    expect(s.encodeP95).toEqual([2, 2]);
    expect(s.compressionRatio).toEqual([10, 10]);
  });

  it('breaks the lines where samples are missing', () => {
    const s = metricsSeries([snapshot(1000), snapshot(2000), snapshot(20_000)]);
    expect(s.time).toEqual([1, 2, 3, 20]);
    expect(s.fps).toEqual([30, 30, null, 30]);
    expect(s.bandwidth[2]).toBeNull();
  });
});
