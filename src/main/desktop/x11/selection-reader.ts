import type { GetPropertyReply, SelectionNotifyEvent } from 'x11';
import { getLogger } from '../../base/logger.js';
import type { Selection } from '../input.js';
import { receiveIncr, type ReadLimits, type ReceivedText } from './selection-incr-receive.js';
import { ANY_PROPERTY_TYPE, NONE, XA_STRING } from './selection-protocol.js';
import type { ClipboardLink, SelectionState } from './selection-state.js';
import { decodeSelectionText, truncateUtf8 } from './selection-text.js';

const log = getLogger('x11-clipboard');

const REFUSED = Symbol('refused');

/**
 * Reading the text another client put on a selection: convert it to
 * UTF8_STRING (STRING when refused) into a property on our window, read it
 * (following INCR), and `report` it. Owner changes that come while a read
 * is running are coalesced into one more read; a read overtaken by a newer
 * owner or by our own write is not reported.
 */
export class SelectionReader {
  constructor(
    private readonly link: ClipboardLink,
    private readonly limits: ReadLimits,
    private readonly report: (text: string, selection: Selection) => void,
  ) {}

  /** Read `sel` as of server time `time`, now or right after the read in progress. */
  request(sel: SelectionState, time: number): void {
    if (sel.reading) {
      sel.pendingTime = time; // read again once the current one ends
      return;
    }
    sel.reading = true;
    void this.readLoop(sel, time);
  }

  /** The core SelectionNotify: the owner's answer to our ConvertSelection. */
  onConvertAnswer(ev: SelectionNotifyEvent): void {
    if (ev.requestor !== this.link.win) return;
    const sel = this.link.selection(ev.selection);
    const waiting = sel?.converting;
    if (!sel || !waiting || waiting.target !== ev.target) return;
    sel.converting = null;
    waiting.done(ev);
  }

  private async readLoop(sel: SelectionState, firstTime: number): Promise<void> {
    let time: number | null = firstTime;
    try {
      while (time !== null && this.link.live()) {
        sel.pendingTime = null;
        const writes = sel.writes;
        const started = performance.now();
        let text: string | null = null;
        try {
          text = await this.fetch(sel, time);
        } catch (err) {
          log.warn({ err: (err as Error).message, selection: sel.name }, 'reading the selection failed');
        }
        // superseded by a newer owner or by our own write meanwhile: not worth reporting
        if (text !== null && sel.pendingTime === null && sel.writes === writes && this.link.live()) {
          log.debug({ selection: sel.name, chars: text.length, ms: +(performance.now() - started).toFixed(2) }, 'selection read');
          this.report(text, sel.name);
        }
        time = sel.pendingTime;
      }
    } catch (err) {
      log.error({ err: (err as Error).message }, 'selection read loop failed');
    } finally {
      sel.reading = false;
    }
  }

  /** The owner's text: UTF8_STRING, else STRING; null when there is none to report. */
  private async fetch(sel: SelectionState, time: number): Promise<string | null> {
    for (const target of [this.link.atoms.UTF8_STRING, XA_STRING]) {
      const got = await this.convert(sel, target, time);
      if (got !== REFUSED) return got;
    }
    log.debug({ selection: sel.name }, 'owner offers no text');
    return null;
  }

  private async convert(sel: SelectionState, target: number, time: number): Promise<string | null | typeof REFUSED> {
    const conn = this.link.live();
    if (!conn) return null;
    const client = conn.client;
    const win = this.link.win;
    const { maxBytes, timeoutMs } = this.limits;
    client.DeleteProperty(win, sel.prop); // nothing stale in the way
    const answered = new Promise<SelectionNotifyEvent | null>((resolve) => {
      const timer = setTimeout(() => {
        if (sel.converting === waiting) sel.converting = null;
        resolve(null);
      }, timeoutMs);
      const waiting = {
        target,
        done: (ev: SelectionNotifyEvent | null): void => {
          clearTimeout(timer);
          resolve(ev);
        },
      };
      sel.converting = waiting;
    });
    client.ConvertSelection(win, sel.atom, target, sel.prop, time);
    const ev = await answered;
    if (!ev) {
      if (this.link.live()) log.warn({ selection: sel.name, timeoutMs }, 'selection owner did not answer; gave up');
      return null;
    }
    if (ev.property === NONE) return REFUSED;
    const prop = ev.property;
    const cap = maxBytes + 4; // a few bytes past the limit show where the last whole character ends
    const reply = await conn.request<GetPropertyReply>((cb) => client.GetProperty(0, win, prop, ANY_PROPERTY_TYPE, 0, Math.ceil(cap / 4), cb));
    if (reply.type === this.link.atoms.INCR) {
      const received = await receiveIncr(this.link, conn, sel, prop, reply, this.limits);
      return received && this.finishText(sel, received);
    }
    client.DeleteProperty(win, prop);
    if (reply.type === NONE) {
      log.debug({ selection: sel.name }, 'owner answered but set no property');
      return null;
    }
    if (reply.format !== 8) return REFUSED;
    const size = reply.data.length + reply.bytesAfter;
    return this.finishText(sel, { chunks: [Buffer.from(reply.data.subarray(0, cap))], truncated: size > maxBytes, type: reply.type, size });
  }

  /** The text as listeners get it: decoded, and cut to `maxBytes` (or dropped) when longer. */
  private finishText(sel: SelectionState, { chunks, truncated, type, size }: ReceivedText): string | null {
    const { maxBytes, oversize } = this.limits;
    const latin1 = type === XA_STRING;
    let bytes: Uint8Array = Buffer.concat(chunks);
    if (truncated) {
      if (oversize === 'drop') {
        log.warn({ selection: sel.name, size, maxBytes }, 'selection text over the size limit: ignored');
        return null;
      }
      bytes = latin1 ? bytes.subarray(0, maxBytes) : truncateUtf8(bytes, maxBytes);
      log.info({ selection: sel.name, size, kept: bytes.length }, 'selection text over the size limit: truncated');
    }
    return decodeSelectionText(bytes, latin1);
  }
}
