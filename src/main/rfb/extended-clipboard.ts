import zlib from 'node:zlib';
import { ProtocolError } from './errors.js';
import { ServerMessageType } from './constants.js';

/**
 * The Extended Clipboard pseudo-encoding (rfbproto "ExtendedClipboard",
 * 0xC0A1E5CE): cut-text messages with a negative length whose payload starts
 * with a flags word — formats in the low 16 bits, one action in the high 8.
 * It carries UTF-8 (and other formats) where classic cut text is Latin-1.
 */
export const ClipboardFormat = { Text: 1 << 0, Rtf: 1 << 1, Html: 1 << 2, Dib: 1 << 3, Files: 1 << 4 } as const;
export const ClipboardAction = {
  Caps: 1 << 24,
  Request: 1 << 25,
  Peek: 1 << 26,
  Notify: 1 << 27,
  Provide: 1 << 28,
} as const;

const ACTION_MASK = 0xff000000;
const FORMAT_MASK = 0x0000ffff;

export type ExtendedClipboardMessage =
  | { action: 'caps'; formats: number; actions: number; maxSizes: Map<number, number> }
  | { action: 'request'; formats: number }
  | { action: 'peek' }
  | { action: 'notify'; formats: number }
  | { action: 'provide'; text: string | null };

/**
 * Parse the payload of an extended cut-text message. `maxText` bounds the
 * inflated size of a Provide (a small message can inflate to gigabytes).
 */
export function parseExtendedClipboard(payload: Buffer, maxText: number): ExtendedClipboardMessage {
  if (payload.length < 4) throw new ProtocolError(`extended clipboard message of ${payload.length} bytes`);
  const flags = payload.readUInt32BE(0);
  const formats = flags & FORMAT_MASK;
  const actions = (flags & ACTION_MASK) >>> 0;
  if (actions & ClipboardAction.Caps) {
    const maxSizes = new Map<number, number>();
    let off = 4;
    for (let bit = 0; bit < 16; bit++) {
      if (!(formats & (1 << bit))) continue;
      if (off + 4 > payload.length) break; // some clients omit sizes; treat as unknown
      maxSizes.set(1 << bit, payload.readUInt32BE(off));
      off += 4;
    }
    return { action: 'caps', formats, actions, maxSizes };
  }
  switch (actions) {
    case ClipboardAction.Request:
      return { action: 'request', formats };
    case ClipboardAction.Peek:
      return { action: 'peek' };
    case ClipboardAction.Notify:
      return { action: 'notify', formats };
    case ClipboardAction.Provide:
      return { action: 'provide', text: formats & ClipboardFormat.Text ? providedText(payload.subarray(4), formats, maxText) : null };
    default:
      throw new ProtocolError(`extended clipboard flags 0x${flags.toString(16)} name no single action`);
  }
}

function providedText(compressed: Buffer, formats: number, maxText: number): string | null {
  let data: Buffer;
  try {
    // Each format is a u32 size and its bytes; only text is kept, but all must fit the budget.
    // noVNC sync-flushes without ending the stream: accept data that stops at a flush point.
    data = zlib.inflateSync(compressed, { maxOutputLength: maxText + 64, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (e) {
    if (e instanceof RangeError) return null; // over the limit: ignored, not an error
    throw new ProtocolError(`extended clipboard data does not inflate: ${(e as Error).message}`);
  }
  let off = 0;
  for (let bit = 0; bit < 16; bit++) {
    if (!(formats & (1 << bit))) continue;
    if (off + 4 > data.length) throw new ProtocolError('extended clipboard data is truncated');
    const size = data.readUInt32BE(off);
    off += 4;
    if (off + size > data.length) throw new ProtocolError('extended clipboard data is truncated');
    if (1 << bit === ClipboardFormat.Text) {
      let text = data.toString('utf8', off, off + size);
      if (text.endsWith('\0')) text = text.slice(0, -1);
      return text.replace(/\r\n/g, '\n');
    }
    off += size;
  }
  return null;
}

function cutTextMessage(payload: Buffer): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b[0] = ServerMessageType.ServerCutText;
  b.writeInt32BE(-payload.length, 4);
  payload.copy(b, 8);
  return b;
}

function flagsOnly(flags: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(flags >>> 0, 0);
  return cutTextMessage(b);
}

/** Our capabilities: text only, every action, and the largest text we accept. */
export function capsMessage(maxText: number): Buffer {
  const b = Buffer.alloc(8);
  const actions = ClipboardAction.Caps | ClipboardAction.Request | ClipboardAction.Peek | ClipboardAction.Notify | ClipboardAction.Provide;
  b.writeUInt32BE((actions | ClipboardFormat.Text) >>> 0, 0);
  b.writeUInt32BE(maxText, 4);
  return cutTextMessage(b);
}

export function notifyMessage(formats: number): Buffer {
  return flagsOnly(ClipboardAction.Notify | formats);
}

export function requestMessage(formats: number): Buffer {
  return flagsOnly(ClipboardAction.Request | formats);
}

/** Provide text: UTF-8, CRLF line ends and a terminating NUL, as the spec asks; its own zlib stream. */
export function provideMessage(text: string): Buffer {
  const body = Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n') + '\0', 'utf8');
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length, 0);
  const compressed = zlib.deflateSync(Buffer.concat([size, body]));
  const flags = Buffer.alloc(4);
  flags.writeUInt32BE((ClipboardAction.Provide | ClipboardFormat.Text) >>> 0, 0);
  return cutTextMessage(Buffer.concat([flags, compressed]));
}

/** Classic ServerCutText is Latin-1: characters beyond it become '?'. */
export function toLatin1(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out[n++] = c <= 0xff ? c : 0x3f;
  }
  return out.subarray(0, n);
}
