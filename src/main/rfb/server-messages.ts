import { ServerMessageType } from './constants.js';
import { serializePixelFormat, type PixelFormat } from './pixel-format.js';

/** ServerInit (RFC 6143 §7.3.2). */
export function serverInit(width: number, height: number, pf: PixelFormat, name: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const b = Buffer.alloc(24 + nameBytes.length);
  b.writeUInt16BE(width, 0);
  b.writeUInt16BE(height, 2);
  serializePixelFormat(pf).copy(b, 4);
  b.writeUInt32BE(nameBytes.length, 20);
  nameBytes.copy(b, 24);
  return b;
}

/** SetColourMapEntries with 16-bit RGB triples starting at `first`. */
export function setColourMapEntries(first: number, colours: Array<[number, number, number]>): Buffer {
  const b = Buffer.alloc(6 + 6 * colours.length);
  b[0] = ServerMessageType.SetColourMapEntries;
  b.writeUInt16BE(first, 2);
  b.writeUInt16BE(colours.length, 4);
  colours.forEach(([r, g, bl], i) => {
    b.writeUInt16BE(r, 6 + 6 * i);
    b.writeUInt16BE(g, 8 + 6 * i);
    b.writeUInt16BE(bl, 10 + 6 * i);
  });
  return b;
}

export function bell(): Buffer {
  return Buffer.from([ServerMessageType.Bell]);
}

/** ServerCutText with Latin-1 text (RFC 6143 §7.6.4). */
export function serverCutText(latin1: Buffer): Buffer {
  const b = Buffer.alloc(8 + latin1.length);
  b[0] = ServerMessageType.ServerCutText;
  b.writeUInt32BE(latin1.length, 4);
  latin1.copy(b, 8);
  return b;
}

/** Header of a FramebufferUpdate with `count` rectangles (0xffff when LastRect ends the list). */
export function framebufferUpdateHeader(count: number): Buffer {
  const b = Buffer.alloc(4);
  b[0] = ServerMessageType.FramebufferUpdate;
  b.writeUInt16BE(count, 2);
  return b;
}

/** A rectangle header. */
export function rectHeader(x: number, y: number, w: number, h: number, encoding: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(x, 0);
  b.writeUInt16BE(y, 2);
  b.writeUInt16BE(w, 4);
  b.writeUInt16BE(h, 6);
  b.writeInt32BE(encoding, 8);
  return b;
}
