import { ClientMessageType } from './constants.js';
import { ProtocolError } from './errors.js';
import { parsePixelFormat, type PixelFormat } from './pixel-format.js';

/** Limits on what a client may send; every length field is checked against one. */
export interface ParseLimits {
  /** Most encodings in one SetEncodings. */
  maxEncodings: number;
  /** Longest ClientCutText we keep; longer ones are skipped without buffering. */
  maxCutText: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxEncodings: 512, maxCutText: 256 * 1024 };

export interface ScreenLayout {
  id: number;
  x: number;
  y: number;
  w: number;
  h: number;
  flags: number;
}

export type ClientMessage =
  | { type: 'setPixelFormat'; format: PixelFormat }
  | { type: 'setEncodings'; encodings: number[] }
  | { type: 'updateRequest'; incremental: boolean; x: number; y: number; w: number; h: number }
  | { type: 'key'; down: boolean; keysym: number }
  | { type: 'pointer'; buttons: number; x: number; y: number }
  /** Classic cut text (Latin-1) or, with a negative length, an Extended Clipboard message (raw payload). */
  | { type: 'cutText'; text: Buffer; extended: boolean }
  /** A cut text over the limit: its `length` bytes follow and must be skipped. */
  | { type: 'cutTextTooLong'; length: number; extended: boolean }
  | { type: 'enableContinuousUpdates'; enable: boolean; x: number; y: number; w: number; h: number }
  | { type: 'fence'; flags: number; payload: Buffer }
  | { type: 'setDesktopSize'; width: number; height: number; screens: ScreenLayout[] }
  | { type: 'qemuKey'; down: boolean; keysym: number; keycode: number };

export interface Parsed {
  consumed: number;
  message?: ClientMessage;
}

const NEED_MORE: Parsed = { consumed: 0 };

/**
 * Parse one client-to-server message at `off`. Returns consumed = 0 when the
 * message is not complete yet (nothing is consumed); throws ProtocolError for
 * anything malformed. Pure: no state besides the limits.
 */
export function parseClientMessage(buf: Buffer, off: number, limits: ParseLimits = DEFAULT_LIMITS): Parsed {
  const avail = buf.length - off;
  if (avail < 1) return NEED_MORE;
  const type = buf[off]!;
  switch (type) {
    case ClientMessageType.SetPixelFormat:
      if (avail < 20) return NEED_MORE;
      return { consumed: 20, message: { type: 'setPixelFormat', format: parsePixelFormat(buf, off + 4) } };

    case ClientMessageType.SetEncodings: {
      if (avail < 4) return NEED_MORE;
      const n = buf.readUInt16BE(off + 2);
      if (n > limits.maxEncodings) throw new ProtocolError(`SetEncodings lists ${n} encodings (limit ${limits.maxEncodings})`);
      const len = 4 + 4 * n;
      if (avail < len) return NEED_MORE;
      const encodings: number[] = new Array(n);
      for (let i = 0; i < n; i++) encodings[i] = buf.readInt32BE(off + 4 + 4 * i);
      return { consumed: len, message: { type: 'setEncodings', encodings } };
    }

    case ClientMessageType.FramebufferUpdateRequest:
      if (avail < 10) return NEED_MORE;
      return {
        consumed: 10,
        message: {
          type: 'updateRequest',
          incremental: buf[off + 1] !== 0,
          x: buf.readUInt16BE(off + 2),
          y: buf.readUInt16BE(off + 4),
          w: buf.readUInt16BE(off + 6),
          h: buf.readUInt16BE(off + 8),
        },
      };

    case ClientMessageType.KeyEvent:
      if (avail < 8) return NEED_MORE;
      return { consumed: 8, message: { type: 'key', down: buf[off + 1] !== 0, keysym: buf.readUInt32BE(off + 4) } };

    case ClientMessageType.PointerEvent:
      if (avail < 6) return NEED_MORE;
      return {
        consumed: 6,
        message: { type: 'pointer', buttons: buf[off + 1]!, x: buf.readUInt16BE(off + 2), y: buf.readUInt16BE(off + 4) },
      };

    case ClientMessageType.ClientCutText: {
      if (avail < 8) return NEED_MORE;
      const raw = buf.readInt32BE(off + 4);
      // Extended Clipboard sends a negative length (its payload is |length| bytes).
      const extended = raw < 0;
      const length = extended ? -raw : raw;
      if (length > limits.maxCutText) return { consumed: 8, message: { type: 'cutTextTooLong', length, extended } };
      if (avail < 8 + length) return NEED_MORE;
      return {
        consumed: 8 + length,
        message: { type: 'cutText', text: Buffer.from(buf.subarray(off + 8, off + 8 + length)), extended },
      };
    }

    case ClientMessageType.EnableContinuousUpdates:
      if (avail < 10) return NEED_MORE;
      return {
        consumed: 10,
        message: {
          type: 'enableContinuousUpdates',
          enable: buf[off + 1] !== 0,
          x: buf.readUInt16BE(off + 2),
          y: buf.readUInt16BE(off + 4),
          w: buf.readUInt16BE(off + 6),
          h: buf.readUInt16BE(off + 8),
        },
      };

    case ClientMessageType.ClientFence: {
      if (avail < 9) return NEED_MORE;
      const len = buf[off + 8]!;
      if (len > 64) throw new ProtocolError(`fence payload of ${len} bytes (limit 64)`);
      if (avail < 9 + len) return NEED_MORE;
      return {
        consumed: 9 + len,
        message: { type: 'fence', flags: buf.readUInt32BE(off + 4), payload: Buffer.from(buf.subarray(off + 9, off + 9 + len)) },
      };
    }

    case ClientMessageType.SetDesktopSize: {
      if (avail < 8) return NEED_MORE;
      const n = buf[off + 6]!;
      if (n === 0) throw new ProtocolError('SetDesktopSize with no screens');
      const len = 8 + 16 * n;
      if (avail < len) return NEED_MORE;
      const screens: ScreenLayout[] = [];
      for (let i = 0; i < n; i++) {
        const s = off + 8 + 16 * i;
        screens.push({
          id: buf.readUInt32BE(s),
          x: buf.readUInt16BE(s + 4),
          y: buf.readUInt16BE(s + 6),
          w: buf.readUInt16BE(s + 8),
          h: buf.readUInt16BE(s + 10),
          flags: buf.readUInt32BE(s + 12),
        });
      }
      return {
        consumed: len,
        message: { type: 'setDesktopSize', width: buf.readUInt16BE(off + 2), height: buf.readUInt16BE(off + 4), screens },
      };
    }

    case ClientMessageType.QemuClientMessage: {
      if (avail < 2) return NEED_MORE;
      const sub = buf[off + 1]!;
      if (sub !== 0) throw new ProtocolError(`unsupported QEMU client message subtype ${sub}`);
      if (avail < 12) return NEED_MORE;
      return {
        consumed: 12,
        message: {
          type: 'qemuKey',
          down: buf.readUInt16BE(off + 2) !== 0,
          keysym: buf.readUInt32BE(off + 4),
          keycode: buf.readUInt32BE(off + 8),
        },
      };
    }

    default:
      throw new ProtocolError(`unknown client message type ${type}`);
  }
}
