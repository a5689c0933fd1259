import type { ByteWriter } from '../wire.js';

/**
 * CopyRect (1) payload: where the client copies the rectangle from. Not a
 * pixel encoder: the change detector decides what was moved, the manager only
 * writes it.
 */
export function writeCopyRect(out: ByteWriter, srcX: number, srcY: number): void {
  out.u16(srcX).u16(srcY);
}
