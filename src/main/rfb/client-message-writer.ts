import type { Rect } from '../framebuffer/rect.js';
import { ClientMessageType } from './constants.js';
import { serializePixelFormat, type PixelFormat } from './pixel-format.js';

/**
 * The client→server messages the server's own watcher (the recorder) sends
 * to its session, as any viewer would (RFC 6143 §7.5). Viewers' messages are
 * read by client-messages.ts; these are the few the server itself writes.
 */

/** SetPixelFormat (§7.5.1). */
export function setPixelFormatMessage(pf: PixelFormat): Buffer {
  const b = Buffer.alloc(20);
  b[0] = ClientMessageType.SetPixelFormat;
  serializePixelFormat(pf).copy(b, 4);
  return b;
}

/** SetEncodings (§7.5.2), in order of preference. */
export function setEncodingsMessage(encodings: readonly number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * encodings.length);
  b[0] = ClientMessageType.SetEncodings;
  b.writeUInt16BE(encodings.length, 2);
  encodings.forEach((e, i) => b.writeInt32BE(e, 4 + 4 * i));
  return b;
}

/** FramebufferUpdateRequest (§7.5.3): incremental asks only for what changed. */
export function updateRequestMessage(incremental: boolean, area: Rect): Buffer {
  const b = Buffer.alloc(10);
  b[0] = ClientMessageType.FramebufferUpdateRequest;
  b[1] = incremental ? 1 : 0;
  b.writeUInt16BE(area.x, 2);
  b.writeUInt16BE(area.y, 4);
  b.writeUInt16BE(area.w, 6);
  b.writeUInt16BE(area.h, 8);
  return b;
}
