import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's memory reducer off small heaps.
 *
 * Some 8 s after a burst of work (a full frame, a video, a viewer leaving)
 * V8's memory reducer runs two full collections in each isolate to give back
 * the few MiB the burst grew its heap by. The server has three isolates (the
 * main thread and two encode workers) of 5 to 20 MiB, so a desktop gone still
 * cost 100 to 150 ms of CPU in those seconds: 1 to 1.5 % of a core over the
 * bench's 10 s idle window, against 0.4 % without (bench/run.mjs, idle).
 * What the reducer would give back of a small heap is some 2 MiB an isolate;
 * the main thread's bursts are trimmed by heap-trim.ts, which collects only
 * when the heap grew by 8 MiB or more, and heaps above V8's small-heap size
 * keep the reducer.
 *
 * V8 reads the flag at each collection, so setting it when the service starts
 * (before the encode workers do) is enough; it is process-wide, workers too.
 */
export function tuneHeap(): void {
  setFlagsFromString('--no-memory-reducer-for-small-heaps');
  // On the bigger heaps that keep it (the main thread's, 20–50 MiB), one collection instead of
  // two: the second gave back nothing more (18.0 -> 18.0 MiB after a full frame, 21 ms of it).
  setFlagsFromString('--memory-reducer-single-gc');
}
