import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodeJob, JobRect, JobResult } from './encode-job.js';
import { lendPiece } from './lent-buffers.js';
import { payloadRoom, payloadSlots } from './payload-slots.js';
import { PixelSlots } from './pixel-slots.js';

/** Jobs smaller than this stay on the main thread: a round trip to a worker costs more than their work. */
export const OFFLOAD_MIN_PIXELS = 16384;

/** Most shared memory kept for jobs' pixels: a 1080p frame in flight twice over. */
const SLOT_BYTES = 32 * 1024 * 1024;

/** Most free payload slots kept for reuse: a 1080p frame's units in flight. */
const PAYLOAD_KEPT_BYTES = 16 * 1024 * 1024;

/** A job as the caller gives it: its pixels come separately and are copied (see `run`). */
export type JobSpec = Omit<EncodeJob, 'pixels'>;

interface Pending {
  resolve(r: JobResult): void;
  reject(e: Error): void;
  /** The job's payload slot (EncodeJob.out), which an answer of `written` bytes refers to. */
  readonly out?: Uint8Array;
}

/** A worker's answer: its payload handed over, or written into the job's slot, or its error. */
interface Answer {
  id: number;
  payload?: Uint8Array;
  written?: number;
  rects?: JobRect[];
  error?: string;
}

/** Jobs handed to one worker at a time: one to run and one waiting, so it starts the next without a round trip. */
const IN_FLIGHT_PER_WORKER = 2;

/** A job not yet handed to a worker. */
interface Queued {
  readonly message: { id: number; job: EncodeJob };
  readonly transfer: ArrayBuffer[];
  readonly pending: Pending;
}

/** One worker thread and the jobs it has not answered yet. */
class EncodeWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();

  constructor(script: URL, onDead: (w: EncodeWorker, e: Error) => void, onAnswer: () => void) {
    this.worker = new Worker(script);
    this.worker.on('message', (m: Answer) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      const rects = m.rects ? { rects: m.rects } : {};
      if (m.written !== undefined && p.out && m.written <= p.out.length) p.resolve({ payload: Buffer.from(p.out.buffer, p.out.byteOffset, m.written), ...rects });
      else if (m.payload) p.resolve({ payload: Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength), ...rects });
      else p.reject(new Error(`encode worker: ${m.error ?? 'no payload'}`));
      onAnswer();
    });
    this.worker.on('error', (e) => onDead(this, e));
    this.worker.on('exit', (code) => onDead(this, new Error(`encode worker exited with code ${code}`)));
    // An idle worker must not keep the process alive (the service decides when it ends); one with
    // jobs must, or their promises would be left hanging. Unref after the listeners: adding a
    // 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  add(id: number, p: Pending): void {
    if (this.pending.size === 0) this.worker.ref();
    this.pending.set(id, p);
  }
}

/**
 * A few worker threads for the pixel work of big rectangles (ZRLE and TRLE
 * tiles, Tight's analysis and JPEG, and their deflate), so the event loop
 * stays free for input and other viewers while a full frame is encoded, and
 * a second core helps. Jobs carry the unit's converted pixels (in shared
 * memory) and come back as payloads of independent zlib chunks, or as the
 * rectangles a Tight unit was cut into (encode-job.ts); the manager
 * keeps each connection's rectangles in order. One pool per process.
 *
 * A worker that dies fails its jobs (those updates' connections close with
 * the error) and is not replaced: later jobs go to the others, or stay on the
 * main thread when none is left.
 */
export class EncodeWorkers {
  private static instance: EncodeWorkers | null | undefined;
  private readonly workers: EncodeWorker[] = [];
  private nextId = 1;

  /** The process's pool, started on first use; null when workers are off or cannot run here. */
  static shared(): EncodeWorkers | null {
    if (EncodeWorkers.instance === undefined) EncodeWorkers.instance = EncodeWorkers.create(defaultCount());
    return EncodeWorkers.instance;
  }

  /** A pool of `count` workers, or null for none (or when the worker script is missing); `slotBytes` caps the jobs' shared pixel memory. */
  static create(count: number, slotBytes = SLOT_BYTES): EncodeWorkers | null {
    const script = workerScript();
    if (count < 1 || !script) return null;
    return new EncodeWorkers(script, count, slotBytes);
  }

  private readonly slots: PixelSlots;
  private readonly payloads = payloadSlots(PAYLOAD_KEPT_BYTES);

  private constructor(script: URL, count: number, slotBytes: number) {
    this.slots = new PixelSlots(slotBytes);
    for (let i = 0; i < count; i++) this.workers.push(new EncodeWorker(script, (w, e) => this.dead(w, e), () => this.dispatch()));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Shared memory made for jobs' pixels so far (at most the pool's `slotBytes`). */
  get slotBytes(): number {
    return this.slots.bytes;
  }

  /**
   * Encode on a worker, with a copy of the first w × h values of `pixels`
   * (the caller may reuse `pixels` as soon as this returns), or with `lent`,
   * a slot from takeSlot that `pixels` is a view of (no copy). The copy goes
   * into a shared slot, back in the pool when the job answers. Jobs wait
   * here until a worker has room (IN_FLIGHT_PER_WORKER), so one that takes
   * longer (a collection in its thread) holds up no jobs queued behind it:
   * the other workers take them.
   *
   * With `pooled`, the payload comes in reused shared memory (payload-slots.ts)
   * lent to it until `releasePiece` (lent-buffers.ts) is called with it, once
   * it is written or copied: only for a payload that one connection sends
   * (not one offered to other viewers, which several writes read).
   */
  run(spec: JobSpec, pixels: Uint32Array, lent: Uint32Array | null = null, pooled = false): Promise<JobResult> {
    if (this.workers.length === 0) {
      if (lent) this.slots.give(lent);
      return Promise.reject(new Error('no encode worker left'));
    }
    const n = spec.w * spec.h;
    const slot = lent ?? this.slots.take(n);
    const out = pooled ? this.payloads.take(payloadRoom(spec.w, spec.h)) : undefined;
    const id = this.nextId++;
    const result = new Promise<JobResult>((resolve, reject) => {
      const done = (r: JobResult | null): void => {
        if (slot) this.slots.give(slot);
        if (!out) return;
        // A payload in the slot keeps it until it is released; otherwise it is free now.
        if (r && r.payload.buffer === out.buffer) lendPiece(r.payload, () => this.payloads.give(out));
        else this.payloads.give(out);
      };
      const pending = { resolve: (r: JobResult) => (done(r), resolve(r)), reject: (e: Error) => (done(null), reject(e)), ...(out ? { out } : {}) };
      if (slot) {
        if (slot !== lent) slot.set(pixels.subarray(0, n));
        this.queue.push({ message: { id, job: { ...spec, pixels: slot.subarray(0, n), ...(out ? { out } : {}) } }, transfer: [], pending });
      } else {
        // The pool is at its limit: a copy of our own, handed over.
        const own = pixels.slice(0, n);
        this.queue.push({ message: { id, job: { ...spec, pixels: own, ...(out ? { out } : {}) } }, transfer: [own.buffer], pending });
      }
    });
    this.dispatch();
    return result;
  }

  private readonly queue: Queued[] = [];

  /**
   * A slot of shared memory for a job's pixels, to be filled by the caller
   * and handed to `run` as `lent` (then its pixels are not copied again) or
   * given back with `giveSlot`. Null when the pool is at its limit.
   */
  takeSlot(pixels: number): Uint32Array | null {
    return this.slots.take(pixels);
  }

  /** A slot from takeSlot that no job took. */
  giveSlot(slot: Uint32Array): void {
    this.slots.give(slot);
  }

  /** Hand waiting jobs, in order, to the workers with room, the least busy first. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      const w = this.workers.reduce<EncodeWorker | null>((best, x) => (x.pending.size < IN_FLIGHT_PER_WORKER && (!best || x.pending.size < best.pending.size) ? x : best), null);
      if (!w) return;
      const q = this.queue.shift()!;
      w.add(q.message.id, q.pending);
      w.worker.postMessage(q.message, q.transfer);
    }
  }

  async close(): Promise<void> {
    const ws = this.workers.splice(0);
    await Promise.all(ws.map((w) => w.worker.terminate()));
    if (EncodeWorkers.instance === this) EncodeWorkers.instance = undefined;
  }

  private dead(w: EncodeWorker, e: Error): void {
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    for (const p of w.pending.values()) p.reject(e);
    w.pending.clear();
    // Jobs still waiting go to the workers left, or fail with the last one.
    if (this.workers.length === 0) for (const q of this.queue.splice(0)) q.pending.reject(e);
    else this.dispatch();
  }
}

/**
 * Workers to start: TRAYVNC_ENCODE_WORKERS if set (0 turns them off),
 * otherwise one per core, at most 4: while they work the main thread mostly
 * waits (it only converts pixels and writes), and with one fewer a 2-core
 * machine would run the tiles of a frame one unit after another.
 */
function defaultCount(): number {
  const env = process.env.TRAYVNC_ENCODE_WORKERS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    return Number.isInteger(n) && n >= 0 ? Math.min(n, 16) : 0;
  }
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * The worker's script next to this module. Run from TypeScript sources (the
 * test runner), there is no .js here: the built copy under dist/ is used,
 * which the test command builds first; without it, no workers.
 */
function workerScript(): URL | null {
  const here = new URL('./encode-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = fileURLToPath(here).replace(/([\\/])src([\\/])main([\\/])/, '$1dist$2main$3');
  return existsSync(built) ? pathToFileURL(built) : null;
}
