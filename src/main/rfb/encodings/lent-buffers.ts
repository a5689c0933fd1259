/**
 * Buffers whose memory is lent to a piece of an update and goes back to its
 * pool once the piece is written to the socket or copied elsewhere: the
 * pooled pieces an update spills or streams (update-parts.ts), and the
 * payloads the encode workers write into shared memory (encode-workers.ts).
 *
 * Reused memory spares the fresh pages a new buffer of a few hundred KB
 * costs each time (the kernel maps and zeroes them, some 5 µs a page here):
 * a 1080p Hextile frame streamed in fresh copies spent 35 ms of its 40 on
 * them, and every frame of a 25 fps video area a millisecond.
 *
 * The lender is found by the piece's ArrayBuffer, so a view of any part of
 * it gives the memory back. A piece never given back is left to the
 * collector; its pool makes another.
 */
const lenders = new WeakMap<ArrayBufferLike, () => void>();

/** `piece`'s memory goes back through `giveBack` when `releasePiece` is called with it (or a view of it). */
export function lendPiece(piece: Uint8Array, giveBack: () => void): void {
  lenders.set(piece.buffer, giveBack);
}

/**
 * Nothing reads `piece` any more (its write flushed or failed, or its bytes
 * were copied): its memory goes back to its pool if it was lent. Anything
 * else is ignored, so a caller may pass every piece. True when it was lent.
 */
export function releasePiece(piece: Uint8Array): boolean {
  const giveBack = lenders.get(piece.buffer);
  if (!giveBack) return false;
  lenders.delete(piece.buffer);
  giveBack();
  return true;
}
