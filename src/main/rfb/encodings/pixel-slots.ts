/**
 * Shared memory for the pixels of encode-worker jobs, reused from job to job.
 *
 * A job's pixels used to go over as a fresh copy (`slice`), transferred. A
 * fresh 256 KB array costs about 0.7 ms here (the allocation and the pages
 * the kernel maps and zeroes for it) against 0.012 ms to copy the same pixels
 * into memory already mapped: for a 1080p ZRLE frame that was some 20 ms of
 * CPU, for a 25 fps 480×270 video 3.5 % of a core. Slots are
 * SharedArrayBuffers, so the worker reads the very memory main wrote; a slot
 * goes back to the pool once its job has answered, and only then is written
 * again.
 *
 * V8 copies into and out of shared memory with a relaxed atomic copy, not
 * memcpy (the conversion into a slot, a Tight worker's cuts out of it): some
 * 5 % of the server's CPU in the bench's Tight JPEG frames. Plain buffers
 * transferred to the worker with the job and back with its answer were tried:
 * Tight JPEG frames took 28–29 ms of CPU against 30, but the 25 fps video's
 * ZRLE took 25–26 % of a core against 21–24 % (each transfer makes a new
 * ArrayBuffer of the slot's size on the other side, likely counted as fresh
 * memory by the collector), so the slots stay shared.
 *
 * Slots come in power-of-two sizes from 64 Ki pixels. The pool keeps at most
 * `maxBytes` in all; past that `take` answers null and the caller copies as
 * before, so a burst of big jobs never pins more memory than that.
 */
export class PixelSlots {
  private readonly free = new Map<number, Uint32Array[]>();
  private allocated = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes of shared memory the pool has made, free or in use. */
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
    return new Uint32Array(new SharedArrayBuffer(size * 4));
  }

  /** A slot `take` gave, free for the next job. */
  give(slot: Uint32Array): void {
    let list = this.free.get(slot.length);
    if (!list) this.free.set(slot.length, (list = []));
    list.push(slot);
  }
}

const MIN_SLOT = 1 << 16;
