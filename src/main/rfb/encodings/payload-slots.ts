import { InputBuffers } from './input-buffers.js';

/**
 * Shared memory the encode workers write their payloads into, reused from
 * job to job (encode-workers.ts): a pool of InputBuffers in SharedArrayBuffers.
 *
 * A worker's payload used to be a fresh buffer, handed over to the event
 * loop. Each of those is fresh pages: a 260 KB chunk deflated into memory
 * already mapped took 2.05 ms against 2.63 ms into a new buffer (the ZRLE
 * tiles of a 480×270 photo-like area, Huffman coding), and once handed over
 * it counts as new memory to the event loop's collector until a collection
 * frees it. Slots go back to the pool when the bytes are written
 * (lent-buffers.ts), or at once when the payload is copied out.
 *
 * Sizes go in steps of 64 KiB, so the units of one screen (all as wide as
 * the screen and 64 rows high, but the last) share one or two sizes.
 * `maxKept` bytes of free slots are kept at most; past that a slot given
 * back is left to the collector.
 */
export function payloadSlots(maxKept: number): InputBuffers {
  return new InputBuffers(maxKept, { shared: true, step: 64 * 1024 });
}

/**
 * Room enough for a unit's payload, w × h pixels: its pixels at 4 bytes
 * each, deflate's worst case on top (a few bytes per 16 KiB stored block)
 * and tile and rectangle headers. A payload that does not fit (it would be
 * bigger than raw pixels) comes back as a buffer of its own.
 */
export function payloadRoom(w: number, h: number): number {
  const n = w * h;
  return n * 4 + (n >> 6) + 4096;
}
