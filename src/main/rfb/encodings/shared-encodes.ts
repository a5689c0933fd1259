import type { Rect } from '../../framebuffer/rect.js';
import { serializePixelFormat, type PixelFormat } from '../pixel-format.js';

/** One rectangle as some viewer's manager encoded it: what any viewer with the same settings can send as it is. */
export interface SharedPart {
  readonly rect: Rect;
  readonly encoding: number;
  /** The payload after the rectangle header; a promise while it is being compressed. */
  readonly payload: Buffer | Promise<Buffer>;
  readonly rawBytes: number;
  /** Sent as an approximation (JPEG): the taker refreshes it later, as the maker does. */
  readonly lossy?: boolean;
}

/** A unit of an update (a rectangle the manager encodes as one, perhaps in several parts). */
export interface SharedUnit {
  readonly parts: readonly SharedPart[];
  /** Zlib streams its payloads continue (independent chunks, see compressIndependent): each must have begun on the taker's connection. */
  readonly streams: readonly string[];
}

/**
 * What decides a manager's output for given pixels: the client's pixel format
 * and its SetEncodings list as sent (encodings in order, compression and
 * JPEG quality levels). Viewers of one kind of client send the same list.
 */
export function encodingSignature(pf: PixelFormat, encodings: readonly number[]): string {
  return `${serializePixelFormat(pf).toString('hex')}|${encodings.join(',')}`;
}

/** At most this much payload is kept for the current frame; beyond it viewers encode for themselves. */
const MAX_BYTES = 48 * 1024 * 1024;
const MAX_ENTRIES = 16384;

/**
 * Encoded rectangles of the current frame, shared by the viewers of one
 * server whose pixel format and encoding settings are the same: when twenty
 * viewers watch the same desktop, one of them converts, analyses and
 * compresses each changed rectangle, and the others send its bytes.
 *
 * An entry is valid only while the frame's pixels are those it was made
 * from, so every change to the frame (`frameChanged`) empties the cache.
 * Viewers in step (the usual case: each asks again as soon as its last update
 * arrived) take the same rectangles from the same frame; one that fell behind
 * has a different region to send and encodes it itself.
 *
 * Zlib-based payloads are made of independent chunks, which any stream that
 * has begun can carry (zlib-stream.ts): only per-connection stream state is
 * not shared, and that is why a taker's streams must have begun.
 */
export class SharedEncodes {
  private entries = new Map<string, SharedUnit>();
  private bytes = 0;
  private readonly members = new Map<object, string>();
  /** How many entries were taken instead of encoded, for tests and figures. */
  hits = 0;
  misses = 0;

  /** The frame's pixels changed (or it was replaced): what was encoded from the old ones is dropped. */
  frameChanged(): void {
    if (this.entries.size === 0) return;
    this.entries = new Map();
    this.bytes = 0;
  }

  /** A viewer's manager with these settings (`signature`); called again whenever they change. */
  join(member: object, signature: string): void {
    this.members.set(member, signature);
  }

  leave(member: object): void {
    this.members.delete(member);
  }

  /** Whether another member has the same settings, so encoding for sharing is worth its small cost in compression. */
  hasPeers(member: object): boolean {
    const sig = this.members.get(member);
    if (sig === undefined) return false;
    for (const [m, s] of this.members) if (m !== member && s === sig) return true;
    return false;
  }

  get(signature: string, rect: Rect): SharedUnit | undefined {
    return this.entries.get(key(signature, rect));
  }

  /** Offer a unit just encoded. A pending payload counts as its raw size until it is known (a bound, not an estimate). */
  put(signature: string, rect: Rect, parts: readonly SharedPart[], streams: readonly string[]): void {
    let size = 0;
    for (const p of parts) size += p.payload instanceof Promise ? p.rawBytes : p.payload.length;
    if (this.bytes + size > MAX_BYTES || this.entries.size >= MAX_ENTRIES) return;
    this.entries.set(key(signature, rect), { parts, streams });
    this.bytes += size;
  }
}

function key(signature: string, r: Rect): string {
  return `${r.x},${r.y},${r.w},${r.h}|${signature}`;
}
