import type { GetPropertyReply } from 'x11';
import { getLogger } from '../../base/logger.js';
import { ANY_PROPERTY_TYPE, NONE } from './selection-protocol.js';
import { SelectionSignal } from './selection-signal.js';
import type { ClipboardLink, SelectionState } from './selection-state.js';
import type { X11Connection } from './x11-connection.js';

const log = getLogger('x11-clipboard');

/** Reading: an INCR transfer is abandoned after this long in total, however steadily chunks come. */
const INCR_RECEIVE_DEADLINE_MS = 30_000;

/** How much of another program's text we take, and how long we wait for it. */
export interface ReadLimits {
  /** Largest text kept, in bytes as it travels; bytes past it are never buffered. */
  maxBytes: number;
  /** A text over `maxBytes`: cut at a character boundary, or ignored. */
  oversize: 'truncate' | 'drop';
  /** Longest wait for the owner's answer, or for its next INCR chunk. */
  timeoutMs: number;
}

/** The bytes an owner sent, kept up to a few bytes past `maxBytes`. */
export interface ReceivedText {
  chunks: Buffer[];
  /** Whether the text was longer than `maxBytes`. */
  truncated: boolean;
  /** The property type the text came as (UTF8_STRING, STRING, …). */
  type: number;
  /** Its full size as far as known (for the log). */
  size: number;
}

/**
 * Receive an INCR transfer into `prop` on our window, `header` being the
 * INCR property the owner answered with: each deletion of the property asks
 * for the next chunk, and the zero-length chunk ends it. Past `maxBytes` the
 * rest is drained unread; with 'drop', so is a transfer announced as too
 * large. Null when the owner stops sending, the transfer runs past its
 * deadline, or the clipboard stops.
 */
export async function receiveIncr(
  link: ClipboardLink,
  conn: X11Connection,
  sel: SelectionState,
  prop: number,
  header: GetPropertyReply,
  limits: ReadLimits,
): Promise<ReceivedText | null> {
  const client = conn.client;
  const signal = new SelectionSignal();
  sel.incoming = { prop, signal };
  const announced = header.format === 32 && header.data.length >= 4 ? header.data.readUInt32LE(0) : 0;
  const cap = limits.maxBytes + 4;
  // with 'drop', a transfer announced as too large is only drained
  let collect = !(limits.oversize === 'drop' && announced > limits.maxBytes);
  let truncated = !collect;
  const chunks: Buffer[] = [];
  let total = 0;
  let seen = 0;
  let type = NONE;
  const deadline = performance.now() + INCR_RECEIVE_DEADLINE_MS;
  log.debug({ selection: sel.name, announced, collect }, 'INCR transfer incoming');
  try {
    client.DeleteProperty(link.win, prop); // the go-ahead for the first chunk
    for (;;) {
      if (!(await signal.wait(limits.timeoutMs))) {
        if (link.live()) log.warn({ selection: sel.name, received: seen }, 'INCR owner stopped sending; gave up');
        return null;
      }
      const room = collect ? cap - total : 0;
      const chunk = await conn.request<GetPropertyReply>((cb) => client.GetProperty(0, link.win, prop, ANY_PROPERTY_TYPE, 0, Math.ceil(room / 4), cb));
      client.DeleteProperty(link.win, prop); // asks for the next one
      const size = chunk.data.length + chunk.bytesAfter;
      if (size === 0) break; // the zero-length chunk: done
      seen += size;
      if (type === NONE) type = chunk.type;
      if (collect) {
        const take = Math.min(chunk.data.length, room);
        if (take > 0) chunks.push(Buffer.from(chunk.data.subarray(0, take)));
        total += take;
        if (total > limits.maxBytes || size > take) {
          truncated = true;
          collect = false; // drain the rest unread
        }
      }
      if (performance.now() > deadline) {
        log.warn({ selection: sel.name, received: seen }, 'INCR transfer took too long; abandoned');
        return null;
      }
    }
    return { chunks, truncated, type, size: Math.max(seen, announced) };
  } finally {
    sel.incoming = null;
    signal.close();
  }
}
