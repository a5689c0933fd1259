/**
 * Every server→client message of RFB, written in one place (RFC 6143 §7 and
 * the community registry, rfbproto.rst). Whole messages come back as a
 * Buffer; the parts of a FramebufferUpdate (its header, rectangle headers,
 * pseudo-rectangles) are appended to the update's ByteWriter, because an
 * update is assembled from many of them and copying each would cost.
 *
 * Encoders write only rectangle payloads; nothing else in the server puts
 * bytes on the wire.
 */
import zlib from 'node:zlib';
import { isEmptyCursor, type CursorImage } from '../framebuffer/cursor-image.js';
import type { Rect } from '../framebuffer/rect.js';
import { ClipboardAction, ClipboardFormat, PseudoEncoding, SecurityType, ServerMessageType } from './constants.js';
import { serializePixelFormat, type PixelConverter, type PixelFormat } from './pixel-format.js';
import type { ByteWriter } from './wire.js';

// ---------------------------------------------------------------- handshake

/** The version we announce first (§7.1.1): 3.8, the newest; clients answer with theirs. */
export const PROTOCOL_VERSION = Buffer.from('RFB 003.008\n', 'latin1');

/** A u32 length and UTF-8 text: the reason string of refusals and failures. */
function reasonString(reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8');
  const b = Buffer.alloc(4 + text.length);
  b.writeUInt32BE(text.length, 0);
  text.copy(b, 4);
  return b;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

/**
 * The security types on offer (§7.1.2). A 3.3 client is told the one type as
 * a u32 (the server decides); 3.7 and later get a count and a list to choose from.
 */
export function securityTypes(minor: 3 | 7 | 8, types: readonly number[]): Buffer {
  if (minor === 3) return u32(types[0] ?? SecurityType.Invalid);
  return Buffer.from([types.length, ...types]);
}

/** Refusal before security (§7.1.2): type 0 (3.3) or an empty list (3.7+), then the reason. */
export function securityRefusal(minor: 3 | 7 | 8, reason: string): Buffer {
  return Buffer.concat([minor === 3 ? u32(SecurityType.Invalid) : Buffer.from([0]), reasonString(reason)]);
}

/**
 * The cheapest refusal, sent before reading anything from a client we will
 * not serve (a blacklisted address): a 3.3 version and a 3.3 refusal. Every
 * viewer can show its reason whatever version it would have chosen.
 */
export function earlyRefusal(reason: string): Buffer {
  return Buffer.concat([Buffer.from('RFB 003.003\n', 'latin1'), securityRefusal(3, reason)]);
}

/** VNC Authentication's 16-byte challenge (§7.2.2). */
export function vncAuthChallenge(challenge: Buffer): Buffer {
  if (challenge.length !== 16) throw new Error(`a VNC Authentication challenge is 16 bytes, not ${challenge.length}`);
  return challenge;
}

/** SecurityResult OK (§7.1.3). */
export function securityResultOk(): Buffer {
  return u32(0);
}

/** SecurityResult failed (§7.1.3); only 3.8 carries the reason. */
export function securityResultFailed(minor: 3 | 7 | 8, reason: string): Buffer {
  return minor === 8 ? Buffer.concat([u32(1), reasonString(reason)]) : u32(1);
}

/** ServerInit (§7.3.2): size, pixel format and the desktop's name. */
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

// ---------------------------------------------------------------- FramebufferUpdate

/** Bytes of a rectangle header: x, y, w, h (u16 each) and the encoding (s32). */
export const RECT_HEADER_BYTES = 12;

/**
 * Start a FramebufferUpdate (§7.6.1) in `out`; returns where its header is,
 * for endFramebufferUpdate to fill in the rectangle count once it is known.
 */
export function beginFramebufferUpdate(out: ByteWriter): number {
  const at = out.reserve(4);
  out.patchU8(at, ServerMessageType.FramebufferUpdate);
  out.patchU8(at + 1, 0); // padding
  out.patchU16(at + 2, 0);
  return at;
}

/** The largest rectangle count a FramebufferUpdate header can carry. */
export const MAX_RECTS_PER_UPDATE = 0xffff;

/** Fill in the rectangle count of the update begun at `at`. */
export function endFramebufferUpdate(out: ByteWriter, at: number, count: number): void {
  if (count > MAX_RECTS_PER_UPDATE) throw new RangeError(`an update cannot hold ${count} rectangles`);
  out.patchU16(at + 2, count);
}

/**
 * The rectangle count of an update that ends with a LastRect rectangle
 * instead (rfbproto "LastRect Pseudo-encoding"), for clients that listed it:
 * such an update can go out while it is still being encoded.
 */
export const UNTIL_LAST_RECT = 0xffff;

/** Start a FramebufferUpdate that ends with writeLastRect; returns where its header is. */
export function beginOpenFramebufferUpdate(out: ByteWriter): number {
  const at = beginFramebufferUpdate(out);
  out.patchU16(at + 2, UNTIL_LAST_RECT);
  return at;
}

/** The LastRect pseudo-rectangle: the update begun by beginOpenFramebufferUpdate ends here. */
export function writeLastRect(out: ByteWriter): void {
  writeRectHeader(out, { x: 0, y: 0, w: 0, h: 0 }, PseudoEncoding.LastRect);
}

/** A rectangle header: what follows is its payload in `encoding`. */
export function writeRectHeader(out: ByteWriter, r: Rect, encoding: number): void {
  out.u16(r.x).u16(r.y).u16(r.w).u16(r.h).s32(encoding);
}

/** DesktopSize pseudo-rectangle (§7.8.2): the framebuffer is now width × height. */
export function writeDesktopSize(out: ByteWriter, width: number, height: number): void {
  writeRectHeader(out, { x: 0, y: 0, w: width, h: height }, PseudoEncoding.DesktopSize);
}

/**
 * ExtendedDesktopSize pseudo-rectangle (rfbproto "ExtendedDesktopSize"):
 * x is the reason (0 a change of the server's, 1 the answer to this client's
 * request, 2 another client's request), y the status (0 done, 1 prohibited,
 * 2 out of resources, 3 invalid layout), then one screen covering the desktop.
 */
export function writeExtendedDesktopSize(out: ByteWriter, reason: number, status: number, width: number, height: number): void {
  writeRectHeader(out, { x: reason, y: status, w: width, h: height }, PseudoEncoding.ExtendedDesktopSize);
  out.u8(1).pad(3); // one screen
  // Screen id 1: libvncclient ignores layouts whose only screen has id 0.
  out.u32(1).u16(0).u16(0).u16(width).u16(height).u32(0);
}

/** DesktopName pseudo-rectangle (rfbproto "DesktopName"): the new name in UTF-8. */
export function writeDesktopName(out: ByteWriter, name: string): void {
  const bytes = Buffer.from(name, 'utf8');
  writeRectHeader(out, { x: 0, y: 0, w: 0, h: 0 }, PseudoEncoding.DesktopName);
  out.u32(bytes.length).bytes(bytes);
}

/** Alpha at or above which a cursor pixel counts as opaque in the RFB bitmask. */
const CURSOR_MASK_ALPHA = 128;

/** Bytes `writeCursorShape` writes for this cursor (12-byte rectangle header included). */
export function cursorShapeBytes(cursor: CursorImage | null, converter: PixelConverter): number {
  if (isEmptyCursor(cursor)) return RECT_HEADER_BYTES;
  return RECT_HEADER_BYTES + cursor.width * cursor.height * converter.bpp + ((cursor.width + 7) >> 3) * cursor.height;
}

/**
 * Cursor pseudo-rectangle (§7.8.1): x, y = hotspot, w × h, then w*h pixels in
 * the client's pixel format (the straight colour, whatever the alpha) and a
 * bitmask of ceil(w/8) bytes per row, most significant bit first, 1 where
 * alpha ≥ 128. A null or 0×0 cursor is sent as an empty rectangle, which
 * clients take as "no cursor": the pointer is hidden. Returns the bytes written.
 */
export function writeCursorShape(out: ByteWriter, cursor: CursorImage | null, converter: PixelConverter): number {
  const start = out.length;
  if (isEmptyCursor(cursor)) {
    writeRectHeader(out, { x: 0, y: 0, w: 0, h: 0 }, PseudoEncoding.Cursor);
    return out.length - start;
  }
  const { width: w, height: h, pixels } = cursor;
  writeRectHeader(out, { x: cursor.hotX, y: cursor.hotY, w, h }, PseudoEncoding.Cursor);
  const n = w * h;
  const rowBytes = (w + 7) >> 3;
  const size = n * converter.bpp + rowBytes * h;
  const buf = out.raw(size);
  let o = out.length;
  for (let i = 0; i < n; i++) o = converter.writePixel(buf, o, converter.convert(pixels[i]! & 0xffffff));
  buf.fill(0, o, o + rowBytes * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const m = o + y * rowBytes;
    for (let x = 0; x < w; x++) {
      if (pixels[row + x]! >>> 24 >= CURSOR_MASK_ALPHA) buf[m + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  out.advance(size);
  return out.length - start;
}

// ---------------------------------------------------------------- other messages

/** SetColourMapEntries (§7.6.2) with 16-bit RGB triples starting at `first`. */
export function setColourMapEntries(first: number, colours: ReadonlyArray<readonly [number, number, number]>): Buffer {
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

/** Bell (§7.6.3). */
export function bell(): Buffer {
  return Buffer.from([ServerMessageType.Bell]);
}

/** ServerCutText (§7.6.4) with Latin-1 text. */
export function serverCutText(latin1: Uint8Array): Buffer {
  const b = Buffer.alloc(8 + latin1.length);
  b[0] = ServerMessageType.ServerCutText;
  b.writeUInt32BE(latin1.length, 4);
  b.set(latin1, 8);
  return b;
}

/** EndOfContinuousUpdates (rfbproto): also how a server says it supports continuous updates. */
export function endOfContinuousUpdates(): Buffer {
  return Buffer.from([ServerMessageType.EndOfContinuousUpdates]);
}

/** Fence flag: the message asks for a reply (rfbproto "Fence"). */
export const FENCE_REQUEST = 0x80000000;

/** ServerFence (rfbproto "Fence"): flags, then up to 64 bytes the other side echoes. */
export function fence(flags: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  if (payload.length > 64) throw new RangeError(`a fence payload holds at most 64 bytes, not ${payload.length}`);
  const b = Buffer.alloc(9 + payload.length);
  b[0] = ServerMessageType.ServerFence;
  b.writeUInt32BE(flags >>> 0, 4);
  b[8] = payload.length;
  b.set(payload, 9);
  return b;
}

// ---------------------------------------------------------------- Extended Clipboard

/** An Extended Clipboard message: ServerCutText with a negative length and a flags word first. */
function extendedCutText(payload: Buffer): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b[0] = ServerMessageType.ServerCutText;
  b.writeInt32BE(-payload.length, 4);
  payload.copy(b, 8);
  return b;
}

function clipboardFlagsOnly(flags: number): Buffer {
  return extendedCutText(u32(flags));
}

/** Extended Clipboard Caps: text only, every action, and the largest text we accept. */
export function clipboardCaps(maxText: number): Buffer {
  const actions = ClipboardAction.Caps | ClipboardAction.Request | ClipboardAction.Peek | ClipboardAction.Notify | ClipboardAction.Provide;
  return extendedCutText(Buffer.concat([u32(actions | ClipboardFormat.Text), u32(maxText)]));
}

/** Extended Clipboard Notify: we have new clipboard data in these formats. */
export function clipboardNotify(formats: number): Buffer {
  return clipboardFlagsOnly(ClipboardAction.Notify | formats);
}

/** Extended Clipboard Request: send us your clipboard data in these formats. */
export function clipboardRequest(formats: number): Buffer {
  return clipboardFlagsOnly(ClipboardAction.Request | formats);
}

/**
 * Extended Clipboard Provide with text: UTF-8, CRLF line ends and a
 * terminating NUL as the extension asks, deflated on a stream of its own.
 */
export function clipboardProvide(text: string): Buffer {
  const body = Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n') + '\0', 'utf8');
  const compressed = zlib.deflateSync(Buffer.concat([u32(body.length), body]));
  return extendedCutText(Buffer.concat([u32(ClipboardAction.Provide | ClipboardFormat.Text), compressed]));
}
