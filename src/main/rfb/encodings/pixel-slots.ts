/**
 * Memory for the pixels of encode-worker jobs, reused from job to job.
 *
 * A job's pixels used to go over as a fresh copy (`slice`), transferred. A
 * fresh 256 KB array costs about 0.7 ms here (the allocation and the pages
 * the kernel maps and zeroes for it) against 0.012 ms to copy the same pixels
 * into memory already mapped: for a 1080p ZRLE frame that was some 20 ms of
 * CPU, for a 25 fps 480×270 video 3.5 % of a core. A slot's ArrayBuffer is
 * transferred to the worker with the job (no copy) and comes back with the
 * answer, to be taken again.
 *
 * Not SharedArrayBuffers, as the slots were first: V8 copies into and out of
 * shared memory with a relaxed atomic copy instead of memcpy, and those
 * copies (the main thread's conversion into the slot, the worker's cuts out
 * of it) were some 5 % of the server's CPU in the bench's Tight JPEG frames:
 * 28–29 ms of CPU a frame with transferred slots against 30 with shared
 * ones, in the same runs.
 *
 * Slots come in power-of-two sizes from 64 Ki pixels. The pool keeps at most
 * `maxBytes` in all; past that `take` answers null and the caller copies as
 * before, so a burst of big jobs never pins more memory than that. A slot
 * that does not come back (its worker died) is `lost`: its bytes no longer
 * count.
 */
export class PixelSlots {
  private readonly free = new Map<number, Uint32Array[]>();
  private allocated = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes the pool has made, free or lent. */
  get bytes(): number {
    return this.allocated;
  }

  /** A slot of at least `pixels` values, or null when the pool is at its limit. Give it back with `give`. */
  take(pixels: number): Uint32Array | null {
    const size = Math.max(MIN_SLOT, 2 ** Math.ceil(Math.log2(Math.max(1, pixels))));
    const spare = this.free.get(size)?.pop();
    if (spare) return spare;
    if (this.allocated + size * 4 > this.maxBytes) return null;
    this.allocated += size * 4;
    return new Uint32Array(size);
  }

  /** A slot `take` gave (or the buffer it was, back from a worker, viewed again), free for the next job. */
  give(slot: Uint32Array): void {
    let list = this.free.get(slot.length);
    if (!list) this.free.set(slot.length, (list = []));
    list.push(slot);
  }

  /** A slot of `length` values that will not come back (transferred to a worker that died). */
  lost(length: number): void {
    this.allocated -= length * 4;
  }
}

const MIN_SLOT = 1 << 16;
