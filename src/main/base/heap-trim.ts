/**
 * Giving V8's heap back after a burst.
 *
 * A burst of work (a flood of failed logins, a thousand viewers coming and
 * going, a minute of video) grows V8's heap: the young generation ("new
 * space") from 1 MiB to its ceiling, 32 MiB on 64-bit Node, and the old
 * generation by whatever the burst promoted — mostly garbage by the time the
 * burst ends. V8 shrinks both only at a garbage collection, and a server that
 * has gone quiet allocates nothing, so no collection comes: the memory stays
 * resident for as long as the server stays idle, which for a tray app is most
 * of its life. The flood bench measured +83 % RSS 30 s after 5 000 failed
 * logins: 32 MiB of young generation and some 60 MiB of old generation of
 * which 15 MiB were alive.
 *
 * So, every few seconds, when the event loop has been nearly idle since the
 * last look and the heap is well above its size after the previous
 * collection we asked for, ask for a minor collection, and at the next look,
 * if it is still quiet, a full one (15–30 ms after a flood, once). The minor
 * one closes V8's account of the burst's allocations; the full one then sees
 * a low allocation rate since, so V8 shrinks the young generation and
 * releases the old generation's emptied pages (asked for at once, right
 * after a burst, the same collection left 32 MiB of young generation and
 * half the old generation's pages in place). While the server is busy
 * nothing is done: then the memory is in use and V8's own sizing is right.
 *
 * The collection is reached the way test runners do it (jest's leak
 * detector): --expose-gc for one new context, then the flag is cleared again,
 * so nothing else in the process sees a `gc` global.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** What a trim needs from the process (the real one, or a test's). */
export interface HeapProbe {
  /** Bytes V8 has reserved for its heap now (all spaces). */
  heapBytes(): number;
  /** Share of time (0..1) the event loop was busy since the previous call. */
  busySinceLastCall(): number;
  /** Run one minor collection (a scavenge of the young generation). */
  minorGc(): void;
  /** Run one full collection. */
  fullGc(): void;
}

export interface TrimOptions {
  /** How often to look. */
  everyMs?: number;
  /** Busier than this (share of the loop's time) and nothing is done. */
  maxBusy?: number;
  /** A heap grown by less than this since the last collection asked for is left alone. */
  growthBytes?: number;
}

const DEFAULTS: Required<TrimOptions> = { everyMs: 5_000, maxBusy: 0.02, growthBytes: 8 * 1024 * 1024 };

/** What a look did. */
export type LookResult = 'busy' | 'small' | 'primed' | 'collected';

/** Looks at the heap now and then; remembers its size after the last collection it asked for. */
export class HeapTrim {
  private readonly o: Required<TrimOptions>;
  private baseline: number;
  /** A minor collection ran at the previous look and the loop has been quiet since. */
  private primed = false;

  constructor(
    private readonly probe: HeapProbe,
    opts: TrimOptions = {},
  ) {
    this.o = { ...DEFAULTS, ...opts };
    this.baseline = probe.heapBytes();
  }

  /** One look, and what it did. */
  look(): LookResult {
    // Always read the loop's share, so the next look covers only the time since this one.
    const busy = this.probe.busySinceLastCall();
    const heap = this.probe.heapBytes();
    // A heap that shrank by itself becomes the new baseline: growth is counted from the smallest seen.
    if (heap < this.baseline) this.baseline = heap;
    if (busy > this.o.maxBusy) {
      this.primed = false;
      return 'busy';
    }
    if (heap - this.baseline < this.o.growthBytes) return 'small';
    if (!this.primed) {
      this.probe.minorGc();
      this.primed = true;
      return 'primed';
    }
    this.probe.fullGc();
    this.primed = false;
    this.baseline = this.probe.heapBytes();
    return 'collected';
  }
}

/** The probe of this process. */
export function processHeapProbe(): HeapProbe {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  let gc: ((opts?: { type: 'minor' }) => void) | undefined;
  const collect = (type: 'minor' | 'major') => {
    if (!gc) {
      // Started with --expose-gc already: keep that choice as it is.
      const had = typeof (globalThis as { gc?: unknown }).gc === 'function';
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as typeof gc;
      if (!had) v8.setFlagsFromString('--no-expose-gc');
    }
    // gc() with no argument is the full collection; Node 20's V8 ignores { type: 'major' }.
    if (type === 'minor') gc!({ type });
    else gc!();
  };
  return {
    heapBytes: () => v8.getHeapStatistics().total_heap_size,
    busySinceLastCall: () => {
      const now = performance.eventLoopUtilization();
      const share = performance.eventLoopUtilization(now, last).utilization;
      last = now;
      return share;
    },
    minorGc: () => collect('minor'),
    fullGc: () => collect('major'),
  };
}

/** Look every `everyMs` until the returned function is called; the timer never keeps the process alive. */
export function startHeapTrim(opts: TrimOptions = {}, probe: HeapProbe = processHeapProbe()): () => void {
  const trim = new HeapTrim(probe, opts);
  const timer = setInterval(() => trim.look(), opts.everyMs ?? DEFAULTS.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
