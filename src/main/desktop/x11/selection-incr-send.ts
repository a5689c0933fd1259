import type { XClient } from 'x11';
import { getLogger } from '../../base/logger.js';
import { PROP_MODE_REPLACE, PROPERTY_CHANGE_MASK, u32s } from './selection-protocol.js';
import type { ClipboardLink, Converted } from './selection-state.js';

const log = getLogger('x11-clipboard');

/**
 * ChangeProperty is packed with the 16-bit length field only (the library has
 * no BIG-REQUESTS form for it), so one property write carries at most this.
 */
const MAX_CORE_REQUEST_BYTES = 0xffff * 4;
const CHANGE_PROPERTY_HEADER_BYTES = 24;

/**
 * The INCR chunk size (and the size from which INCR is used): `threshold`
 * in whole 32-bit units, never more than one property write can carry.
 */
export function incrChunkBytes(maxRequestBytes: number, threshold: number): number {
  const largest = Math.min(maxRequestBytes, MAX_CORE_REQUEST_BYTES) - CHANGE_PROPERTY_HEADER_BYTES;
  return Math.max(4, Math.min(Math.floor(threshold), largest) & ~3);
}

/** An INCR transfer we send. */
interface Outgoing {
  key: string;
  requestor: number;
  property: number;
  type: number;
  data: Buffer;
  offset: number;
  timer: NodeJS.Timeout;
}

/**
 * Serving a text too large for one property with the INCR protocol: a
 * header of type INCR with the size, then a chunk each time the requestor
 * deletes the property, ending with a zero-length chunk. Several requestors
 * are served at once, each transfer known by its window and property; one
 * that stops asking for chunks is dropped after `timeoutMs`.
 */
export class IncrSender {
  private readonly outgoing = new Map<string, Outgoing>();
  /** Foreign windows we listen to PropertyNotify on, with use counts. */
  private readonly watched = new Map<number, number>();

  constructor(
    private readonly link: ClipboardLink,
    /** Chunk size, and the size from which INCR is used. */
    readonly chunkBytes: number,
    private readonly timeoutMs: number,
  ) {}

  start(client: XClient, requestor: number, property: number, conv: Converted): void {
    const key = outgoingKey(requestor, property);
    const previous = this.outgoing.get(key);
    if (previous) this.end(previous); // a new request on the same property replaces it
    // listen before the header goes out, or its deletion could pass unseen
    this.watchWindow(client, requestor);
    client.ChangeProperty(PROP_MODE_REPLACE, requestor, property, this.link.atoms.INCR, 32, u32s([conv.data.length]));
    const t: Outgoing = {
      key,
      requestor,
      property,
      type: conv.type,
      data: conv.data,
      offset: 0,
      timer: setTimeout(() => {
        log.warn({ requestor, sent: t.offset, size: t.data.length }, 'INCR requestor stopped asking for chunks; transfer dropped');
        this.end(t);
      }, this.timeoutMs),
    };
    this.outgoing.set(key, t);
    log.debug({ requestor, size: conv.data.length, chunk: this.chunkBytes }, 'INCR transfer started');
  }

  /** A requestor deleted `property` of `window`: when it took our last chunk (or the header), send the next. */
  onPropertyDeleted(window: number, property: number): void {
    const t = this.outgoing.get(outgoingKey(window, property));
    if (t) this.sendNextChunk(t);
  }

  /** Forget every transfer (stop, or the connection went away). */
  clear(): void {
    for (const t of this.outgoing.values()) clearTimeout(t.timer);
    this.outgoing.clear();
    this.watched.clear();
  }

  private sendNextChunk(t: Outgoing): void {
    const chunk = t.data.subarray(t.offset, t.offset + this.chunkBytes);
    this.link.client().ChangeProperty(PROP_MODE_REPLACE, t.requestor, t.property, t.type, 8, chunk);
    t.offset += chunk.length;
    if (chunk.length === 0) {
      // the zero-length chunk marks the end
      log.debug({ requestor: t.requestor, size: t.data.length }, 'INCR transfer done');
      this.end(t);
    } else {
      t.timer.refresh();
    }
  }

  private end(t: Outgoing): void {
    clearTimeout(t.timer);
    if (this.outgoing.get(t.key) !== t) return;
    this.outgoing.delete(t.key);
    const conn = this.link.live();
    if (conn) {
      try {
        this.unwatchWindow(conn.client, t.requestor);
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'could not stop watching a requestor');
      }
    }
  }

  private watchWindow(client: XClient, window: number): void {
    if (window === this.link.win) return; // ours already reports property changes
    const n = this.watched.get(window) ?? 0;
    if (n === 0) client.ChangeWindowAttributes(window, { eventMask: PROPERTY_CHANGE_MASK });
    this.watched.set(window, n + 1);
  }

  private unwatchWindow(client: XClient, window: number): void {
    if (window === this.link.win) return;
    const n = this.watched.get(window) ?? 0;
    if (n > 1) {
      this.watched.set(window, n - 1);
      return;
    }
    this.watched.delete(window);
    client.ChangeWindowAttributes(window, { eventMask: 0 }); // BadWindow if it is gone: logged, harmless
  }
}

function outgoingKey(window: number, property: number): string {
  return `${window}:${property}`;
}
