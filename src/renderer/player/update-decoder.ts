import { ReceiveQueue } from './receive-queue.js';
import type { FrameBuffer } from './frame-buffer.js';

/**
 * One RFB FramebufferUpdate message (RFC 6143 §7.6.1) drawn onto the
 * player's picture: the rectangle loop noVNC's core/rfb.js runs, handing each
 * rectangle to a decoder for its encoding. The decoders are noVNC's own
 * (player/novnc-decoders.ts); a recording uses only Raw, CopyRect and
 * Hextile, and DesktopSize when the desktop is resized.
 */

export const ENCODING_RAW = 0;
export const ENCODING_COPYRECT = 1;
export const ENCODING_HEXTILE = 5;
export const PSEUDO_DESKTOP_SIZE = -223;
export const PSEUDO_LAST_RECT = -224;

/** Decoders by encoding number. */
export type DecoderTable = ReadonlyMap<number, NoVnc.RectDecoder>;

/** RFB's depth for noVNC's decoders: 24 means 4 bytes a pixel, as recordings hold. */
const DEPTH = 24;
const FRAMEBUFFER_UPDATE = 0;

export function applyUpdate(message: Uint8Array, fb: FrameBuffer, decoders: DecoderTable): void {
  const q = new ReceiveQueue(message);
  const type = q.rQshift8();
  if (type !== FRAMEBUFFER_UPDATE) throw new Error(`not a FramebufferUpdate (message type ${type})`);
  q.rQskipBytes(1); // padding
  const count = q.rQshift16();
  for (let r = 0; r < count; r++) {
    const x = q.rQshift16();
    const y = q.rQshift16();
    const w = q.rQshift16();
    const h = q.rQshift16();
    const encoding = q.rQshift32() | 0;
    if (encoding === PSEUDO_DESKTOP_SIZE) {
      fb.resize(w, h);
      continue;
    }
    if (encoding === PSEUDO_LAST_RECT) break;
    const decoder = decoders.get(encoding);
    if (!decoder) throw new Error(`rectangle ${r + 1} of ${count} uses encoding ${encoding}, which a recording does not use`);
    if (!decoder.decodeRect(x, y, w, h, q, fb, DEPTH)) {
      throw new RangeError(`the update ends inside rectangle ${r + 1} of ${count} (encoding ${encoding})`);
    }
  }
}

/** A keyframe: the picture at its size, then the update that covers it. */
export function applyKeyframe(width: number, height: number, message: Uint8Array, fb: FrameBuffer, decoders: DecoderTable): void {
  fb.resize(width, height);
  applyUpdate(message, fb, decoders);
}
