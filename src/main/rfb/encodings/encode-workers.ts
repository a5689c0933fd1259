import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodeJob } from './encode-job.js';
import { PixelSlots } from './pixel-slots.js';

/** Jobs smaller than this stay on the main thread: a round trip to a worker costs more than their work. */
export const OFFLOAD_MIN_PIXELS = 16384;

/** Most shared memory kept for jobs' pixels: a 1080p frame in flight twice over. */
const SLOT_BYTES = 32 * 1024 * 1024;

/** A job as the caller gives it: its pixels come separately and are copied (see `run`). */
export type JobSpec = Omit<EncodeJob, 'pixels'>;

interface Pending {
  resolve(b: Buffer): void;
  reject(e: Error): void;
}

/** One worker thread and the jobs it has not answered yet. */
class EncodeWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();

  constructor(script: URL, onDead: (w: EncodeWorker, e: Error) => void) {
    this.worker = new Worker(script);
    this.worker.on('message', (m: { id: number; payload?: Uint8Array; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if (m.payload) p.resolve(Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength));
      else p.reject(new Error(`encode worker: ${m.error ?? 'no payload'}`));
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
 * tiles, and ZRLE's deflate), so the event loop stays free for input
 * and other viewers while a full frame is encoded, and a second core helps.
 * Jobs carry the unit's converted pixels (transferred, not copied) and come
 * back as payloads of independent zlib chunks (encode-job.ts); the manager
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

  private constructor(script: URL, count: number, slotBytes: number) {
    this.slots = new PixelSlots(slotBytes);
    for (let i = 0; i < count; i++) this.workers.push(new EncodeWorker(script, (w, e) => this.dead(w, e)));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Shared memory made for jobs' pixels so far (at most the pool's `slotBytes`). */
  get slotBytes(): number {
    return this.slots.bytes;
  }

  /**
   * Encode on the least busy worker, with a copy of the first w × h values of
   * `pixels` (the caller may reuse `pixels` as soon as this returns). The
   * copy goes into a shared slot, back in the pool when the job answers.
   */
  run(spec: JobSpec, pixels: Uint32Array): Promise<Buffer> {
    const w = this.workers.reduce<EncodeWorker | null>((best, x) => (!best || x.pending.size < best.pending.size ? x : best), null);
    if (!w) return Promise.reject(new Error('no encode worker left'));
    const n = spec.w * spec.h;
    const slot = this.slots.take(n);
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      if (slot) {
        slot.set(pixels.subarray(0, n));
        const done = (): void => this.slots.give(slot);
        w.add(id, { resolve: (b) => (done(), resolve(b)), reject: (e) => (done(), reject(e)) });
        w.worker.postMessage({ id, job: { ...spec, pixels: slot.subarray(0, n) } });
      } else {
        // The pool is at its limit: a copy of our own, handed over.
        const own = pixels.slice(0, n);
        w.add(id, { resolve, reject });
        w.worker.postMessage({ id, job: { ...spec, pixels: own } }, [own.buffer]);
      }
    });
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
