import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeapTrim, type HeapProbe } from '../../../src/main/base/heap-trim.js';

const MiB = 1024 * 1024;

/** A process whose heap and loop the test sets; a collection brings the heap to `afterGc`. */
interface FakeProcess {
  heap: number;
  busy: number;
  afterGc: number;
  gcs: number;
  minors: number;
  reads: number;
  probe: HeapProbe;
}

function fakeProcess(heap: number): FakeProcess {
  const p: FakeProcess = {
    heap,
    busy: 0,
    afterGc: heap,
    gcs: 0,
    minors: 0,
    reads: 0,
    probe: {
      heapBytes: () => p.heap,
      busySinceLastCall: () => {
        p.reads++;
        return p.busy;
      },
      minorGc: () => {
        p.minors++;
      },
      fullGc: () => {
        p.gcs++;
        p.heap = p.afterGc;
      },
    },
  };
  return p;
}

describe('HeapTrim', () => {
  it('after the heap grew: a minor collection at the first quiet look, a full one at the next, then nothing until it grows anew', () => {
    const p = fakeProcess(20 * MiB);
    const trim = new HeapTrim(p.probe);
    p.heap = 120 * MiB;
    p.afterGc = 30 * MiB;
    expect(trim.look()).toBe('primed');
    expect([p.minors, p.gcs]).toEqual([1, 0]);
    expect(trim.look()).toBe('collected');
    expect([p.minors, p.gcs]).toEqual([1, 1]);
    // 30 MiB is the new baseline: 35 is not enough growth to look again…
    p.heap = 35 * MiB;
    expect(trim.look()).toBe('small');
    // …but 40 is.
    p.heap = 40 * MiB;
    expect(trim.look()).toBe('primed');
    expect(trim.look()).toBe('collected');
    expect(p.gcs).toBe(2);
  });

  it('starts over when the loop got busy between the minor and the full collection', () => {
    const p = fakeProcess(20 * MiB);
    const trim = new HeapTrim(p.probe);
    p.heap = 120 * MiB;
    expect(trim.look()).toBe('primed');
    p.busy = 0.5;
    expect(trim.look()).toBe('busy');
    p.busy = 0;
    expect(trim.look()).toBe('primed');
    expect([p.minors, p.gcs]).toEqual([2, 0]);
  });

  it('leaves a busy server alone, but still starts a new measuring window', () => {
    const p = fakeProcess(20 * MiB);
    const trim = new HeapTrim(p.probe);
    p.heap = 120 * MiB;
    p.busy = 0.3;
    expect(trim.look()).toBe('busy');
    expect(p.gcs + p.minors).toBe(0);
    expect(p.reads).toBe(1);
  });

  it('counts growth from the smallest heap seen, so a heap that shrank by itself is not collected for nothing', () => {
    const p = fakeProcess(60 * MiB);
    const trim = new HeapTrim(p.probe);
    p.heap = 20 * MiB;
    expect(trim.look()).toBe('small');
    p.heap = 26 * MiB;
    expect(trim.look()).toBe('small');
    p.heap = 29 * MiB;
    expect(trim.look()).toBe('primed');
  });
});

describe('the real V8 of a Node process', () => {
  // A child process, so the figures are its own: a burst of objects (some kept a while, as a
  // flood's sockets are) grows the heap; after a quiet spell one look must give most of it back.
  const MODULE = join(import.meta.dirname, '..', '..', '..', 'dist', 'main', 'base', 'heap-trim.js');
  const script = `
    const { HeapTrim, processHeapProbe } = await import(${JSON.stringify(MODULE)});
    const probe = processHeapProbe();
    const trim = new HeapTrim(probe);
    const start = probe.heapBytes();
    let keep = [];
    const t = Date.now();
    // Grow by a fixed amount (200 MiB, bounded in time), not for a fixed time: V8 keeps its young
    // generation's 32 MiB after the collection, and with a time-bound burst a fast run grew the
    // heap so little that those alone broke the ¾-gone bound.
    while (Date.now() - t < 6000 && probe.heapBytes() - start < 200 * 1048576) { for (let i = 0; i < 1000; i++) keep.push({ a: i, b: 'x' + i, c: new Array(8).fill(i) }); if (keep.length > 300000) keep = []; }
    keep = [];
    const grown = probe.heapBytes();
    probe.busySinceLastCall();
    // Looks a second apart (the server's are 5 s apart), until one collects; bounded. On a loaded
    // machine the first may find the loop still busy with the burst's aftermath: then it starts over.
    const acted = [];
    for (let i = 0; i < 15 && acted[acted.length - 1] !== 'collected'; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      acted.push(trim.look());
    }
    const after = probe.heapBytes();
    console.log(JSON.stringify({ start, grown, acted, after, gcGlobal: typeof globalThis.gc }));
  `;

  it('gives the heap back after a burst and a quiet spell, without leaving a gc global', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    const r = JSON.parse(out.trim()) as { start: number; grown: number; acted: string[]; after: number; gcGlobal: string };
    expect(r.grown - r.start).toBeGreaterThan(40 * MiB);
    // A minor collection first, then the full one at the next quiet look.
    expect(r.acted.slice(-2)).toEqual(['primed', 'collected']);
    // Most of the growth is gone.
    expect(r.after - r.start).toBeLessThan((r.grown - r.start) / 4);
    expect(r.gcGlobal).toBe('undefined');
  }, 40_000);
});
