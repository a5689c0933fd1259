/** What one capture tick cost (the capture loop reports one per tick that found changes). */
export interface CaptureTiming {
  captureMs: number;
  detectMs: number;
  changedRects: number;
  copies: number;
}

/** Anything with the capture loop's single `onTiming` hook. */
export interface TimingSource {
  onTiming?: ((t: CaptureTiming) => void) | undefined;
}

const taps = new WeakMap<TimingSource, Set<(t: CaptureTiming) => void>>();

/**
 * Listen to a capture loop's timings without taking its one hook away from
 * others: the first tap installs a dispatcher that also calls the hook that was
 * there before. Returns a function that removes this listener.
 */
export function tapTiming(source: TimingSource, listener: (t: CaptureTiming) => void): () => void {
  let set = taps.get(source);
  if (!set) {
    const listeners = new Set<(t: CaptureTiming) => void>();
    const previous = source.onTiming;
    source.onTiming = (t) => {
      previous?.(t);
      for (const l of listeners) l(t);
    };
    taps.set(source, listeners);
    set = listeners;
  }
  const own = (t: CaptureTiming) => listener(t);
  set.add(own);
  return () => {
    set.delete(own);
  };
}
