import zlib from 'node:zlib';
import { ProtocolError } from './errors.js';
import { ClipboardAction, ClipboardFormat } from './constants.js';

/**
 * Reading the Extended Clipboard pseudo-encoding (rfbproto "ExtendedClipboard",
 * 0xC0A1E5CE): cut-text messages with a negative length whose payload starts
 * with a flags word — formats in the low 16 bits, one action in the high 8.
 * It carries UTF-8 (and other formats) where classic cut text is Latin-1.
 * The messages we send are written by server-messages.ts.
 */
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

/** Cut text to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, max: number): string {
  const b = Buffer.from(text, 'utf8');
  let end = Math.min(max, b.length);
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.toString('utf8', 0, end);
}
